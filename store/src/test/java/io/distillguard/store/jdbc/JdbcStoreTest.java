package io.distillguard.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcStoreTest {

  @TempDir Path dir;

  @Test
  void createsMissingDataDirectoryAndDatabaseFile() {
    Path nested = dir.resolve("a/b/data");
    try (JdbcStore store = JdbcStore.openSqlite(nested)) {
      assertThat(store.exchanges().count()).isZero();
    }
    assertThat(nested.resolve(JdbcStore.SQLITE_FILE)).isRegularFile();
  }

  @Test
  void everyPooledConnectionIsConfiguredForAConcurrentServer() throws SQLException {
    try (JdbcStore store = JdbcStore.openSqlite(dir)) {
      // Hold several connections at once so more than the first pooled one is checked.
      Connection[] held = new Connection[JdbcStore.SQLITE_POOL_SIZE];
      try {
        for (int i = 0; i < held.length; i++) {
          held[i] = store.dataSource().getConnection();
          assertThat(pragma(held[i], "journal_mode")).isEqualTo("wal");
          assertThat(Long.parseLong(pragma(held[i], "busy_timeout"))).isGreaterThanOrEqualTo(10_000);
          assertThat(pragma(held[i], "synchronous")).isEqualTo("1"); // NORMAL
          assertThat(pragma(held[i], "foreign_keys")).isEqualTo("1");
        }
      } finally {
        for (Connection c : held) {
          if (c != null) {
            c.close();
          }
        }
      }
    }
  }

  @Test
  void reopeningKeepsDataAndDoesNotReapplyMigrations() throws SQLException {
    try (JdbcStore store = JdbcStore.openSqlite(dir)) {
      store.accounts().create(new Account("a1", "A", Map.of(), AccountStatus.ACTIVE, Fixtures.T0));
    }
    for (int i = 0; i < 2; i++) {
      try (JdbcStore store = JdbcStore.openSqlite(dir)) {
        assertThat(store.accounts().find("a1")).isPresent();
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                 "SELECT COUNT(*), SUM(success) FROM flyway_schema_history WHERE version = '1'")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(1);
          assertThat(rs.getInt(2)).isEqualTo(1);
        }
      }
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailAsStoreException() {
    JdbcStore store = JdbcStore.openSqlite(dir);
    store.close();
    store.close();
    assertThatThrownBy(() -> store.exchanges().count())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("count exchanges failed");
  }

  @Test
  void aFileThatIsNotADatabaseFailsAsStoreException() throws Exception {
    Files.writeString(dir.resolve(JdbcStore.SQLITE_FILE), "this is not a SQLite database, just text ".repeat(100));
    assertThatThrownBy(() -> JdbcStore.openSqlite(dir)).isInstanceOf(StoreException.class);
  }

  @Test
  void aDataDirectoryThatIsAFileFailsAsStoreException() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    assertThatThrownBy(() -> JdbcStore.openSqlite(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("data directory");
  }

  private static String pragma(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
