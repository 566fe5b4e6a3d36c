package io.distillguard.gateway.kafka;

import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes verdict events to the compacted verdict topic, keyed by account id (the form {@link VerdictFeed} reads):
 * for analysts' overrides in cluster mode and for tests. Idempotent producer, {@code acks=all}. Thread-safe.
 */
public final class VerdictPublisher implements AutoCloseable {
  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;

  /** @param producerProperties further producer settings (security, ...) */
  public VerdictPublisher(String bootstrapServers, String topic, Map<String, String> producerProperties) {
    this.topic = topic;
    Map<String, Object> c = new HashMap<>(producerProperties);
    c.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "distillguard-verdict-publisher");
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends the verdict; the future completes when Kafka has acknowledged it (or failed). */
  public CompletableFuture<RecordMetadata> publish(VerdictEvent v) {
    return send(v.accountId(), VerdictCodec.encode(v));
  }

  /** Sends a tombstone: the account returns to active and compaction eventually forgets it. */
  public CompletableFuture<RecordMetadata> tombstone(String accountId) {
    return send(accountId, null);
  }

  /** Sends raw bytes under an account's key; for tests of how consumers handle records that are not verdicts. */
  public CompletableFuture<RecordMetadata> sendRaw(String key, byte[] value) {
    return send(key, value);
  }

  private CompletableFuture<RecordMetadata> send(String key, byte[] value) {
    CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
    try {
      producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value),
          (md, ex) -> {
            if (ex == null) {
              f.complete(md);
            } else {
              f.completeExceptionally(ex);
            }
          });
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
