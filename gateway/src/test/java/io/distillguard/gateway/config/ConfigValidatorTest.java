package io.distillguard.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {

  private static void invalid(Consumer<GatewayConfig> change, String field) {
    GatewayConfig c = new GatewayConfig();
    change.accept(c);
    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(field + ":");
  }

  @Test
  void theDefaultsAreValid() {
    GatewayConfig c = new GatewayConfig();
    assertThat(ConfigValidator.validate(c)).isSameAs(c);
  }

  @Test
  void eachBadFieldIsNamed() {
    invalid(c -> c.server.port = -1, "server.port");
    invalid(c -> c.server.host = " ", "server.host");
    invalid(c -> c.server.maxBodyBytes = 10, "server.max-body-bytes");
    invalid(c -> c.server.eventLoops = -2, "server.event-loops");
    invalid(c -> c.admin.port = 65536, "admin.port");
    invalid(c -> c.admin.port = c.server.port, "admin.port");
    invalid(c -> c.admin.token = "too-short", "admin.token");
    invalid(c -> c.upstream.url = "", "upstream.url");
    invalid(c -> c.upstream.url = "localhost:8000", "upstream.url");
    invalid(c -> c.upstream.url = "http://", "upstream.url");
    invalid(c -> c.upstream.url = "http://exa mple.com/v1", "upstream.url");
    invalid(c -> c.upstream.connectTimeout = Duration.ZERO, "upstream.connect-timeout");
    invalid(c -> c.upstream.idleTimeout = Duration.ofSeconds(-1), "upstream.idle-timeout");
    invalid(c -> c.upstream.firstByteTimeout = null, "upstream.first-byte-timeout");
    invalid(c -> c.upstream.maxConnections = 0, "upstream.max-connections");
    invalid(c -> c.upstream.maxResponseBytes = 100, "upstream.max-response-bytes");
    invalid(c -> c.dataDir = "", "data-dir");
    invalid(c -> c.trustedProxies = null, "trusted-proxies");
    invalid(c -> c.trustedProxies = List.of("10.0.0.0/8", "::1/200"), "trusted-proxies[1]");
    invalid(c -> c.limits.tiers.remove("default"), "limits.tiers");
    invalid(c -> c.limits.tiers.get("free").account.concurrent = -1, "limits.tiers.free.account.concurrent");
    invalid(c -> c.limits.tiers.get("default").key = null, "limits.tiers.default.key");
    invalid(c -> c.limits.throttled.tokensPerMinute = -5, "limits.throttled.tokens-per-minute");
    invalid(c -> c.exchangeLog.queueCapacity = 0, "exchange-log.queue-capacity");
    invalid(c -> c.exchangeLog.batchSize = 0, "exchange-log.batch-size");
    invalid(c -> c.exchangeLog.flushInterval = Duration.ZERO, "exchange-log.flush-interval");
    invalid(c -> c.exchangeLog.retentionDays = -1, "exchange-log.retention-days");
    invalid(c -> c.exchangeLog.segmentBytes = 1000, "exchange-log.segment-bytes");
    invalid(c -> c.linkage.threads = 0, "linkage.threads");
    invalid(c -> c.linkage.threads = 65, "linkage.threads");
    invalid(c -> c.linkage.queueCapacity = 0, "linkage.queue-capacity");
  }

  @Test
  void theStoreAndSharedLimitSettingsAreChecked() {
    invalid(c -> c.store.url = "jdbc:mysql://db/dg", "store.url");
    invalid(c -> c.store.url = "jdbc:postgresql://", "store.url");
    invalid(c -> c.store.url = "jdbc:postgresql://db/dg?user=x&password=hunter2", "store.url");
    invalid(c -> c.store.user = " ", "store.user");
    invalid(c -> c.store.poolSize = 0, "store.pool-size");
    invalid(c -> c.store.connectionTimeout = Duration.ofMillis(10), "store.connection-timeout");
    invalid(c -> c.store.node = "node one", "store.node");
    invalid(c -> c.store.node = "x".repeat(65), "store.node");
    invalid(c -> c.limits.backend = "redis", "limits.backend");
    invalid(c -> c.limits.backend = "postgresql", "limits.backend"); // without store.url
    invalid(c -> c.limits.syncInterval = Duration.ofMillis(10), "limits.sync-interval");
    invalid(c -> c.limits.syncInterval = Duration.ofMinutes(2), "limits.sync-interval");
    // A refused URL is echoed without its query string (credentials may sit there).
    GatewayConfig leaky = new GatewayConfig();
    leaky.store.url = "jdbc:oracle://db?secret=s3cr3t";
    assertThatThrownBy(() -> ConfigValidator.validate(leaky)).hasMessageNotContaining("s3cr3t");
    GatewayConfig ok = new GatewayConfig();
    ok.store.url = "jdbc:postgresql://db.internal:5432/distillguard";
    ok.store.user = "dg";
    ok.store.node = "gw-1.eu_west";
    ok.limits.backend = "postgresql";
    ok.limits.syncInterval = Duration.ofMillis(250);
    assertThat(ConfigValidator.validate(ok)).isSameAs(ok);
  }

  @Test
  void limitsBeyondWhatTheBucketsCanCountAreRefused() {
    invalid(c -> c.limits.tiers.get("default").account.tokensPerMinute = 100_000_000_000L,
        "limits.tiers.default.account.tokens-per-minute");
    invalid(c -> c.limits.throttled.requestsPerMinute = 2_000_000_000L, "limits.throttled.requests-per-minute");
    GatewayConfig ok = new GatewayConfig();
    ok.limits.tiers.get("default").key.tokensPerMinute = 1_000_000_000L;
    ConfigValidator.validate(ok);
  }

  @Test
  void ephemeralPortsMayCoincide() {
    GatewayConfig c = new GatewayConfig();
    c.server.port = 0;
    c.admin.port = 0;
    ConfigValidator.validate(c);
    c.admin.host = "0.0.0.0";
    c.admin.port = 8080;
    ConfigValidator.validate(c);
  }

  @Test
  void builtinAndRealUpstreamsAreAccepted() {
    GatewayConfig c = new GatewayConfig();
    c.upstream.url = "builtin";
    ConfigValidator.validate(c);
    c.upstream.url = "https://api.example.com/v1";
    ConfigValidator.validate(c);
  }
}
