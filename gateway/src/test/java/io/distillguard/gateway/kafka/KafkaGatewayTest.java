package io.distillguard.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway nodes with a real in-process Kafka broker: exchanges through the real HTTP path arrive once in the topic,
 * a broker outage costs no request and no exchange, and verdicts published to the compacted topic are enforced by
 * every node, including one started later.
 */
class KafkaGatewayTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static EmbeddedKafka kafka;

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

  private static Consumer<io.distillguard.gateway.config.GatewayConfig> kafkaConfig(String exchanges,
      String verdicts, boolean publish, boolean remote) {
    return c -> {
      c.kafka.bootstrapServers = kafka.bootstrapServers();
      c.kafka.exchangesTopic = exchanges;
      c.kafka.verdictsTopic = verdicts;
      // give up on an unreachable broker within seconds, so the outage test sees the spill path quickly
      c.kafka.deliveryTimeout = Duration.ofSeconds(3);
      c.kafka.requestTimeout = Duration.ofSeconds(1);
      if (publish) {
        c.exchangeLog.sink = "kafka";
      }
      if (remote) {
        c.detection.mode = "remote";
        c.kafka.tiesTopic = "none"; // RemoteTiesTest reads one
      }
    };
  }

  /** Exchange id to how often it is in the topic; checks keys, decoding and the schema on the way. */
  private static Map<String, Integer> exchangesIn(String topic, int expected, Map<String, String> accountOfId) {
    return exchangesIn(topic, expected, accountOfId, new HashMap<>());
  }

  /** As above; also each account's tier as its exchanges carry it (one per account: checked). */
  private static Map<String, Integer> exchangesIn(String topic, int expected, Map<String, String> accountOfId,
      Map<String, String> tierOfAccount) {
    Map<String, Integer> counts = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : Topics.readAll(kafka, topic, expected, AWAIT)) {
      Exchange e = ExchangeCodec.decode(r.value());
      assertThat(Topics.key(r)).isEqualTo(e.accountId());
      assertThat(Topics.exchangeSchemaProblems(r.value())).as("schema problems of %s", e.id()).isEmpty();
      counts.merge(e.id(), 1, Integer::sum);
      accountOfId.put(e.id(), e.accountId());
      String before = tierOfAccount.put(String.valueOf(e.accountId()), String.valueOf(e.accountTier()));
      assertThat(before == null || before.equals(String.valueOf(e.accountTier()))).as("one tier per account")
          .isTrue();
    }
    return counts;
  }

  @Test
  void everyExchangeThroughTheGatewayArrivesOnceKeyedByAccount() {
    String topic = "gw-exchanges-1";
    kafka.createTopic(topic, 3, Map.of());
    try (GatewayFixture fx = GatewayFixture.builder(dir).config(kafkaConfig(topic, "unused", true, false))
        .start()) {
      assertThat(fx.gateway.exchangeLog()).as("sink kafka: no journal and store log").isNull();
      KafkaExchangeSink sink = fx.gateway.kafka().sink();
      GatewayFixture.await("sink publishing", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
      List<AccountKey> keys = List.of(fx.newAccountWithKey(), fx.newAccountWithKey("free"), fx.newAccountWithKey());
      Map<String, Integer> perAccount = new HashMap<>();
      for (int i = 0; i < 45; i++) {
        AccountKey k = keys.get(i % 3);
        assertThat(fx.chat(k.key(), "question " + i + " — ünïcödé \"quoted\"").status()).isEqualTo(200);
        perAccount.merge(k.accountId(), 1, Integer::sum);
      }
      assertThat(fx.chat("sk-not-a-key", "who am I").status()).isEqualTo(401);
      assertThat(sink.flush(AWAIT)).isTrue();
      Map<String, String> accountOfId = new HashMap<>();
      Map<String, String> tierOfAccount = new HashMap<>();
      Map<String, Integer> counts = exchangesIn(topic, 46, accountOfId, tierOfAccount);
      // the tier the job's detection holds each account to, as this node's own detection would
      assertThat(tierOfAccount).containsEntry(keys.get(0).accountId(), "default")
          .containsEntry(keys.get(1).accountId(), "free").containsEntry("null", "null");
      assertThat(counts).hasSize(46).allSatisfy((id, n) -> assertThat(n).as("copies of %s", id).isOne());
      Map<String, Integer> seenPerAccount = new HashMap<>();
      accountOfId.values().forEach(a -> seenPerAccount.merge(String.valueOf(a), 1, Integer::sum));
      perAccount.forEach((a, n) -> assertThat(seenPerAccount.get(a)).as("exchanges of %s", a).isEqualTo(n));
      assertThat(seenPerAccount.get("null")).as("the unauthenticated exchange, without a key").isEqualTo(1);

      JsonNode health = fx.admin("GET", "/admin/v1/health", null).json();
      assertThat(health.get("status").asText()).isEqualTo("ok");
      assertThat(health.at("/kafka/exchange_sink/state").asText()).isEqualTo("publishing");
      assertThat(health.at("/kafka/exchange_sink/published").asLong()).isEqualTo(46);
      assertThat(fx.metricsText()).contains("distillguard_kafka_exchanges_published_total 46.0")
          .contains("distillguard_kafka_spill_backlog 0.0");
    }
  }

  @Test
  void aBrokerOutageCostsNoRequestAndNoExchange() throws Exception {
    String topic = "gw-exchanges-2";
    kafka.createTopic(topic, 3, Map.of());
    try (GatewayFixture fx = GatewayFixture.builder(dir).config(kafkaConfig(topic, "unused", true, false))
        .start()) {
      KafkaExchangeSink sink = fx.gateway.kafka().sink();
      GatewayFixture.await("sink publishing", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
      List<AccountKey> keys = List.of(fx.newAccountWithKey(), fx.newAccountWithKey());
      int sent = 0;
      for (; sent < 40; sent++) {
        assertThat(fx.chat(keys.get(sent % 2).key(), "before " + sent).status()).isEqualTo(200);
      }
      kafka.stop();
      try {
        // requests keep succeeding while Kafka is away, until the sink has given up on it and spills
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (sink.state() != KafkaExchangeSink.State.SPILLING && System.nanoTime() < deadline) {
          assertThat(fx.chat(keys.get(sent % 2).key(), "during " + sent).status()).isEqualTo(200);
          sent++;
          TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(sink.state()).isEqualTo(KafkaExchangeSink.State.SPILLING);
        for (int i = 0; i < 30; i++, sent++) {
          assertThat(fx.chat(keys.get(sent % 2).key(), "spilled " + sent).status()).isEqualTo(200);
        }
        assertThat(sink.spilled()).isPositive();
        assertThat(sink.backlog()).isPositive();
        JsonNode health = fx.admin("GET", "/admin/v1/health", null).json();
        assertThat(health.get("status").asText()).isEqualTo("degraded");
        assertThat(health.at("/kafka/exchange_sink/state").asText()).isEqualTo("spilling");
      } finally {
        kafka.start();
      }
      assertThat(sink.flush(AWAIT)).as("spill replayed once the broker is back").isTrue();
      GatewayFixture.await("publishing again", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
      assertThat(sink.replayed()).isPositive();
      assertThat(sink.dropped()).isZero();
      Map<String, Integer> counts = exchangesIn(topic, sent, new HashMap<>());
      assertThat(counts).as("every exchange id").hasSize(sent);
      long duplicates = counts.values().stream().filter(n -> n > 1).count();
      // a duplicate is only possible for a send that failed after the broker may have written it; here none
      assertThat(duplicates).isLessThanOrEqualTo(sink.failed());
      // sends that failed were looked up in the topic before being replayed: none went twice
      assertThat(duplicates).as("duplicates").isZero();
      assertThat(fx.admin("GET", "/admin/v1/health", null).json().get("status").asText()).isEqualTo("ok");
    }
  }

  private static VerdictEvent verdict(String account, AccountStatus status, long version) {
    RiskLevel level = switch (status) {
      case ACTIVE -> RiskLevel.NONE;
      case WATCH -> RiskLevel.WATCH;
      case THROTTLED -> RiskLevel.THROTTLE;
      case DEGRADED -> RiskLevel.DEGRADE;
      case BLOCKED -> RiskLevel.BLOCK;
    };
    return new VerdictEvent(account, null, status, level, 0.9, 50, List.of(new Reason("template", 0.9, 0.6, "t")),
        Instant.now(), VerdictEvent.Source.DETECTION, version, null);
  }

  private static void awaitStatus(GatewayFixture fx, AccountKey k, int status) {
    GatewayFixture.await(k.accountId() + " answered " + status, AWAIT,
        () -> fx.chat(k.key(), "hello").status() == status);
  }

  @Test
  void verdictsFromTheTopicAreEnforcedByEveryNodeIncludingALaterOne() throws Exception {
    String verdicts = "gw-verdicts-3";
    kafka.createCompactedTopic(verdicts, 2);
    String blockedId = GatewayFixture.uniqueId("acct");
    String otherId = GatewayFixture.uniqueId("acct");
    try (VerdictPublisher publisher = new VerdictPublisher(kafka.bootstrapServers(), verdicts, Map.of());
        GatewayFixture a = GatewayFixture.builder(dir.resolve("a")).config(kafkaConfig("x", verdicts, false, true))
            .start()) {
      assertThat(a.gateway.detection()).as("remote mode: no local detection").isNull();
      assertThat(a.gateway.linkage()).as("remote mode: no local linkage").isNull();
      VerdictFeed feed = a.gateway.kafka().feed();
      assertThat(feed.caughtUp()).isTrue();
      a.createAccount("{\"id\":\"" + blockedId + "\"}");
      a.createAccount("{\"id\":\"" + otherId + "\"}");
      AccountKey blocked = a.newKey(blockedId);
      AccountKey other = a.newKey(otherId);
      assertThat(a.chat(blocked.key(), "hello").status()).isEqualTo(200);

      publisher.publish(verdict(blockedId, AccountStatus.BLOCKED, 10)).get(30, TimeUnit.SECONDS);
      awaitStatus(a, blocked, 403);
      assertThat(a.chat(other.key(), "hello").status()).isEqualTo(200);

      // an older version never undoes a newer one
      publisher.publish(verdict(blockedId, AccountStatus.ACTIVE, 5)).get(30, TimeUnit.SECONDS);
      GatewayFixture.await("stale verdict seen", AWAIT, () -> feed.stale() == 1);
      assertThat(a.chat(blocked.key(), "hello").status()).isEqualTo(403);

      // records that are not verdicts are counted and skipped; the feed goes on (a compacted topic itself refuses
      // records without a key; the feed would skip one too, as the direct call shows)
      long before = feed.malformed();
      feed.apply(new org.apache.kafka.clients.consumer.ConsumerRecord<>(verdicts, 0, 0L, null, new byte[] {1}));
      assertThat(feed.malformed()).isEqualTo(before + 1);
      byte[] valid = io.distillguard.core.wire.VerdictCodec.encode(verdict(otherId, AccountStatus.BLOCKED, 1));
      publisher.sendRaw(otherId, "not json \u0007 <script>".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
      publisher.sendRaw(otherId, new String(valid, StandardCharsets.UTF_8).replace("\"v\":1", "\"v\":2")
          .getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
      publisher.sendRaw("someone-else", valid).get(30, TimeUnit.SECONDS);
      publisher.sendRaw(otherId, "{\"v\":1,\"accountId\":\"x\"}".getBytes(StandardCharsets.UTF_8))
          .get(30, TimeUnit.SECONDS);
      GatewayFixture.await("malformed records skipped", AWAIT, () -> feed.malformed() == before + 5);
      assertThat(a.chat(other.key(), "hello").status()).isEqualTo(200);
      publisher.publish(verdict(otherId, AccountStatus.THROTTLED, 2)).get(30, TimeUnit.SECONDS);
      GatewayFixture.await("throttled applied", AWAIT, () -> a.gateway.enforcement().statusOf(otherId)
          == AccountStatus.THROTTLED);
      assertThat(a.metricsText()).contains("distillguard_kafka_verdicts_malformed_total 5.0");

      // a node started now reads the compacted topic from the beginning before it serves
      try (GatewayFixture b = GatewayFixture.builder(dir.resolve("b"))
          .config(kafkaConfig("x", verdicts, false, true)).start()) {
        assertThat(b.gateway.kafka().feed().caughtUp()).isTrue();
        b.createAccount("{\"id\":\"" + blockedId + "\"}");
        AccountKey blockedOnB = b.newKey(blockedId);
        assertThat(b.chat(blockedOnB.key(), "hello").status()).isEqualTo(403);
        assertThat(b.gateway.enforcement().statusOf(otherId)).isEqualTo(AccountStatus.THROTTLED);
        assertThat(b.gateway.kafka().feed().malformed()).isEqualTo(4);
        JsonNode health = b.admin("GET", "/admin/v1/health", null).json();
        assertThat(health.at("/kafka/verdict_feed/caught_up").asBoolean()).isTrue();

        // an analyst's decision on one node is published to the topic and enforced by every node
        b.createAccount("{\"id\":\"" + otherId + "\"}");
        AccountKey otherOnB = b.newKey(otherId);
        assertThat(a.setStatus(otherId, "blocked", "confirmed by review").status()).isEqualTo(200);
        awaitStatus(b, otherOnB, 403);
        GatewayFixture.await("node a applied its own override from the topic", AWAIT,
            () -> a.gateway.kafka().feed().versionOf(otherId) > 2);
        assertThat(a.gateway.enforcement().statusOf(otherId)).isEqualTo(AccountStatus.BLOCKED);
        // a tombstone returns the account to active on every node
        publisher.tombstone(blockedId).get(30, TimeUnit.SECONDS);
        awaitStatus(a, blocked, 200);
        awaitStatus(b, blockedOnB, 200);
      }
    }
  }

  private static VerdictEvent fromSource(String account, AccountStatus status, long version,
      VerdictEvent.Source source) {
    VerdictEvent v = verdict(account, status, version);
    return new VerdictEvent(v.accountId(), source == VerdictEvent.Source.LINKAGE ? "cl_hydra" : null, v.status(),
        source == VerdictEvent.Source.ANALYST ? null : v.level(), v.score(), v.evidence(), v.reasons(), v.at(),
        source, v.version(), null);
  }

  /**
   * The job's detection and linkage each version their own verdicts and know only their own level: the node and the
   * store apply the higher of the two, so an account's own later escalation does not lift its cluster's block; an
   * analyst's ruling replaces both, and only verdicts decided after it raise the account again.
   */
  @Test
  void detectionAndLinkageVerdictsCombineAndARulingReplacesBoth() throws Exception {
    String verdicts = "gw-verdicts-4";
    kafka.createCompactedTopic(verdicts, 1);
    String id = GatewayFixture.uniqueId("acct");
    try (VerdictPublisher publisher = new VerdictPublisher(kafka.bootstrapServers(), verdicts, Map.of());
        GatewayFixture a = GatewayFixture.builder(dir.resolve("a")).config(kafkaConfig("x", verdicts, false, true))
            .start()) {
      a.createAccount("{\"id\":\"" + id + "\"}");
      AccountKey k = a.newKey(id);
      VerdictFeed feed = a.gateway.kafka().feed();
      publisher.publish(fromSource(id, AccountStatus.BLOCKED, 100, VerdictEvent.Source.LINKAGE))
          .get(30, TimeUnit.SECONDS);
      awaitStatus(a, k, 403);
      GatewayFixture.await("the linkage block recorded", AWAIT, () -> a.admin("GET", "/admin/v1/accounts/" + id, null)
          .json().path("status").asText().equals("blocked"));
      // detection's own, later escalation to watch (a higher version of its own) lifts nothing
      publisher.publish(fromSource(id, AccountStatus.WATCH, 200, VerdictEvent.Source.DETECTION))
          .get(30, TimeUnit.SECONDS);
      GatewayFixture.await("detection verdict applied", AWAIT, () -> feed.applied() >= 2);
      assertThat(a.gateway.enforcement().statusOf(id)).isEqualTo(AccountStatus.BLOCKED);
      assertThat(a.chat(k.key(), "hello").status()).isEqualTo(403);
      GatewayFixture.await("detection verdict recorded", AWAIT, () -> a.metricsText().contains(
          "distillguard_kafka_verdicts_recorded_total 2.0"));
      assertThat(a.admin("GET", "/admin/v1/accounts/" + id, null).json().path("status").asText())
          .as("the store keeps the block too").isEqualTo("blocked");

      // an analyst clears the account: both levels are replaced
      publisher.publish(fromSource(id, AccountStatus.ACTIVE, 300, VerdictEvent.Source.ANALYST))
          .get(30, TimeUnit.SECONDS);
      awaitStatus(a, k, 200);
      // a detection verdict decided before the ruling, arriving after it, is stale
      long stale = feed.stale();
      publisher.publish(fromSource(id, AccountStatus.BLOCKED, 250, VerdictEvent.Source.DETECTION))
          .get(30, TimeUnit.SECONDS);
      GatewayFixture.await("pre-ruling verdict ignored", AWAIT, () -> feed.stale() == stale + 1);
      assertThat(a.chat(k.key(), "hello").status()).isEqualTo(200);
      // one decided after it raises the account again
      publisher.publish(fromSource(id, AccountStatus.BLOCKED, 400, VerdictEvent.Source.LINKAGE))
          .get(30, TimeUnit.SECONDS);
      awaitStatus(a, k, 403);
      assertThat(feed.versionOf(id)).isEqualTo(400);
    }
  }

  @SuppressWarnings("unused")
  private static Set<String> distinct(List<String> xs) {
    return new HashSet<>(new ArrayList<>(xs));
  }
}
