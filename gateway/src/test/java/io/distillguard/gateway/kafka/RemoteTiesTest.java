package io.distillguard.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.linkage.LinkageService;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.linkage.ClusterTies;
import io.distillguard.linkage.TiesSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway node in remote mode checks a new account's first request against the cluster-ties snapshot from the
 * ties topic, as a node with its own linkage does: the snapshot here is the one a real node's linkage built from a
 * hydra's traffic through the real gateway (the detection job sends the same bytes for the same traffic, as the Flink
 * equivalence test shows), published to a real in-process broker, and read by a remote node started afterwards.
 */
class RemoteTiesTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final Instant T0 = Instant.parse("2026-02-02T00:00:00Z");
  private static final String TEMPLATE = "Complete the following task as well as you can.\n\n";
  private static final String[] SUBNETS = {"185.12.7.", "185.44.90.", "91.3.15.", "46.201.8."};
  private static final String[] WORDS = "river mountain cloud engine garden harbor violin planet window market silver"
      .split(" ");
  private static final String POPULAR = "OpenAI/Python 1.54.4";
  private static EmbeddedKafka kafka;

  private final Random r = new Random(5);
  private int task;

  @TempDir
  Path dir;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.startNew();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static AccountKey account(GatewayFixture gw, String card, String signupIp, String domain) {
    return gw.newSignup(card, signupIp, domain);
  }

  /** A request with the campaign's client. */
  private static GatewayFixture.Resp send(GatewayFixture gw, AccountKey k, Instant at, String ip, String prompt) {
    return send(gw, k, at, ip, "python-httpx/0.27.2", prompt);
  }

  private static GatewayFixture.Resp send(GatewayFixture gw, AccountKey k, Instant at, String ip, String agent,
      String prompt) {
    return gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(prompt, false), k.key(),
        "X-DistillGuard-Event-Time", at.toString(), "X-Forwarded-For", ip, "User-Agent", agent);
  }

  private String words(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  /** The ties a node's own linkage builds once a hydra's traffic has gone through it and its cluster is blocked. */
  private TiesSnapshot hydraTies() {
    try (GatewayFixture gw = GatewayFixture.builder(dir.resolve("local")).config(c -> {
      c.replay = true;
      c.detection.expensive.enabled = false;
      c.linkage.interval = Duration.ofHours(1); // recomputed below
      for (var tier : c.limits.tiers.values()) {
        tier.account.requestsPerMinute = 0;
        tier.key.requestsPerMinute = 0;
        tier.account.tokensPerMinute = 0;
        tier.key.tokensPerMinute = 0;
      }
    }).start()) {
      for (int i = 0; i < 24; i++) {
        AccountKey k = account(gw, i % 3 == 0 ? "card_shared" : "card_h" + i, SUBNETS[i % 4] + 9, "mailq1x.xyz");
        for (int q = 0; q < 3; q++) {
          Instant at = T0.plusSeconds((long) (q * 12 + i % 12 + 1) * 900 + r.nextInt(3));
          send(gw, k, at, SUBNETS[r.nextInt(4)] + (1 + r.nextInt(254)), TEMPLATE + "Task " + (task++) + ": "
              + words(8));
        }
      }
      LinkageService l = gw.gateway.linkage();
      assertThat(gw.gateway.detection().drain(Duration.ofSeconds(20))).isTrue();
      assertThat(l.drain(Duration.ofSeconds(20))).isTrue();
      l.recomputeNow().join();
      assertThat(l.clusters()).as("the hydra is one blocked cluster").anyMatch(c -> c.level() == RiskLevel.BLOCK
          && c.size() >= 23);
      ClusterTies ties = l.ties();
      assertThat(ties.size()).isPositive();
      return new TiesSnapshot(T0.plus(Duration.ofHours(10)).toEpochMilli(), ties);
    }
  }

  private static void publish(String topic, byte[] value) throws Exception {
    try (VerdictPublisher p = new VerdictPublisher(kafka.bootstrapServers(), topic, Map.of())) {
      p.sendRaw("cluster-ties", value).get(30, TimeUnit.SECONDS);
    }
  }

  private static GatewayFixture remoteNode(Path dir, String verdicts, String ties) {
    return GatewayFixture.builder(dir).config(c -> {
      c.kafka.bootstrapServers = kafka.bootstrapServers();
      c.kafka.verdictsTopic = verdicts;
      c.kafka.tiesTopic = ties;
      c.detection.mode = "remote";
    }).start();
  }

  @Test
  void aRemoteNodeRefusesABlockedClustersNewAccountOnItsFirstRequest() throws Exception {
    String verdicts = "ties-verdicts-1";
    String ties = "ties-1";
    kafka.createCompactedTopic(verdicts, 2);
    kafka.createCompactedTopic(ties, 1);
    TiesSnapshot snapshot = hydraTies();
    publish(ties, snapshot.encode());
    Instant tick = T0.plus(Duration.ofDays(1)).plusSeconds(901);

    try (GatewayFixture node = remoteNode(dir.resolve("remote"), verdicts, ties)) {
      assertThat(node.gateway.linkage()).as("remote mode: no linkage of its own").isNull();
      TiesFeed feed = node.gateway.kafka().ties();
      assertThat(feed.caughtUp()).as("read before serving").isTrue();
      assertThat(feed.ties().size()).isEqualTo(snapshot.ties().size());

      // A fresh card, a home address at sign-up, a popular client: nothing but its first request (the campaign's
      // subnet and template) ties it to the blocked cluster.
      AccountKey newcomer = account(node, "card_new", "99.1.2.3", "gmail.com");
      GatewayFixture.Resp first = send(node, newcomer, tick, "185.44.90.77", POPULAR,
          TEMPLATE + "Task 99999: " + words(8));
      assertThat(first.status()).as(first.body()).isEqualTo(403);
      assertThat(first.json().path("error").path("code").asText()).isEqualTo("account_blocked");
      assertThat(feed.tiedOnRequestCount()).isEqualTo(1);
      // The same template from a home address, and ordinary traffic from the campaign's subnet, are served.
      AccountKey stranger = account(node, null, "99.7.7.7", "gmail.com");
      assertThat(send(node, stranger, tick, "99.7.7.7", POPULAR, TEMPLATE + "Task 1: " + words(8)).status())
          .isEqualTo(200);
      AccountKey neighbour = account(node, null, "99.7.7.8", "gmail.com");
      assertThat(send(node, neighbour, tick, "185.44.90.78", POPULAR, "How do I " + words(5) + "?").status())
          .isEqualTo(200);
      // Hostile client addresses and agents reach the check as they are: it ties nothing and fails nothing.
      AccountKey odd = account(node, null, "99.8.8.8", "gmail.com");
      for (String xff : new String[] {"not-an-ip", "185.44.90", "999.44.90.77", "185.44.90.77, <x>"}) {
        assertThat(send(node, odd, tick, xff, "<script>alert(1)</script>", TEMPLATE + "Task 2: " + words(8)).status())
            .as(xff).isIn(200, 400);
      }
      // An account the job's linkage already placed in a cluster is left to that cluster's verdicts.
      AccountKey placed = account(node, "card_new2", "99.1.2.4", "gmail.com");
      feed.onVerdict(new io.distillguard.core.wire.VerdictEvent(placed.accountId(), "cl_other",
          io.distillguard.core.AccountStatus.ACTIVE, RiskLevel.NONE, 0.1, 3, List.of(), tick,
          io.distillguard.core.wire.VerdictEvent.Source.LINKAGE, 1, null));
      assertThat(send(node, placed, tick, "185.44.90.79", POPULAR, TEMPLATE + "Task 3: " + words(8)).status())
          .isEqualTo(200);

      JsonNode health = node.admin("GET", "/admin/v1/health", null).json();
      assertThat(health.at("/kafka/ties_feed/caught_up").asBoolean()).isTrue();
      assertThat(health.at("/kafka/ties_feed/tying_keys").asInt()).isEqualTo(snapshot.ties().size());
      assertThat(health.at("/kafka/ties_feed/built_at").asText()).isEqualTo(T0.plus(Duration.ofHours(10)).toString());
      assertThat(node.metricsText()).contains("distillguard_linkage_tied_total 1.0")
          .contains("distillguard_kafka_ties_applied_total 1.0");

      // Records that are not snapshots are counted and skipped; the node keeps the snapshot it had.
      publish(ties, "{\"not\": \"a snapshot\", \"x\": \"<script>\"}".getBytes(StandardCharsets.UTF_8));
      byte[] otherFormat = snapshot.encode();
      java.nio.ByteBuffer.wrap(otherFormat).putInt(4, TiesSnapshot.FORMAT + 1);
      publish(ties, otherFormat);
      GatewayFixture.await("malformed records skipped", AWAIT, () -> feed.malformed() == 2);
      AccountKey second = account(node, "card_new3", "99.1.2.5", "gmail.com");
      assertThat(send(node, second, tick, "185.12.7.200", POPULAR, TEMPLATE + "Task 99998: " + words(8)).status())
          .isEqualTo(403);
      assertThat(node.metricsText()).contains("distillguard_kafka_ties_malformed_total 2.0");

      // The cluster no longer acted on (an analyst cleared it): the job sends an empty snapshot; nothing ties.
      publish(ties, new TiesSnapshot(T0.plus(Duration.ofHours(11)).toEpochMilli(), ClusterTies.EMPTY).encode());
      GatewayFixture.await("empty snapshot applied", AWAIT, () -> feed.ties().size() == 0);
      AccountKey third = account(node, "card_new4", "99.1.2.6", "gmail.com");
      assertThat(send(node, third, tick, "185.12.7.201", POPULAR, TEMPLATE + "Task 99997: " + words(8)).status())
          .isEqualTo(200);
    }
  }

  @Test
  void aMissingTiesTopicLeavesTheNodeServingAndSaysSo() {
    String verdicts = "ties-verdicts-2";
    kafka.createCompactedTopic(verdicts, 1);
    try (GatewayFixture node = GatewayFixture.builder(dir.resolve("missing")).config(c -> {
      c.kafka.bootstrapServers = kafka.bootstrapServers();
      c.kafka.verdictsTopic = verdicts;
      c.kafka.tiesTopic = "ties-never-created";
      c.kafka.verdictsStartupWait = Duration.ofSeconds(1);
      c.detection.mode = "remote";
    }).start()) {
      AccountKey k = node.newAccountWithKey();
      assertThat(node.chat(k.key(), "hello").status()).isEqualTo(200);
      JsonNode health = node.admin("GET", "/admin/v1/health", null).json();
      assertThat(health.get("status").asText()).isEqualTo("degraded");
      assertThat(health.at("/kafka/ties_feed/caught_up").asBoolean()).isFalse();
      assertThat(health.at("/kafka/ties_feed/last_error").asText()).contains("ties-never-created");
    }
    // and with the check turned off there is no feed at all
    try (GatewayFixture node = GatewayFixture.builder(dir.resolve("off")).config(c -> {
      c.kafka.bootstrapServers = kafka.bootstrapServers();
      c.kafka.verdictsTopic = verdicts;
      c.kafka.tiesTopic = "none";
      c.detection.mode = "remote";
    }).start()) {
      assertThat(node.gateway.kafka().ties()).isNull();
      assertThat(node.admin("GET", "/admin/v1/health", null).json().get("status").asText()).isEqualTo("ok");
    }
  }
}
