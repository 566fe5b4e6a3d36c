package io.distillguard.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.core.Outcome;
import io.distillguard.gateway.Await;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.config.GatewayConfig.LimitSet;
import io.distillguard.gateway.config.GatewayConfig.Tier;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.store.testing.EmbeddedPostgresServer;
import io.distillguard.store.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes (two limiters, each with its own connection pool) sharing one real PostgreSQL database. Time is
 * the calls' event time and syncs are stepped by the test, so every run is the same: no wall clock, no sleeps.
 */
class LimitSyncTest {
  static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");
  static final long RATE = 60; // per minute: one a second, a burst of 60
  static final Duration SYNC = Duration.ofMillis(500);
  static final int NODES = 2;

  TestDatabase db;
  JdbcStore storeA;
  JdbcStore storeB;

  @BeforeEach
  void open() {
    db = TestDatabase.postgres();
    storeA = db.open();
    storeB = db.open();
  }

  @AfterEach
  void close() {
    storeA.close();
    storeB.close();
    db.close();
  }

  static GatewayConfig.Limits limits(long requestsPerMinute, long tokensPerMinute) {
    GatewayConfig.Limits l = new GatewayConfig.Limits();
    l.tiers.put("default", Tier.of(LimitSet.of(requestsPerMinute, tokensPerMinute, 0), LimitSet.of(0, 0, 0)));
    l.backend = "postgresql";
    return l;
  }

  static Call call(String account, String key, Instant at) {
    Call c = new Call(null, null, Endpoint.CHAT_COMPLETIONS, "/v1/chat/completions", System.nanoTime(), "ex");
    c.account = new Account(account, null, Map.of(), AccountStatus.ACTIVE, T0);
    c.key = new ApiKey(key, account, new byte[32], T0, null);
    c.accountStatus = AccountStatus.ACTIVE;
    c.eventTime = at;
    return c;
  }

  /** Admits and finishes one call charging {@code tokens}; returns whether it was admitted. */
  static boolean once(Limiter l, String account, Instant at, int tokens) {
    Call c = call(account, "key-" + System.identityHashCode(l), at);
    if (l.acquire(c) != null) {
      return false;
    }
    c.promptTokens = tokens;
    c.finish(Outcome.OK, 200, null, () -> {});
    return true;
  }

  private static LimitSync sync(Limiter l, JdbcStore store, String node) {
    return new LimitSync(l, store.rateUsage(), node, SYNC, Clock.systemUTC());
  }

  @Test
  void twoNodesUnderSustainedLoadAdmitWhatOneBucketWouldPlusTheDocumentedBound() {
    Limiter a = new Limiter(limits(RATE, 0));
    Limiter b = new Limiter(limits(RATE, 0));
    LimitSync syncA = sync(a, storeA, "node-a");
    LimitSync syncB = sync(b, storeB, "node-b");
    long seconds = 300;
    int admitted = 0;
    int admittedAfterFirstMinutes = 0;
    // Each node is offered ten requests a second for five minutes, ten times the limit; both sync every 500 ms.
    for (long ms = 0; ms < seconds * 1000; ms += 100) {
      Instant at = T0.plusMillis(ms);
      for (Limiter l : new Limiter[] {a, b}) {
        if (once(l, "acct", at, 0)) {
          admitted++;
          if (ms >= 120_000) {
            admittedAfterFirstMinutes++;
          }
        }
      }
      if (ms % SYNC.toMillis() == 0) {
        assertThat(syncA.syncNow()).isTrue();
        assertThat(syncB.syncNow()).isTrue();
      }
    }
    double perSecond = RATE / 60.0;
    // One bucket: its burst plus the refill. docs/scale.md: the cluster admits at most that plus
    // (N-1) * (C + r * 2S): what another node may admit before this one reads it (a whole burst when all are full).
    long oneBucket = RATE + Math.round(perSecond * seconds);
    long bound = Math.round((NODES - 1) * (RATE + perSecond * 2 * SYNC.toMillis() / 1000.0));
    assertThat(admitted).isLessThanOrEqualTo((int) (oneBucket + bound));
    // Without the sync each node would admit a whole bucket's worth: twice as much.
    assertThat(admitted).isLessThan((int) (NODES * oneBucket) - 100);
    // Once the bursts are spent, the cluster holds the rate within (N-1) * r * 2S per interval of reading lag.
    long steady = Math.round(perSecond * (seconds - 120)) + Math.round((NODES - 1) * perSecond * 2 * 0.5) + 1;
    assertThat(admittedAfterFirstMinutes).isLessThanOrEqualTo((int) steady);
    // ...and does not starve it either.
    assertThat(admittedAfterFirstMinutes).isGreaterThanOrEqualTo((int) (perSecond * (seconds - 120) * 0.9));
    assertThat(syncA.failures() + syncB.failures()).isZero();
    assertThat(syncA.liveNodes()).isEqualTo(2);
  }

