package io.distillguard.store;

/**
 * The durable state of one DistillGuard deployment, behind repository interfaces so the embedded SQLite store and a
 * PostgreSQL store are interchangeable. Implementations are thread-safe; every method may block on I/O, so callers
 * on an event loop must hand calls to a worker.
 */
public interface Store extends AutoCloseable {

  AccountRepository accounts();

  KeyRepository keys();

  ExchangeRepository exchanges();

  AuditLog audit();

  /** The alerts feed (automatic escalations); stores that keep none throw. */
  default AlertLog alerts() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no alerts");
  }

  /** Releases connections. Idempotent. */
  @Override
  void close();
}
