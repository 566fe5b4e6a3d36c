package io.distillguard.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration files (JSON here; the app passes a YAML mapper) bind strictly and name the bad field. */
class ConfigLoaderTest {
  @TempDir
  Path dir;

  private GatewayConfig load(String json) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json.replace('\'', '"'));
    return ConfigLoader.load(f, new ObjectMapper());
  }

  private void fails(String json, String... fragments) {
    assertThatThrownBy(() -> load(json)).isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          for (String f : fragments) {
            assertThat(e.getMessage()).contains(f);
          }
        });
  }

  @Test
  void anEmptyFileGivesTheDefaults() throws IOException {
    GatewayConfig c = load("");
    assertThat(c.server.port).isEqualTo(8080);
    assertThat(c.admin.port).isEqualTo(8081);
    assertThat(c.upstream.url).isEqualTo("builtin");
    assertThat(c.replay).isFalse();
    assertThat(c.trustedProxies).containsExactly("127.0.0.0/8", "::1/128");
    assertThat(c.limits.tiers).containsKeys("default", "free", "enterprise");
  }

  @Test
  void kebabCaseKeysBind() throws IOException {
    GatewayConfig c = load("{'server':{'port':9000,'max-body-bytes':2048,'event-loops':2},"
        + "'admin':{'port':9001,'metrics-require-token':true},"
        + "'upstream':{'url':'http://10.0.0.5:8000/v1','first-byte-timeout':'2s','idle-timeout':'500ms',"
        + "'connect-timeout':1500,'max-connections':4},"
        + "'data-dir':'/tmp/x','replay':true,'trusted-proxies':['10.0.0.0/8'],"
        + "'limits':{'tiers':{'default':{'account':{'requests-per-minute':5,'tokens-per-minute':100,'concurrent':2},"
        + "'key':{'requests-per-minute':3}}},'throttled':{'requests-per-minute':1}},"
        + "'exchange-log':{'queue-capacity':10,'flush-interval':'1m','redact-text':true,'segment-bytes':65536}}");
    assertThat(c.server.port).isEqualTo(9000);
    assertThat(c.server.maxBodyBytes).isEqualTo(2048);
    assertThat(c.admin.metricsRequireToken).isTrue();
    assertThat(c.upstream.firstByteTimeout).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.upstream.idleTimeout).isEqualTo(Duration.ofMillis(500));
    assertThat(c.upstream.connectTimeout).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.replay).isTrue();
    assertThat(c.limits.tiers).containsOnlyKeys("default");
    assertThat(c.limits.tiers.get("default").account.requestsPerMinute).isEqualTo(5);
    assertThat(c.limits.tiers.get("default").key.requestsPerMinute).isEqualTo(3);
    assertThat(c.limits.throttled.requestsPerMinute).isEqualTo(1);
    assertThat(c.exchangeLog.flushInterval).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.exchangeLog.redactText).isTrue();
  }

  @Test
  void unknownKeysAreNamed() {
    fails("{'server':{'prot':8080}}", "server", "prot", "unknown setting");
    fails("{'sever':{}}", "sever");
    fails("{'limits':{'tiers':{'default':{'account':{'rpm':5}}}}}", "limits.tiers.default.account", "rpm");
  }

  @Test
  void wrongTypesAreNamed() {
    fails("{'server':{'port':'eighty'}}", "server.port");
    fails("{'server':{'port':null}}", "server.port");
    fails("{'replay':'sometimes'}", "replay");
    fails("{'trusted-proxies':'10.0.0.0/8'}", "trusted-proxies");
    fails("{'limits':{'tiers':[]}}", "limits.tiers");
    fails("{'exchange-log':{'queue-capacity':1.5e99}}", "exchange-log.queue-capacity");
    fails("{'linkage':{'threads':'two'}}", "linkage.threads");
  }

  @Test
  void linkageThreadsAreRead() throws IOException {
    assertThat(load("{'linkage':{'threads':2}}").linkage.threads).isEqualTo(2);
    assertThat(load("{}").linkage.threads).isEqualTo(1);
  }

  @Test
  void badDurationsAreNamed() {
    fails("{'upstream':{'first-byte-timeout':'5 parsecs'}}", "upstream.first-byte-timeout", "5 parsecs");
    fails("{'upstream':{'idle-timeout':true}}", "upstream.idle-timeout");
    fails("{'exchange-log':{'flush-interval':'soon'}}", "exchange-log.flush-interval");
  }

  @Test
  void badCidrsAreNamed() {
    fails("{'trusted-proxies':['127.0.0.0/8','10.0.0.0/33']}", "trusted-proxies[1]", "10.0.0.0/33");
    fails("{'trusted-proxies':['proxy.internal']}", "trusted-proxies[0]");
  }

  @Test
  void aMissingDefaultTierIsNamed() {
    fails("{'limits':{'tiers':{'gold':{}}}}", "limits.tiers", "default");
  }

  @Test
  void semanticErrorsAreNamed() {
    fails("{'server':{'port':70000}}", "server.port");
    fails("{'upstream':{'url':'ftp://x'}}", "upstream.url");
    fails("{'admin':{'token':'short'}}", "admin.token");
    fails("{'upstream':{'first-byte-timeout':'0s'}}", "upstream.first-byte-timeout");
  }

  @Test
  void notJsonAtAll() {
    fails("{'server': {'port': 80", "config.json", "end-of-input");
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing, new ObjectMapper()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml");
  }

  @ParameterizedTest
  @CsvSource({"500ms,500", "30s,30000", "5m,300000", "2h,7200000", "1d,86400000", "' 10 s ',10000", "PT1.5S,1500",
      "30S,30000"})
  void durations(String text, long millis) {
    assertThat(ConfigLoader.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "fast", "5", "5 minutes", "-5s", "1.5s", "5ms5"})
  void badDurations(String text) {
    assertThatThrownBy(() -> ConfigLoader.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration");
  }
}
