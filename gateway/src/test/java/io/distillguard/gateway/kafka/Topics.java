package io.distillguard.gateway.kafka;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.core.wire.ExchangeCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading a topic back in tests, and checking its records against the published schema. */
final class Topics {
  private static JsonSchema exchangeSchema;

  private Topics() {}

  /** Every record of the topic from the beginning, once at least {@code min} have been read and no more come. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic, int min, Duration timeout) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        if (out.size() >= min && atEnd(consumer, parts)) {
          break;
        }
      }
    }
    return out;
  }

  private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> parts) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
    for (TopicPartition p : parts) {
      if (consumer.position(p) < ends.get(p)) {
        return false;
      }
    }
    return true;
  }

  static String key(ConsumerRecord<byte[], byte[]> r) {
    return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
  }

  /** Schema problems of an exchange event; empty when it is valid. */
  static synchronized Set<ValidationMessage> exchangeSchemaProblems(byte[] value) {
    if (exchangeSchema == null) {
      try (InputStream in = Topics.class.getResourceAsStream("/schema/exchange-event.v1.schema.json")) {
        exchangeSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in,
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    try {
      return exchangeSchema.validate(ExchangeCodec.MAPPER.readTree(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
