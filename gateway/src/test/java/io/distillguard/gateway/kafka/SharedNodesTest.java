package io.distillguard.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.store.testing.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway nodes sharing one real PostgreSQL store and one real Kafka broker, as in the scale-out topology: what
 * one node's admin API does reaches the other (a key issued or revoked), and the detection job's verdicts are
 * enforced by both and recorded in the store exactly once.
 */
class SharedNodesTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static EmbeddedKafka kafka;
  private static EmbeddedPostgresServer postgres;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.startNew();
    postgres = EmbeddedPostgresServer.shared();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  private static Consumer<GatewayConfig> node(String database, String verdicts, String name) {
    return c -> {
      c.store.url = postgres.url(database);
      c.store.user = EmbeddedPostgresServer.USER;
      c.store.node = name;
      c.kafka.bootstrapServers = kafka.bootstrapServers();
      c.kafka.verdictsTopic = verdicts;
      c.kafka.tiesTopic = "none"; // RemoteTiesTest reads one
      c.detection.mode = "remote";
    };
  }

  private GatewayFixture start(String database, String verdicts, String name) {
    return GatewayFixture.builder(dir.resolve(name)).config(node(database, verdicts, name))
        .storePassword(EmbeddedPostgresServer.PASSWORD).start();
  }

  @Test
  void aKeyIssuedOnOneNodeWorksOnTheOtherAndItsRevocationReachesIt() {
    String db = postgres.createDatabase();
    String verdicts = GatewayFixture.uniqueId("verdicts");
    kafka.createCompactedTopic(verdicts, 2);
    try (GatewayFixture a = start(db, verdicts, "node-a"); GatewayFixture b = start(db, verdicts, "node-b")) {
      AccountKey k = a.newAccountWithKey();
      assertThat(b.chat(k.key(), "hello from the other node").status())
          .as("a key node b has never seen is found in the shared store").isEqualTo(200);
      assertThat(b.chat(k.key(), "and again").status()).isEqualTo(200);

      String forged = k.key().substring(0, k.key().length() - 4) + "AAAA";
      assertThat(b.chat(forged, "wrong secret").status()).isEqualTo(401);
      String unknown = "sk-dg-" + "nosuchkey_" + "x".repeat(40);
      assertThat(b.chat(unknown, "probe").status()).isEqualTo(401);
      assertThat(b.chat(unknown, "probe again").status()).as("remembered as absent, still refused").isEqualTo(401);

      assertThat(a.admin("DELETE", "/admin/v1/accounts/" + k.accountId() + "/keys/" + k.keyId(), null).status())
          .isIn(200, 204);
      GatewayFixture.await("node b refuses the key revoked on node a", AWAIT,
          () -> b.chat(k.key(), "after revocation").status() == 401);
    }
  }

  @Test
  void theJobsVerdictIsEnforcedOnBothNodesAndRecordedOnce() throws Exception {
    String db = postgres.createDatabase();
    String verdicts = GatewayFixture.uniqueId("verdicts");
    kafka.createCompactedTopic(verdicts, 2);
    try (VerdictPublisher job = new VerdictPublisher(kafka.bootstrapServers(), verdicts, Map.of());
        GatewayFixture a = start(db, verdicts, "node-a"); GatewayFixture b = start(db, verdicts, "node-b")) {
      AccountKey k = a.newAccountWithKey();
      assertThat(b.chat(k.key(), "before").status()).isEqualTo(200);
      Instant at = Instant.now();
      job.publish(new VerdictEvent(k.accountId(), null, AccountStatus.BLOCKED, RiskLevel.BLOCK, 0.97, 240,
          List.of(new Reason("template", 0.9, 2.1, "92% of prompts share one skeleton <script>alert(1)</script>")),
          at, VerdictEvent.Source.DETECTION, VerdictEvent.nextVersion(0, at), null)).get();

      GatewayFixture.await("both nodes refuse the blocked account", AWAIT,
          () -> a.chat(k.key(), "on a").status() == 403 && b.chat(k.key(), "on b").status() == 403);
      GatewayFixture.await("the store has the job's verdict", AWAIT, () -> "blocked".equals(
          a.admin("GET", "/admin/v1/accounts/" + k.accountId(), null).json().path("status").asText()));
      JsonNode alerts = b.admin("GET", "/admin/v1/alerts?account=" + k.accountId(), null).json();
      assertThat(alerts.get("data")).as("alerts: %s", alerts).hasSize(1);
      JsonNode alert = alerts.get("data").get(0);
      assertThat(alert.toString()).contains("block").contains("template");
      // The nodes' recorders share one consumer group: a node joining later takes partitions over at the
      // committed offsets, past the verdict, and does not record it a second time.
      try (GatewayFixture c = start(db, verdicts, "node-c")) {
        GatewayFixture.await("a node started later knows the block from the compacted topic", AWAIT,
            () -> c.chat(k.key(), "on c").status() == 403);
        AccountKey other = c.newAccountWithKey();
        Instant later = Instant.now();
        job.publish(new VerdictEvent(other.accountId(), null, AccountStatus.THROTTLED, RiskLevel.THROTTLE, 0.8, 90,
            List.of(), later, VerdictEvent.Source.DETECTION, VerdictEvent.nextVersion(0, later), null)).get();
        GatewayFixture.await("the next verdict is recorded after the rebalance", AWAIT, () -> "throttled".equals(
            a.admin("GET", "/admin/v1/accounts/" + other.accountId(), null).json().path("status").asText()));
        JsonNode again = c.admin("GET", "/admin/v1/alerts?account=" + k.accountId(), null).json();
        assertThat(again.get("data")).as("alerts after a node joined: %s", again).hasSize(1);
      }
    }
  }
}
