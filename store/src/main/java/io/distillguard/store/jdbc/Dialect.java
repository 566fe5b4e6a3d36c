package io.distillguard.store.jdbc;

/**
 * The SQL database behind a {@link JdbcStore}. The repositories' SQL is written to run unchanged on every dialect
 * (standard upserts with {@code ON CONFLICT}, {@code RETURNING}, {@code CASE} instead of two-argument
 * {@code MAX}/{@code GREATEST}, aliased subqueries); what differs is the schema, so each dialect has its own Flyway
 * migration folder, and the few statements below.
 */
public enum Dialect {
  /** Embedded SQLite, one file per deployment. */
  SQLITE("classpath:db/migration/sqlite"),
  /** A PostgreSQL server shared by many gateway nodes. */
  POSTGRESQL("classpath:db/migration/postgresql");

  private final String migrationLocation;

  Dialect(String migrationLocation) {
    this.migrationLocation = migrationLocation;
  }

  /** The Flyway location of this dialect's migrations. */
  public String migrationLocation() {
    return migrationLocation;
  }

  /**
   * The statement that serializes appends to a chained table ({@code audit_log}) for the rest of the transaction, or
   * null when the first write already does.
   *
   * <p>SQLite has one writer at a time: the transaction's first insert takes the database's write lock. PostgreSQL
   * lets writers run side by side, so two appends could each read the same "previous" hash (neither sees the other's
   * uncommitted row) and identity values could commit out of order; a lock that conflicts with itself but not with
   * readers ({@code SHARE ROW EXCLUSIVE}) makes appends from every node take turns while the log stays readable.
   */
  String appendLock(String table) {
    return this == POSTGRESQL ? "LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE" : null;
  }
}
