package io.distillguard.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.gateway.testing.GatewayFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka exchange sink against a real in-process broker: every exchange arrives once, keyed by account and
 * readable; a broker that is away, stopped mid-stream or refusing a record never costs an exchange.
 */
class KafkaExchangeSinkTest {
  private static final String TOPIC = "exchanges";
  private static final Duration AWAIT = Duration.ofSeconds(60);

  private static Exchange exchange(int i, String account, String response) {
    List<ChatMessage> msgs = List.of(new ChatMessage("user", "question " + i + " \"quoted\" ünïcödé \u2028"));
    return new Exchange("ex-" + i, Instant.parse("2026-11-22T10:00:00Z").plusMillis(i), account,
        account == null ? null : "key-" + account, "203.0.113." + (i % 200), "ua", "fp", "/v1/chat/completions",
        "m", null, false, msgs, response, Exchange.promptDigest(msgs), Exchange.promptLength(msgs),
        Exchange.textDigest(response), response.length(), 10, 20, account == null ? 401 : 200,
        account == null ? Outcome.REJECTED : Outcome.OK, null, 100, 50, 10);
  }

  private static String accountOf(int i) {
    return i % 17 == 0 ? null : "acct-" + (i % 7);
  }

  private static KafkaExchangeSink.Options options(EmbeddedKafka kafka, Path spill) {
    return KafkaExchangeSink.Options.defaults(kafka.bootstrapServers(), TOPIC, spill);
  }

  /** Options that give up on an unreachable broker within seconds, so tests see the spill path quickly. */
  private static KafkaExchangeSink.Options impatient(EmbeddedKafka kafka, Path spill) {
    return options(kafka, spill).withDeliveryTimeout(Duration.ofSeconds(3), Duration.ofSeconds(1));
  }

