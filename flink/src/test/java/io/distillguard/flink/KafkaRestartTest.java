package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job as deployed, cancelled once its newest checkpoints have completed and started again from the newest
 * retained one, on a real broker, with both exactly-once sinks (verdicts, cluster ties) writing: every verdict in
 * the topic, read committed, exactly once. The detection verdicts are the in-process engine's, each once, and no
 * linkage verdict (account, version) appears twice. Started again without the checkpoint, the job's verdicts differ
 * and the test fails.
 */
class KafkaRestartTest {
  private static final Duration AWAIT = Duration.ofSeconds(180);

  @Test
  void aJobStartedAgainFromItsCheckpointLosesAndRepeatsNoVerdict(@TempDir Path checkpoints) throws Exception {
    List<Exchange> events = TestTraffic.world(37, 40, 3, 24, 8).events;
    Map<String, List<VerdictEvent>> expected = Reference.accountVerdicts(EngineSpec.defaults(), events);
    long total = count(expected);
    // cancel when about half of the verdicts are out
    Instant middle = Reference.accountVerdicts(EngineSpec.defaults(), events).values().stream()
        .flatMap(List::stream).map(VerdictEvent::at).sorted().skip(total / 2).findFirst().orElseThrow();
    List<Exchange> first = events.stream().filter(e -> e.eventTime().isBefore(middle)).toList();
    List<Exchange> second = events.stream().filter(e -> !e.eventTime().isBefore(middle)).toList();
    long beforeCancel = count(Reference.accountVerdicts(EngineSpec.defaults(), first));
    assertThat(beforeCancel).as("verdicts before the cancel").isPositive().isLessThan(total);
    try (EmbeddedKafka kafka = EmbeddedKafka.startNew()) {
      kafka.createTopic("distillguard.exchanges", 2, Map.of());
      kafka.createCompactedTopic("distillguard.verdicts", 2);
      kafka.createCompactedTopic("distillguard.cluster-ties", 1);
      String[] args = {"--bootstrap-servers", kafka.bootstrapServers(), "--checkpoint-interval", "300ms",
          "--checkpoint-dir", checkpoints.toUri().toString(), "--linkage-interval", "1h",
          "--transaction-timeout", "1m"};
      List<VerdictEvent> got = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
          KafkaConsumer<byte[], byte[]> verdicts = reader(kafka)) {
        send(producer, first);
        JobClient job = DetectionJob.parse(args).start();
        try {
          readUntil(verdicts, got, () -> detection(got) >= beforeCancel);
          // the checkpoint restored from must be one whose transactions were committed: let a few more complete
          int newest = completedCheckpoints(checkpoints);
          await(() -> completedCheckpoints(checkpoints) >= newest + 3);
        } finally {
          job.cancel().get(60, TimeUnit.SECONDS);
        }
        send(producer, second);
        List<String> restart = new ArrayList<>(List.of(args));
        restart.addAll(List.of("--restore-from", "latest"));
        JobClient again = DetectionJob.parse(restart.toArray(String[]::new)).start();
        try {
          readUntil(verdicts, got, () -> detection(got) >= total);
          long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
          readUntil(verdicts, got, () -> System.nanoTime() > settle);
        } finally {
          again.cancel().get(60, TimeUnit.SECONDS);
        }
      }
      List<VerdictEvent> detectionVerdicts = got.stream()
          .filter(v -> v.source() == VerdictEvent.Source.DETECTION).toList();
      assertThat(Reference.byAccount(detectionVerdicts)).isEqualTo(expected);
      Set<String> linkage = new HashSet<>();
      for (VerdictEvent v : got) {
        if (v.source() == VerdictEvent.Source.LINKAGE) {
          assertThat(linkage.add(v.accountId() + "@" + v.version())).as("linkage verdict %s v%d once",
              v.accountId(), v.version()).isTrue();
        }
      }
      assertThat(linkage).as("the hydra was linked, so the linkage sinks wrote too").isNotEmpty();
    }
  }

  private static long count(Map<String, List<VerdictEvent>> verdicts) {
    return verdicts.values().stream().mapToLong(List::size).sum();
  }

  private static long detection(List<VerdictEvent> got) {
    return got.stream().filter(v -> v.source() == VerdictEvent.Source.DETECTION).count();
  }

  /** The number of the newest complete checkpoint (only the newest is retained), or 0. */
  private static int completedCheckpoints(Path dir) {
    try (var files = java.nio.file.Files.walk(dir, 3)) {
      return files.filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(p -> p.getParent().getFileName().toString())
          .filter(n -> n.startsWith("chk-"))
          .mapToInt(n -> Integer.parseInt(n.substring(4)))
          .max().orElse(0);
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return 0; // a checkpoint directory removed while walked: look again on the next poll
    }
  }

  private static void await(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited too long").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void readUntil(KafkaConsumer<byte[], byte[]> consumer, List<VerdictEvent> got, BooleanSupplier done)
      throws java.io.IOException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("verdicts so far: %d", got.size()).isLessThan(deadline);
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
        VerdictEvent v = KafkaIo.decodeVerdict(r.value());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(v.accountId());
        got.add(v);
      }
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, List<Exchange> events) {
    for (Exchange e : events) {
      producer.send(new ProducerRecord<>("distillguard.exchanges", e.accountId().getBytes(StandardCharsets.UTF_8),
          ExchangeCodec.encodeEvent(e)));
    }
    producer.flush();
  }

  private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("acks", "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> reader(EmbeddedKafka kafka) {
    Properties c = new Properties();
    c.put("bootstrap.servers", kafka.bootstrapServers());
    c.put("group.id", "restart-reader");
    c.put("auto.offset.reset", "earliest");
    c.put("isolation.level", "read_committed");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of("distillguard.verdicts"));
    return consumer;
  }
}
