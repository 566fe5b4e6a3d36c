package io.distillguard.store.testing;

import io.distillguard.store.jdbc.Dialect;
import io.distillguard.store.jdbc.JdbcStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An empty database of one dialect for one test: a SQLite file in the test's directory, or a database of its own on
 * the JVM's embedded PostgreSQL server (dropped on {@link #close()}). {@link #open()} may be called again to reopen
 * the same database, as a restarted node would.
 */
public final class TestDatabase implements AutoCloseable {
  private final Dialect dialect;
  private final Path dir;
  private final String name;

  private TestDatabase(Dialect dialect, Path dir, String name) {
    this.dialect = dialect;
    this.dir = dir;
    this.name = name;
  }

  /** @param dir where a SQLite database lives (unused for PostgreSQL) */
  public static TestDatabase create(Dialect dialect, Path dir) {
    Objects.requireNonNull(dialect, "dialect");
    return switch (dialect) {
      case SQLITE -> new TestDatabase(dialect, dir, null);
      case POSTGRESQL -> new TestDatabase(dialect, null, EmbeddedPostgresServer.shared().createDatabase());
    };
  }

  public static TestDatabase postgres() {
    return create(Dialect.POSTGRESQL, null);
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The JDBC URL of the PostgreSQL database. */
  public String url() {
    requirePostgres();
    return EmbeddedPostgresServer.shared().url(name);
  }

  /** Connection settings for the PostgreSQL database with the server's credentials. */
  public JdbcStore.PostgresSettings settings() {
    return new JdbcStore.PostgresSettings(url(), EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
  }

  /** A new store over this database (migrated on open). */
  public JdbcStore open() {
    return dialect == Dialect.SQLITE ? JdbcStore.openSqlite(dir) : JdbcStore.openPostgres(settings());
  }

  @Override
  public void close() {
    if (name != null) {
      EmbeddedPostgresServer.shared().dropDatabase(name);
    }
  }

  private void requirePostgres() {
    if (dialect != Dialect.POSTGRESQL) {
      throw new IllegalStateException("not a PostgreSQL database");
    }
  }
}
