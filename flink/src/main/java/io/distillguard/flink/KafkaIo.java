package io.distillguard.flink;

import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The job's Kafka source of exchange events and its exactly-once sink of verdicts. */
public final class KafkaIo {
  private KafkaIo() {}

  /**
   * Exchange events, decoded in the source ({@link ExchangeEvents}: a record that does not decode becomes a counted
   * rejection, not a failure), so that watermarks can be assigned per partition from the exchanges' event times.
   * Starts from the group's committed offsets, or the earliest when it has none; reads only committed records of
   * transactional producers.
   */
  public static KafkaSource<Decoded> source(String bootstrap, String topic, String groupId) {
    return KafkaSource.<Decoded>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new ExchangeEvents())
        .setProperty("isolation.level", "read_committed")
        .setProperty("partition.discovery.interval.ms", "60000")
        .build();
  }

  /**
   * Verdicts keyed by account id to the (compacted) verdict topic, in Kafka transactions committed with each
   * checkpoint: a consumer reading committed records sees each verdict once, even across a restore.
   *
   * @param transactionTimeout must not exceed the brokers' {@code transaction.max.timeout.ms} (15 minutes by
   *     default) and must exceed the longest expected checkpoint interval plus restart time
   */
  public static KafkaSink<VerdictEvent> sink(String bootstrap, String topic, String transactionalIdPrefix,
      Duration transactionTimeout) {
    return exactlyOnce(bootstrap, new VerdictRecords(topic), transactionalIdPrefix, transactionTimeout).build();
  }

  /** A sink writing in Kafka transactions committed with each checkpoint, idempotent, acknowledged by all replicas. */
  private static <T> KafkaSinkBuilder<T> exactlyOnce(String bootstrap,
      KafkaRecordSerializationSchema<T> records, String transactionalIdPrefix, Duration transactionTimeout) {
    return KafkaSink.<T>builder()
        .setBootstrapServers(bootstrap)
        .setRecordSerializer(records)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()))
        .setProperty("enable.idempotence", "true")
        .setProperty("acks", "all");
  }

  /** The key of every record of the ties topic: compaction keeps the latest snapshot only. */
  public static final String TIES_KEY = "cluster-ties";
  /** Largest ties record the sink sends; the topic's {@code max.message.bytes} must allow it (docs/scale.md). */
  public static final int TIES_MAX_BYTES = 16 << 20;

  /**
   * Encoded {@link io.distillguard.linkage.TiesSnapshot}s to the (compacted, one-partition) ties topic, all under
   * {@link #TIES_KEY}, exactly once as the verdicts: a node reading committed records ends with the snapshot of the
   * last recomputation the job checkpointed.
   *
   * @param transactionalIdPrefix must differ from the verdict sink's, and neither may begin with the other
   */
  public static KafkaSink<byte[]> tiesSink(String bootstrap, String topic, String transactionalIdPrefix,
      Duration transactionTimeout) {
    return exactlyOnce(bootstrap, new TiesRecords(topic), transactionalIdPrefix, transactionTimeout)
        .setProperty("max.request.size", Integer.toString(TIES_MAX_BYTES + (1 << 16)))
        .build();
  }

  /** Key = {@link #TIES_KEY}, value = the encoded snapshot. */
  static final class TiesRecords implements KafkaRecordSerializationSchema<byte[]> {
    private static final long serialVersionUID = 1L;
    private static final byte[] KEY = TIES_KEY.getBytes(StandardCharsets.UTF_8);
    private final String topic;

    TiesRecords(String topic) {
      this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(byte[] snapshot, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, 0, timestamp, KEY, snapshot);
    }
  }

  /** Key = account id (UTF-8), value = {@link VerdictCodec} JSON. */
  static final class VerdictRecords implements KafkaRecordSerializationSchema<VerdictEvent> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    VerdictRecords(String topic) {
      this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(VerdictEvent v, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, null, v.at().toEpochMilli(),
          v.accountId().getBytes(StandardCharsets.UTF_8), VerdictCodec.encode(v));
    }
  }

  /** For callers that read the verdict topic: the decoded value, as an IOException when it does not decode. */
  public static VerdictEvent decodeVerdict(byte[] value) throws IOException {
    try {
      return VerdictCodec.decode(value);
    } catch (RuntimeException e) {
      throw new IOException("verdict record does not decode: " + e.getMessage(), e);
    }
  }
}
