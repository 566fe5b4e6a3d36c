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

  /** Releases connections. Idempotent. */
  @Override
  void close();
}
