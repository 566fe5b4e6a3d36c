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

  /** Scores over time and latest risks; stores that keep none throw. */
  default RiskHistory risks() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no risk history");
  }

  /** Analysts' reviews of alerts; stores that keep none throw. */
  default ReviewLog reviews() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no reviews");
  }

  /** Exported case files; stores that keep none throw. */
  default CaseFileLog cases() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no case files");
  }

  /** Aggregates for the dashboard; stores that cannot compute them throw. */
  default Analytics analytics() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " computes no analytics");
  }

  /** Linkage's clusters with analysts' rulings; stores that keep none throw. */
  default ClusterRepository clusters() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no clusters");
  }

  /** Rate-limit consumption shared by gateway nodes; stores that keep none throw. */
  default RateUsage rateUsage() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no rate usage");
  }

  /** Releases connections. Idempotent. */
  @Override
  void close();
}
