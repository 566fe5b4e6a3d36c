package io.distillguard.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.AccountStatus;
import io.distillguard.store.testing.EmbeddedPostgresServer;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** An existing database, made and filled by an earlier version, is migrated in place on every dialect. */
@ParameterizedClass
@EnumSource(Dialect.class)
class JdbcMigrationTest {
  @Parameter Dialect dialect;
  @TempDir Path dir;
  TestDatabase db;

  @BeforeEach
  void create() {
    db = TestDatabase.create(dialect, dir);
  }

  @AfterEach
  void drop() {
    db.close();
  }

  private Flyway flyway(String target) {
    var config = Flyway.configure().locations(dialect.migrationLocation()).target(target);
    return dialect == Dialect.SQLITE
        ? config.dataSource("jdbc:sqlite:" + dir.resolve(JdbcStore.SQLITE_FILE), null, null).load()
        : config.dataSource(db.url(), EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD).load();
  }

  @Test
  void aVersion3DatabaseWithDataIsMigratedKeepingItsRowsAndJournalCheckpoint() throws Exception {
    java.nio.file.Files.createDirectories(dir);
    MigrateResult v3 = flyway("3").migrate();
    assertThat(v3.targetSchemaVersion).isEqualTo("3");
    try (Connection c = flyway("3").getConfiguration().getDataSource().getConnection();
         Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO accounts (id, name, attributes, status, created_at, updated_at)"
          + " VALUES ('old', 'Old', '{}', 'watch', 1, 1)");
      s.executeUpdate("UPDATE journal_checkpoint SET seq = 17 WHERE id = 1");
    }
    try (JdbcStore store = db.open()) {
      assertThat(store.accounts().find("old").orElseThrow().status()).isEqualTo(AccountStatus.WATCH);
      assertThat(store.exchanges().checkpoint()).as("the checkpoint moved to the new table").isEqualTo(17);
      assertThat(store.clusters().active()).isEmpty();
    }
    assertThat(flyway("latest").info().current().getVersion().getVersion()).isEqualTo("5");
  }
}