  /** Exchange ids in the topic and how often each appears; checks keys, decoding and the schema on the way. */
  private static Map<String, Integer> idsInTopic(EmbeddedKafka kafka, int expected) {
    List<ConsumerRecord<byte[], byte[]>> records = Topics.readAll(kafka, TOPIC, expected, AWAIT);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Exchange e = ExchangeCodec.decode(r.value());
      assertThat(Topics.key(r)).as("key of %s", e.id()).isEqualTo(e.accountId());
      assertThat(Topics.exchangeSchemaProblems(r.value())).as("schema problems of %s", e.id()).isEmpty();
      counts.merge(e.id(), 1, Integer::sum);
    }
    return counts;
  }

  private static List<String> ids(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("ex-" + i);
    }
    return out;
  }

  @Test
  void everyExchangeArrivesOnceKeyedByAccountInOrder(@TempDir Path dir) {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).build().start()) {
      kafka.createTopic(TOPIC, 3, Map.of());
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (KafkaExchangeSink sink = new KafkaExchangeSink(options(kafka, dir.resolve("spill")))
          .bindMetrics(registry)) {
        GatewayFixture.await("sink publishing", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
        for (int i = 0; i < 400; i++) {
          sink.accept(exchange(i, accountOf(i), "answer " + i));
        }
        assertThat(sink.flush(AWAIT)).isTrue();
        assertThat(sink.published()).isEqualTo(400);
        assertThat(sink.spilled() + sink.failed() + sink.dropped() + sink.rejected()).isZero();
        assertThat(registry.get("distillguard.kafka.exchanges.published").functionCounter().count()).isEqualTo(400);
        assertThat(registry.get("distillguard.kafka.spill.backlog").gauge().value()).isZero();
      }
      List<ConsumerRecord<byte[], byte[]>> records = Topics.readAll(kafka, TOPIC, 400, AWAIT);
      assertThat(idsInTopic(kafka, 400)).containsOnlyKeys(ids(0, 400)).allSatisfy((id, n) -> assertThat(n).isOne());
      // one account's exchanges reach one partition in the order they were recorded
      Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = records.stream().filter(r -> r.key() != null)
          .collect(Collectors.groupingBy(Topics::key));
      byKey.forEach((k, rs) -> {
        assertThat(rs.stream().map(ConsumerRecord::partition).distinct()).hasSize(1);
        List<Integer> seq = rs.stream().map(r -> Integer.parseInt(ExchangeCodec.decode(r.value()).id().substring(3)))
            .toList();
        assertThat(seq).isSorted();
      });
    }
  }

  @Test
  void aBrokerThatIsAwayGetsTheSpillWhenItComes(@TempDir Path dir) {
    EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).build(); // not started yet
    try (KafkaExchangeSink sink = new KafkaExchangeSink(impatient(kafka, dir.resolve("spill")))) {
      for (int i = 0; i < 200; i++) {
        sink.accept(exchange(i, accountOf(i), "answer " + i));
      }
      assertThat(sink.state()).isEqualTo(KafkaExchangeSink.State.SPILLING);
      assertThat(sink.backlog()).isEqualTo(200);
      assertThat(sink.spilled()).isEqualTo(200);
      kafka.start();
      kafka.createTopic(TOPIC, 3, Map.of());
      assertThat(sink.flush(AWAIT)).as("spill replayed").isTrue();
      GatewayFixture.await("publishing again", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
      for (int i = 200; i < 250; i++) {
        sink.accept(exchange(i, accountOf(i), "answer " + i));
      }
      assertThat(sink.flush(AWAIT)).isTrue();
      assertThat(sink.replayed()).isEqualTo(200);
      assertThat(sink.published()).isEqualTo(50);
      assertThat(sink.dropped()).isZero();
      assertThat(idsInTopic(kafka, 250)).containsOnlyKeys(ids(0, 250)).allSatisfy((id, n) -> assertThat(n).isOne());
    } finally {
      kafka.close();
    }
  }

  @Test
  void aSpillLeftOnDiskIsReplayedByTheNextSinkAndNotAgainByTheOneAfter(@TempDir Path dir) throws Exception {
    Path spill = dir.resolve("spill");
    EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).build();
    try {
      KafkaExchangeSink first = new KafkaExchangeSink(impatient(kafka, spill));
      for (int i = 0; i < 120; i++) {
        first.accept(exchange(i, accountOf(i), "answer " + i));
      }
      first.close(Duration.ofMillis(200)); // Kafka is away: everything stays in the spill
      assertThat(first.backlog()).isEqualTo(120);
      try (var files = Files.list(spill)) {
        assertThat(files.filter(p -> p.getFileName().toString().startsWith("journal-"))).isNotEmpty();
      }

      kafka.start();
      kafka.createTopic(TOPIC, 2, Map.of());
      try (KafkaExchangeSink second = new KafkaExchangeSink(impatient(kafka, spill))) {
        assertThat(second.flush(AWAIT)).as("the spill on disk replayed").isTrue();
        assertThat(second.replayed()).isEqualTo(120);
        second.accept(exchange(120, "acct-x", "after the restart"));
        assertThat(second.flush(AWAIT)).isTrue();
      }
      try (KafkaExchangeSink third = new KafkaExchangeSink(impatient(kafka, spill))) {
        GatewayFixture.await("third publishing", AWAIT, () -> third.state() == KafkaExchangeSink.State.PUBLISHING);
        assertThat(third.replayed()).as("acknowledged records are not sent again").isZero();
        assertThat(third.backlog()).isZero();
      }
      assertThat(idsInTopic(kafka, 121)).containsOnlyKeys(ids(0, 121)).allSatisfy((id, n) -> assertThat(n).isOne());
    } finally {
      kafka.close();
    }
  }

  @Test
  void recordsAcknowledgedAfterTheLastCheckpointAreFoundNotResentAfterACrash(@TempDir Path dir) throws Exception {
    Path spill = dir.resolve("spill");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).build().start()) {
      kafka.createTopic(TOPIC, 3, Map.of());
      Path checkpoint = spill.resolve("published.checkpoint");
      String early;
      try (KafkaExchangeSink sink = new KafkaExchangeSink(options(kafka, spill))) {
        for (int i = 0; i < 30; i++) {
          sink.accept(exchange(i, accountOf(i), "answer " + i));
        }
        assertThat(sink.flush(AWAIT)).isTrue();
        GatewayFixture.await("checkpoint written", AWAIT,
            () -> Files.exists(checkpoint) && read(checkpoint).startsWith("30\n"));
        early = read(checkpoint);
        for (int i = 30; i < 130; i++) {
          sink.accept(exchange(i, accountOf(i), "answer " + i));
        }
        assertThat(sink.flush(AWAIT)).isTrue();
      }
      // as if the process had died before it could write the checkpoint for the last 100
      Files.writeString(checkpoint, early);
      try (KafkaExchangeSink next = new KafkaExchangeSink(options(kafka, spill))) {
        GatewayFixture.await("publishing", AWAIT, () -> next.state() == KafkaExchangeSink.State.PUBLISHING);
        assertThat(next.foundInTopic()).isEqualTo(100);
        assertThat(next.replayed()).isZero();
        assertThat(next.backlog()).isZero();
      }
      assertThat(idsInTopic(kafka, 130)).containsOnlyKeys(ids(0, 130)).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aBrokerStoppedMidStreamLosesNothing(@TempDir Path dir) {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).build().start()) {
      kafka.createTopic(TOPIC, 3, Map.of());
      try (KafkaExchangeSink sink = new KafkaExchangeSink(impatient(kafka, dir.resolve("spill")))) {
        GatewayFixture.await("sink publishing", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
        int n = 0;
        for (; n < 300; n++) {
          sink.accept(exchange(n, accountOf(n), "answer " + n));
        }
        kafka.stop();
        // the event loop's calls return at once whatever the broker does; records pile up in the spill
        long t0 = System.nanoTime();
        for (; n < 600; n++) {
          sink.accept(exchange(n, accountOf(n), "answer " + n));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        GatewayFixture.await("sink spilling", AWAIT, () -> sink.state() == KafkaExchangeSink.State.SPILLING);
        for (; n < 800; n++) {
          sink.accept(exchange(n, accountOf(n), "answer " + n));
        }
        assertThat(sink.spilled()).isPositive();
        assertThat(sink.backlog()).isPositive();
        kafka.start();
        assertThat(sink.flush(AWAIT)).as("spill replayed after the broker came back").isTrue();
        GatewayFixture.await("publishing again", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
        assertThat(sink.dropped()).isZero();
        Map<String, Integer> counts = idsInTopic(kafka, 800);
        assertThat(counts).containsOnlyKeys(ids(0, 800));
        // a duplicate is only possible for a send that failed (its acknowledgement may have been lost); here none
        long duplicates = counts.values().stream().filter(c -> c > 1).count();
        assertThat(duplicates).isLessThanOrEqualTo(sink.failed());
        // sends that failed were looked up in the topic before being replayed: none went twice
        assertThat(duplicates).as("duplicates").isZero();
      }
    }
  }

  @Test
  void aRecordKafkaRefusesForGoodIsSetAsideAndTheRestFlows(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).build().start()) {
      kafka.createTopic(TOPIC, 1, Map.of());
      KafkaExchangeSink.Options o = options(kafka, dir.resolve("spill"));
      o = new KafkaExchangeSink.Options(o.bootstrapServers(), o.topic(), o.spillDir(), false, "none",
          o.bufferBytes(), o.maxBlock(), o.deliveryTimeout(), o.requestTimeout(), o.linger(), o.segmentBytes(),
          false, Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "20000"));
      try (KafkaExchangeSink sink = new KafkaExchangeSink(o)) {
        GatewayFixture.await("sink publishing", AWAIT, () -> sink.state() == KafkaExchangeSink.State.PUBLISHING);
        sink.accept(exchange(0, "acct-a", "small"));
        sink.accept(exchange(1, "acct-a", "x".repeat(50_000)));
        sink.accept(exchange(2, "acct-a", "small again"));
        assertThat(sink.flush(AWAIT)).isTrue();
        assertThat(sink.rejected()).isEqualTo(1);
        assertThat(sink.dropped()).isZero();
        assertThat(sink.state()).isEqualTo(KafkaExchangeSink.State.PUBLISHING);
      }
      assertThat(idsInTopic(kafka, 2)).containsOnlyKeys("ex-0", "ex-2");
      try (var files = Files.list(dir.resolve("spill/rejected"))) {
        assertThat(files.mapToLong(p -> p.toFile().length()).sum()).isGreaterThan(50_000);
      }
    }
  }

  @SuppressWarnings("unused")
  private static <T> Map<T, Long> count(List<T> xs) {
    return xs.stream().collect(Collectors.groupingBy(Function.identity(), HashMap::new, Collectors.counting()));
  }
}
