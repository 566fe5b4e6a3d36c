package io.distillguard.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.store.StoreException;
import io.distillguard.store.testing.EmbeddedPostgresServer;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a server database shows: several pools (gateway nodes) writing at once, credentials and addresses that
 * are wrong, the server going away under an open store and coming back. The repository behaviour itself is covered
 * on both dialects by the other Jdbc*Test classes.
 */
class PostgresStoreTest {
  static final Duration SHORT = Duration.ofSeconds(2);

  TestDatabase db;

  @BeforeEach
  void create() {
    db = TestDatabase.postgres();
  }

  @AfterEach
  void drop() {
    db.close();
  }

  private JdbcStore open(String password, Duration timeout) {
    return JdbcStore.openPostgres(
        new JdbcStore.PostgresSettings(db.url(), EmbeddedPostgresServer.USER, password, 4, timeout));
  }

  @Test
  void twoNodesAppendingAtOnceKeepOneUnbrokenAuditChain() throws Exception {
    try (JdbcStore a = db.open(); JdbcStore b = db.open()) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          JdbcStore node = t % 2 == 0 ? a : b;
          int thread = t;
          done.add(pool.submit(() -> {
            for (int i = 0; i < 40; i++) {
              node.audit().append(Fixtures.T0.plusMillis(i), "node-" + thread, "test", "s:" + thread,
                  Map.of("i", Integer.toString(i)));
            }
          }));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(a.audit().verify()).as("first broken entry").isEqualTo(-1);
      List<AuditEntry> all = b.audit().list(null, 1_000);
      assertThat(all).hasSize(160);
      // Sequence numbers are dense and each entry chains onto the one before it.
      for (int i = 0; i < all.size() - 1; i++) {
        assertThat(all.get(i).seq()).isEqualTo(all.get(i + 1).seq() + 1);
        assertThat(all.get(i).prevHash()).isEqualTo(all.get(i + 1).hash());
      }
    }
  }

  @Test
  void twoNodesAppendingOverlappingExchangeBatchesStoreEachOnce() throws Exception {
    try (JdbcStore a = db.open(); JdbcStore b = db.open()) {
      List<Exchange> all = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        all.add(Fixtures.full("x" + i, Fixtures.T0.plusMillis(i), "acct" + (i % 7), Outcome.OK));
      }
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        // Both nodes send every batch (a replayed journal overlaps what was stored): each exchange lands once.
        Future<Integer> fa = pool.submit(() -> appendInBatches(a, all));
        Future<Integer> fb = pool.submit(() -> appendInBatches(b, all));
        assertThat(fa.get(60, TimeUnit.SECONDS) + fb.get(60, TimeUnit.SECONDS)).isEqualTo(300);
      } finally {
        pool.shutdownNow();
      }
      assertThat(a.exchanges().count()).isEqualTo(300);
    }
  }

  @Test
  void eachNodeKeepsItsOwnJournalCheckpoint() {
    JdbcStore.PostgresSettings base = db.settings();
    try (JdbcStore a = JdbcStore.openPostgres(new JdbcStore.PostgresSettings(base.url(), base.user(),
             base.password(), 2, SHORT, "node-a"));
         JdbcStore b = JdbcStore.openPostgres(new JdbcStore.PostgresSettings(base.url(), base.user(),
             base.password(), 2, SHORT, "node-b"))) {
      a.exchanges().append(List.of(Fixtures.full("xa", Fixtures.T0, "acct", Outcome.OK)), 900);
      b.exchanges().append(List.of(Fixtures.full("xb", Fixtures.T0, "acct", Outcome.OK)), 12);
      // Node b restarting must replay its own journal past 12, not skip to node a's 900.
      assertThat(a.exchanges().checkpoint()).isEqualTo(900);
      assertThat(b.exchanges().checkpoint()).isEqualTo(12);
      assertThat(a.exchanges().count()).isEqualTo(2);
    }
  }

  private static int appendInBatches(JdbcStore store, List<Exchange> all) {
    int inserted = 0;
    for (int from = 0; from < all.size(); from += 25) {
      inserted += store.exchanges().append(all.subList(from, from + 25), from / 25 + 1);
    }
    return inserted;
  }

  @Test
  void reopeningAMigratedDatabaseKeepsItsDataAndSchema() {
    try (JdbcStore first = db.open()) {
      first.accounts().create(new Account("acme", "Acme", Map.of(), AccountStatus.WATCH, Fixtures.T0));
    }
    try (JdbcStore again = db.open()) {
      assertThat(again.accounts().find("acme")).map(Account::status).contains(AccountStatus.WATCH);
      assertThat(again.dialect()).isEqualTo(Dialect.POSTGRESQL);
    }
  }

  @Test
  void aWrongPasswordFailsAtOpenWithAClearMessageThatNeverShowsThePassword() {
    assertThatThrownBy(() -> open("not-the-password-7731", SHORT))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot connect to PostgreSQL at " + db.url())
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("not-the-password-7731");
  }

  @Test
  void anUnknownDatabaseOrAClosedPortFailsAtOpenWithAClearMessage() {
    String unknown = EmbeddedPostgresServer.shared().url("no_such_db_4711");
    assertThatThrownBy(() -> JdbcStore.openPostgres(new JdbcStore.PostgresSettings(unknown,
        EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD, 2, SHORT)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no_such_db_4711")
        .hasMessageContaining("does not exist");
    // Port 1 on loopback: nothing listens there.
    assertThatThrownBy(() -> JdbcStore.openPostgres(new JdbcStore.PostgresSettings(
        "jdbc:postgresql://127.0.0.1:1/x?password=hunter2-in-url", "u", null, 2, SHORT)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/x?...")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void settingsRefuseWhatCannotWork() {
    assertThatThrownBy(() -> new JdbcStore.PostgresSettings("jdbc:mysql://h/db", "u", "p"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PostgreSQL JDBC URL");
    assertThatThrownBy(() -> new JdbcStore.PostgresSettings(db.url(), "u", "p", 0, SHORT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pool size");
    assertThat(new JdbcStore.PostgresSettings(db.url() + "?password=s3cret", "u", "s3cret").toString())
        .doesNotContain("s3cret");
  }

  @Test
  void aServerStoppedUnderAnOpenStoreGivesClearErrorsAndKeepsEveryCommittedWrite(@TempDir Path dataDir) {
    EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
    int port = server.port();
    String name = server.createDatabase();
    JdbcStore.PostgresSettings settings = new JdbcStore.PostgresSettings(server.url(name),
        EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD, 2, SHORT);
    try (JdbcStore store = JdbcStore.openPostgres(settings)) {
      for (int i = 0; i < 20; i++) {
        store.accounts().create(new Account("a" + i, null, Map.of(), AccountStatus.ACTIVE, Fixtures.T0));
      }
      store.exchanges().append(List.of(Fixtures.full("x1", Fixtures.T0, "a1", Outcome.OK)), 1);
      server.close();

      assertThatThrownBy(() -> store.accounts().create(
          new Account("during", null, Map.of(), AccountStatus.ACTIVE, Fixtures.T0)))
          .isInstanceOf(StoreException.class)
          .hasMessageStartingWith("create account during failed: ");
      assertThatThrownBy(() -> store.exchanges().count()).isInstanceOf(StoreException.class)
          .hasMessageStartingWith("count exchanges failed: ");

      server = EmbeddedPostgresServer.start(dataDir, port);
      // The same pool reconnects by itself once the server is back.
      assertThat(store.accounts().all()).hasSize(20);
      assertThat(store.accounts().find("during")).isEmpty();
      assertThat(store.exchanges().checkpoint()).isEqualTo(1);
      store.accounts().create(new Account("after", null, Map.of(), AccountStatus.ACTIVE, Fixtures.T0));
      assertThat(store.accounts().find("after")).isPresent();
    } finally {
      server.close();
    }
  }
}
