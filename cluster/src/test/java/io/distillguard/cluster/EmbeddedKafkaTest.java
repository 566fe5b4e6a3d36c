package io.distillguard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process broker is a real Kafka: records go in and come out, and a restart on its data keeps them. */
class EmbeddedKafkaTest {

  private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static List<ConsumerRecord<String, String>> readAll(EmbeddedKafka kafka, String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new StringDeserializer())) {
      c.assign(c.partitionsFor(topic).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList());
      c.seekToBeginning(c.assignment());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void recordsSurviveARestartOnTheSameDataDirectory(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir).build().start()) {
      String bootstrap = kafka.bootstrapServers();
      kafka.createTopic("events", 3, Map.of());
      try (KafkaProducer<String, String> p = producer(kafka)) {
        for (int i = 0; i < 30; i++) {
          p.send(new ProducerRecord<>("events", "k" + (i % 5), "v" + i)).get(30, TimeUnit.SECONDS);
        }
      }
      kafka.stop();
      assertThat(kafka.running()).isFalse();
      kafka.start();
      assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
      List<ConsumerRecord<String, String>> got = readAll(kafka, "events", 30);
      assertThat(got).extracting(ConsumerRecord::value).hasSize(30)
          .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 30).mapToObj(i -> "v" + i)
              .toList());
      // each key stays in one partition
      Map<String, Set<Integer>> partitionsOfKey = new java.util.HashMap<>();
      got.forEach(r -> partitionsOfKey.computeIfAbsent(r.key(), k -> new java.util.HashSet<>()).add(r.partition()));
      assertThat(partitionsOfKey.values()).allSatisfy(s -> assertThat(s).hasSize(1));
    }
    assertThat(dir.resolve("logs/meta.properties")).exists();
  }

  @Test
  void compactedTopicsAndAdmin() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startNew(); Admin admin = kafka.admin()) {
      kafka.createCompactedTopic("verdicts", 2);
      kafka.createCompactedTopic("verdicts", 2); // exists: no error
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "verdicts");
      ConfigEntry policy = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r)
          .get("cleanup.policy");
      assertThat(policy.value()).isEqualTo("compact");
      assertThat(admin.describeTopics(Set.of("verdicts")).allTopicNames().get(30, TimeUnit.SECONDS)
          .get("verdicts").partitions()).hasSize(2);
      try (KafkaProducer<String, String> p = producer(kafka)) {
        p.send(new ProducerRecord<>("verdicts", "acct", "blocked")).get(30, TimeUnit.SECONDS);
      }
      assertThat(readAll(kafka, "verdicts", 1)).extracting(ConsumerRecord::value).containsExactly("blocked");
    }
  }

  @Test
  void misuseIsRefusedClearly(@TempDir Path dir) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("a")).build();
    try {
      kafka.stop(); // not running: nothing happens
      kafka.start();
      assertThatThrownBy(kafka::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already running");
      assertThatThrownBy(() -> kafka.createTopic("bad name!", 1, Map.of()))
          .isInstanceOf(EmbeddedKafkaException.class).hasMessageContaining("cannot create topic");
      // a second broker on the same ports cannot start, and says so
      int port = Integer.parseInt(kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1));
      EmbeddedKafka clash = EmbeddedKafka.builder().dataDir(dir.resolve("b")).ports(port, port + 1).build();
      assertThatThrownBy(clash::start).isInstanceOf(EmbeddedKafkaException.class);
      clash.close();
    } finally {
      kafka.close();
    }
    assertThat(dir.resolve("a")).exists(); // a directory given by the caller is kept
    assertThatThrownBy(() -> EmbeddedKafka.builder().ports(5, 5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTemporaryDataDirectoryIsDeletedOnClose() {
    EmbeddedKafka kafka = EmbeddedKafka.startNew();
    Path dir = kafka.dataDir();
    assertThat(Files.isDirectory(dir)).isTrue();
    kafka.close();
    assertThat(dir).doesNotExist();
  }
}