  @Test
  void tokensAdmittedOnOneNodeCountOnTheOther() {
    Limiter a = new Limiter(limits(0, 6_000));
    Limiter b = new Limiter(limits(0, 6_000));
    LimitSync syncA = sync(a, storeA, "node-a");
    LimitSync syncB = sync(b, storeB, "node-b");
    assertThat(once(b, "acct", T0, 1)).isTrue();
    assertThat(syncB.syncNow()).isTrue();
    assertThat(once(a, "acct", T0, 5_999)).isTrue();
    assertThat(syncA.syncNow()).isTrue();
    assertThat(syncB.syncNow()).isTrue();
    // Each node spent its own share and learnt of the other's: the minute's 6,000 are gone on both.
    assertThat(once(b, "acct", T0, 10)).isFalse();
    assertThat(once(a, "acct", T0, 10)).isFalse();
    // A refill of 6,000 a minute: 100 a second.
    assertThat(once(b, "acct", T0.plusSeconds(3), 10)).isTrue();
  }

  @Test
  void aNodeCutOffFromTheStoreKeepsItsLocalLimitsCountsTheFailuresAndResyncsAfter() {
    String role = "dg_node_a_" + ProcessHandle.current().pid();
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.shared();
    pg.admin("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD 'node-a-secret'");
    JdbcStore cutOff = JdbcStore.openPostgres(new JdbcStore.PostgresSettings(db.url(), role, "node-a-secret", 2,
        Duration.ofSeconds(1), "node-a"));
    try {
      Limiter a = new Limiter(limits(RATE, 0));
      Limiter b = new Limiter(limits(RATE, 0));
      LimitSync syncA = sync(a, cutOff, "node-a");
      LimitSync syncB = sync(b, storeB, "node-b");
      assertThat(syncA.syncNow()).isTrue();
      assertThat(syncB.syncNow()).isTrue();

      pg.admin("ALTER ROLE " + role + " NOLOGIN");
      pg.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");

      // Node a goes on enforcing its own bucket: a burst of 60, then refusals (fail-open to local limits only).
      int admittedA = 0;
      for (int i = 0; i < 80; i++) {
        admittedA += once(a, "acct", T0, 0) ? 1 : 0;
      }
      assertThat(admittedA).isEqualTo(RATE);
      assertThat(syncA.syncNow()).isFalse();
      assertThat(syncA.syncNow()).isFalse();
      assertThat(syncA.failures()).isGreaterThanOrEqualTo(2);
      assertThat(syncA.healthy()).isFalse();
      // Node b cannot know: its bucket is full (the documented worst case of an outage: a bucket per cut-off node).
      int admittedB = 0;
      for (int i = 0; i < 80; i++) {
        admittedB += once(b, "acct", T0, 0) ? 1 : 0;
      }
      assertThat(admittedB).isEqualTo(RATE);
      assertThat(syncB.syncNow()).isTrue();

      pg.admin("ALTER ROLE " + role + " LOGIN");
      // The pool reconnects on its own schedule: the first syncs may still fail.
      assertThat(Await.until(syncA::syncNow, Duration.ofSeconds(30), 50)).as("a sync after the outage").isTrue();
      assertThat(syncA.healthy()).isTrue();
      assertThat(syncB.syncNow()).isTrue();
      // Each has now taken the other's 60 out of its bucket: 30 s of refill leaves both in debt.
      assertThat(once(a, "acct", T0.plusSeconds(30), 0)).isFalse();
      assertThat(once(b, "acct", T0.plusSeconds(30), 0)).isFalse();
      // Two minutes after the burst of 120, each node has refilled 120 and is admitting again.
      assertThat(once(a, "acct", T0.plusSeconds(121), 0)).isTrue();
    } finally {
      cutOff.close();
      pg.admin("DROP ROLE IF EXISTS " + role);
    }
  }

  @Test
  void aStartedSyncRunsOnItsOwnThreadAndSendsWhatIsLeftWhenClosed() {
    Limiter a = new Limiter(limits(RATE, 0));
    Limiter b = new Limiter(limits(RATE, 0));
    LimitSync syncB = sync(b, storeB, "node-b");
    assertThat(once(b, "acct", T0, 0)).isTrue();
    syncB.syncNow();
    LimitSync syncA = new LimitSync(a, storeA.rateUsage(), "node-a", Duration.ofMillis(50), Clock.systemUTC())
        .start();
    for (int i = 0; i < 10; i++) {
      assertThat(once(a, "acct", T0, 0)).isTrue();
    }
    syncA.close();
    assertThat(syncA.syncs()).isPositive();
    syncB.syncNow();
    // b learnt of a's 10 (and a of b's 1): 60 - 1 - 10 left on b.
    int admittedB = 0;
    for (int i = 0; i < 60; i++) {
      admittedB += once(b, "acct", T0, 0) ? 1 : 0;
    }
    assertThat(admittedB).isEqualTo(49);
  }
}
