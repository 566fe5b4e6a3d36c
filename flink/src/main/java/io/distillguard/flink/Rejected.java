package io.distillguard.flink;

/**
 * An input record the job dropped, for the side output that counts and inspects them. Carries why and how large,
 * never the record's bytes or text: traffic is hostile, and a dead-letter consumer that needs the record reads it
 * from the input topic at {@code partition}/{@code offset}.
 *
 * @param reason    a fixed-vocabulary reason followed by the codec's sanitized message
 * @param bytes     size of the record's value
 * @param partition input partition, -1 when not from Kafka
 * @param offset    input offset, -1 when not from Kafka
 */
public record Rejected(String reason, int bytes, int partition, long offset) {}
