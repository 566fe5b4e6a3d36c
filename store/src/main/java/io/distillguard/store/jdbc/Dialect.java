package io.distillguard.store.jdbc;

/**
 * The SQL database behind a {@link JdbcStore}. The repositories' SQL is written to run unchanged on every dialect;
 * what differs is the schema, so each dialect has its own Flyway migration folder.
 */
public enum Dialect {
  /** Embedded SQLite, one file per deployment. */
  SQLITE("classpath:db/migration/sqlite");

  private final String migrationLocation;

  Dialect(String migrationLocation) {
    this.migrationLocation = migrationLocation;
  }

  /** The Flyway location of this dialect's migrations. */
  public String migrationLocation() {
    return migrationLocation;
  }
}
