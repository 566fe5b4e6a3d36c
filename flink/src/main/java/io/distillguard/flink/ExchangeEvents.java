package io.distillguard.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The Kafka source's deserializer: each record's value decoded into a {@link Decoded} (an exchange, or a rejection
 * with the record's partition and offset). Decoding here, inside the source, is what lets the source assign
 * event-time watermarks per partition from the exchanges' own event times, whatever timestamp the producer set on
 * the record. It never throws, so a bad record cannot fail the source.
 */
final class ExchangeEvents implements KafkaRecordDeserializationSchema<Decoded> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded> out) {
    out.collect(Decoded.of(record.value(), record.partition(), record.offset()));
  }

  @Override
  public TypeInformation<Decoded> getProducedType() {
    return DecodedSerializer.TYPE;
  }
}
