package io.distillguard.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks {@code exchange-log.sink}, {@code detection.mode} and the {@code kafka} section (part of
 * {@link ConfigValidator}); the first problem found is thrown, naming its field.
 */
final class KafkaConfigValidator {
  static final List<String> SINKS = List.of("store", "kafka", "both");
  static final List<String> MODES = List.of("local", "remote");
  static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");
  /** Kafka's own rule for topic names. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9._-]+):([0-9]{1,5})");

  private KafkaConfigValidator() {}

  static void validate(GatewayConfig c) {
    String sink = c.exchangeLog.sink;
    require(sink != null && SINKS.contains(sink), "exchange-log.sink", "must be store, kafka or both");
    String mode = c.detection.mode;
    require(mode != null && MODES.contains(mode), "detection.mode", "must be local or remote");
    KafkaConfig k = c.kafka;
    require(k != null, "kafka", "is missing");
    boolean publishes = !"store".equals(sink);
    boolean remote = "remote".equals(mode);
    if (!publishes && !remote) {
      return;
    }
    String why = publishes ? "exchange-log.sink is " + sink : "detection.mode is remote";
    require(k.bootstrapServers != null && !k.bootstrapServers.isBlank(), "kafka.bootstrap-servers",
        "is required when " + why + " (a comma-separated list of host:port)");
    for (String server : k.bootstrapServers.split(",", -1)) {
      var m = HOST_PORT.matcher(server.trim());
      require(m.matches() && Integer.parseInt(m.group(2)) >= 1 && Integer.parseInt(m.group(2)) <= 65535,
          "kafka.bootstrap-servers", "'" + printable(server.trim()) + "' is not host:port (port 1-65535)");
    }
    if (publishes) {
      topic("kafka.exchanges-topic", k.exchangesTopic);
    }
    if (remote) {
      topic("kafka.verdicts-topic", k.verdictsTopic);
      topic("kafka.ties-topic", k.tiesTopic);
      require(!k.tiesTopic.equals(k.verdictsTopic), "kafka.ties-topic", "must not be the verdict topic");
    }
    require(k.compression != null && COMPRESSIONS.contains(k.compression), "kafka.compression",
        "must be one of " + String.join(", ", COMPRESSIONS));
    require(k.bufferBytes >= 1L << 20, "kafka.buffer-bytes", "must be at least 1048576 (1 MiB)");
    require(k.spillSegmentBytes >= 64 * 1024, "kafka.spill-segment-bytes", "must be at least 65536");
    require(k.spillDir == null || !k.spillDir.isBlank(), "kafka.spill-dir",
        "must not be empty (leave it out for <data-dir>/kafka-spill)");
    require(k.maxBlock != null && !k.maxBlock.isNegative() && k.maxBlock.compareTo(Duration.ofMillis(100)) <= 0,
        "kafka.max-block", "must be between 0ms and 100ms: sends run on the event loop");
    positive("kafka.request-timeout", k.requestTimeout);
    positive("kafka.delivery-timeout", k.deliveryTimeout);
    require(k.linger != null && !k.linger.isNegative(), "kafka.linger", "must be 0ms or more");
    require(k.deliveryTimeout.compareTo(k.linger.plus(k.requestTimeout)) >= 0, "kafka.delivery-timeout",
        "must be at least kafka.linger + kafka.request-timeout (" + k.linger.plus(k.requestTimeout).toMillis()
            + "ms); Kafka refuses less");
    require(k.deliveryTimeout.toMillis() <= Integer.MAX_VALUE, "kafka.delivery-timeout", "is too long");
    require(k.verdictsStartupWait != null && !k.verdictsStartupWait.isNegative(), "kafka.verdicts-startup-wait",
        "must be 0s or more");
    require(k.properties != null, "kafka.properties", "must be a map of Kafka client settings (may be empty)");
    for (var e : k.properties.entrySet()) {
      require(e.getKey() != null && !e.getKey().isBlank() && e.getValue() != null,
          "kafka.properties", "every entry needs a name and a value");
      require(!e.getKey().startsWith("bootstrap.servers"), "kafka.properties." + printable(e.getKey()),
          "use kafka.bootstrap-servers instead");
    }
  }

  private static void topic(String path, String name) {
    require(name != null && TOPIC.matcher(name).matches() && !".".equals(name) && !"..".equals(name), path,
        "must be a Kafka topic name: 1-249 letters, digits, '.', '_' or '-'");
  }

  private static void positive(String path, Duration d) {
    require(d != null && !d.isNegative() && !d.isZero(), path, "must be a positive duration such as 500ms or 30s");
  }

  private static String printable(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  private static void require(boolean ok, String path, String problem) {
    if (!ok) {
      throw new ConfigException(path + ": " + problem);
    }
  }
}
