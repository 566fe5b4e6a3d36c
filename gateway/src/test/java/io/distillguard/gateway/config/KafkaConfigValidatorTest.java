package io.distillguard.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exchange-log.sink, detection.mode and the kafka section: defaults pass, each mistake is named. */
class KafkaConfigValidatorTest {

  private static GatewayConfig kafkaSink(Consumer<GatewayConfig> edit) {
    GatewayConfig c = new GatewayConfig();
    c.exchangeLog.sink = "kafka";
    c.kafka.bootstrapServers = "127.0.0.1:9092";
    edit.accept(c);
    return c;
  }

  private static void fails(GatewayConfig c, String... fragments) {
    assertThatThrownBy(() -> ConfigValidator.validate(c)).isInstanceOf(ConfigException.class).satisfies(e -> {
      for (String f : fragments) {
        assertThat(e.getMessage()).contains(f);
      }
    });
  }

  @Test
  void theDefaultsNeedNoKafkaAndAFilledInSectionPasses() {
    GatewayConfig c = new GatewayConfig();
    assertThat(c.exchangeLog.sink).isEqualTo("store");
    assertThat(c.detection.mode).isEqualTo("local");
    ConfigValidator.validate(c);
    ConfigValidator.validate(kafkaSink(x -> {}));
    ConfigValidator.validate(kafkaSink(x -> {
      x.exchangeLog.sink = "both";
      x.detection.mode = "remote";
      x.kafka.bootstrapServers = "kafka-1.internal:9092, [::1]:19092,10.0.0.7:9093";
      x.kafka.properties = Map.of("security.protocol", "SSL");
    }));
  }

  @Test
  void bootstrapServersAreRequiredAndChecked() {
    fails(kafkaSink(c -> c.kafka.bootstrapServers = null), "kafka.bootstrap-servers", "required",
        "exchange-log.sink is kafka");
    fails(kafkaSink(c -> {
      c.exchangeLog.sink = "store";
      c.detection.mode = "remote";
      c.kafka.bootstrapServers = " ";
    }), "kafka.bootstrap-servers", "detection.mode is remote");
    fails(kafkaSink(c -> c.kafka.bootstrapServers = "localhost"), "kafka.bootstrap-servers", "'localhost'",
        "host:port");
    fails(kafkaSink(c -> c.kafka.bootstrapServers = "a:9092,,b:9092"), "kafka.bootstrap-servers");
    fails(kafkaSink(c -> c.kafka.bootstrapServers = "a:99999"), "port 1-65535");
    fails(kafkaSink(c -> c.kafka.bootstrapServers = "a:1\u0007\nb"), "kafka.bootstrap-servers");
  }

  @Test
  void modesAndNamesAreChecked() {
    fails(kafkaSink(c -> c.exchangeLog.sink = "postgres"), "exchange-log.sink", "store, kafka or both");
    fails(kafkaSink(c -> c.exchangeLog.sink = null), "exchange-log.sink");
    fails(kafkaSink(c -> c.detection.mode = "flink"), "detection.mode", "local or remote");
    fails(kafkaSink(c -> c.kafka.exchangesTopic = "bad topic"), "kafka.exchanges-topic", "topic name");
    fails(kafkaSink(c -> c.kafka.exchangesTopic = ".."), "kafka.exchanges-topic");
    fails(kafkaSink(c -> c.kafka.exchangesTopic = "x".repeat(250)), "kafka.exchanges-topic");
    fails(kafkaSink(c -> {
      c.detection.mode = "remote";
      c.kafka.verdictsTopic = "";
    }), "kafka.verdicts-topic");
    fails(kafkaSink(c -> {
      c.detection.mode = "remote";
      c.kafka.tiesTopic = "ties <topic>";
    }), "kafka.ties-topic", "topic name");
    fails(kafkaSink(c -> {
      c.detection.mode = "remote";
      c.kafka.tiesTopic = c.kafka.verdictsTopic;
    }), "kafka.ties-topic", "not be the verdict topic");
    fails(kafkaSink(c -> c.kafka.compression = "brotli"), "kafka.compression", "lz4");
  }

  @Test
  void sizesAndTimesAreChecked() {
    fails(kafkaSink(c -> c.kafka.bufferBytes = 1000), "kafka.buffer-bytes");
    fails(kafkaSink(c -> c.kafka.spillSegmentBytes = 10), "kafka.spill-segment-bytes");
    fails(kafkaSink(c -> c.kafka.spillDir = ""), "kafka.spill-dir");
    fails(kafkaSink(c -> c.kafka.maxBlock = Duration.ofSeconds(1)), "kafka.max-block", "event loop");
    fails(kafkaSink(c -> c.kafka.maxBlock = Duration.ofMillis(-1)), "kafka.max-block");
    fails(kafkaSink(c -> c.kafka.requestTimeout = Duration.ZERO), "kafka.request-timeout");
    fails(kafkaSink(c -> c.kafka.deliveryTimeout = null), "kafka.delivery-timeout");
    fails(kafkaSink(c -> c.kafka.deliveryTimeout = Duration.ofSeconds(5)), "kafka.delivery-timeout",
        "kafka.linger + kafka.request-timeout");
    fails(kafkaSink(c -> c.kafka.linger = Duration.ofMillis(-5)), "kafka.linger");
    fails(kafkaSink(c -> c.kafka.verdictsStartupWait = Duration.ofSeconds(-1)), "kafka.verdicts-startup-wait");
    fails(kafkaSink(c -> c.kafka.properties = null), "kafka.properties");
    fails(kafkaSink(c -> c.kafka.properties = Map.of("bootstrap.servers", "x:1")), "kafka.bootstrap-servers");
  }

  @Test
  void theSectionBindsFromAFileWithKebabCaseKeysAndRefusesUnknownOnes(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.json");
    Files.writeString(f, """
        {"exchange-log": {"sink": "both"}, "detection": {"mode": "remote"},
         "kafka": {"bootstrap-servers": "k:9092", "exchanges-topic": "ex", "verdicts-topic": "vd",
                   "spill-dir": "/tmp/s", "max-block": "5ms", "delivery-timeout": "20s",
                   "properties": {"security.protocol": "SSL"}}}
        """);
    GatewayConfig c = ConfigValidator.validate(ConfigLoader.load(f, new ObjectMapper()));
    assertThat(c.exchangeLog.sink).isEqualTo("both");
    assertThat(c.kafka.exchangesTopic).isEqualTo("ex");
    assertThat(c.kafka.maxBlock).isEqualTo(Duration.ofMillis(5));
    assertThat(c.kafka.deliveryTimeout).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.kafka.properties).containsEntry("security.protocol", "SSL");
    Files.writeString(f, "{\"kafka\": {\"bootstrap-server\": \"k:9092\"}}");
    assertThatThrownBy(() -> ConfigLoader.load(f, new ObjectMapper())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("bootstrap-server");
  }
}
