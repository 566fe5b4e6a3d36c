package io.distillguard.flink;

import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The job's Kafka source of exchange events and its exactly-once sink of verdicts. */
public final class KafkaIo {
  private KafkaIo() {}

  /**
   * Exchange events as raw bytes (decoding is an operator of its own, so a bad record becomes a counted side
   * output instead of a deserialization failure that would restart the job). Starts from the group's committed
   * offsets, or the earliest when it has none; reads only committed records of transactional producers.
   */
  public static KafkaSource<byte[]> source(String bootstrap, String topic, String groupId) {
    return KafkaSource.<byte[]>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(new RawBytes()))
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
    return KafkaSink.<VerdictEvent>builder()
        .setBootstrapServers(bootstrap)
        .setRecordSerializer(new VerdictRecords(topic))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()))
        .setProperty("enable.idempotence", "true")
        .setProperty("acks", "all")
        .build();
  }

  /** Value bytes as they are; a tombstone (null value) becomes an empty record, which decoding rejects. */
  static final class RawBytes implements DeserializationSchema<byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] deserialize(byte[] message) {
      return message == null ? new byte[0] : message;
    }

    @Override
    public boolean isEndOfStream(byte[] next) {
      return false;
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
      return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
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
