package io.distillguard.gateway.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code kafka} section: where a gateway node in the scale-out topology publishes exchanges
 * ({@code exchange-log.sink: kafka|both}) and reads verdicts ({@code detection.mode: remote}). See docs/scale.md.
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public final class KafkaConfig {
  /** The value of {@code ties-topic} that turns the check of new accounts off. */
  public static final String NONE = "none";

  /** Comma-separated {@code host:port} list of brokers. */
  public String bootstrapServers;
  /** Topic of exchange events, keyed by account id. */
  public String exchangesTopic = "distillguard.exchanges";
  /** Compacted topic of verdict events, keyed by account id. */
  public String verdictsTopic = "distillguard.verdicts";
  /**
   * Compacted one-partition topic of the detection job's cluster-ties snapshot, which nodes in remote mode check new
   * accounts against before answering them; {@value #NONE} for no check.
   */
  public String tiesTopic = "distillguard.cluster-ties";
  /** Where exchanges wait while Kafka does not take them; default {@code <data-dir>/kafka-spill}. */
  public String spillDir;
  /** Force every spill append to disk (survives a power cut, not only a crash of the process). */
  public boolean spillFsync = false;
  /** Size at which a spill segment is closed and a new one begun. */
  public long spillSegmentBytes = 16L << 20;
  /** Producer compression: none, gzip, snappy, lz4 or zstd. */
  public String compression = "lz4";
  /** The producer's buffer for records not yet acknowledged; beyond it exchanges are spilled. */
  public long bufferBytes = 32L << 20;
  /**
   * How long a send may wait on the event loop for metadata or buffer space; 0 (the default) never waits: the
   * exchange is spilled instead. At most 100ms.
   */
  public Duration maxBlock = Duration.ZERO;
  /** How long the producer keeps trying a record before it counts as failed and is left to the spill replay. */
  public Duration deliveryTimeout = Duration.ofSeconds(30);
  public Duration requestTimeout = Duration.ofSeconds(10);
  /** How long the producer waits to fill a batch. */
  public Duration linger = Duration.ofMillis(5);
  /** Publish exchanges without prompt and response text (digests and lengths stay; text-based signals are lost). */
  public boolean redactText = false;
  /**
   * With {@code detection.mode: remote}, how long the node waits at start for the verdict topic to be read to its
   * end (so it does not serve a blocked account before it knows); it starts anyway after that, and says so.
   */
  public Duration verdictsStartupWait = Duration.ofSeconds(15);
  /** Further Kafka client settings for producers and consumers (security.protocol, sasl.*, ssl.*, ...). */
  public Map<String, String> properties = Map.of();
}
