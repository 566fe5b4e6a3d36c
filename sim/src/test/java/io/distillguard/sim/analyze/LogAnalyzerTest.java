package io.distillguard.sim.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.NoisyOrScorer;
import io.distillguard.core.detect.Policy;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detectors.VolumeThresholdDetector;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogAnalyzerTest {
  static final String HOSTILE = "<script>alert('x')</script>|**boss**\u202e[click](http://evil.example)";
  @TempDir Path dir;

  /** The baseline's shape with a threshold a fixture can cross: more than 3 requests a day blocks. */
  static DetectorSet lowVolume() {
    return new DetectorSet("low-volume", "volume threshold 3/day", List.of(new VolumeThresholdDetector(3)),
        new NoisyOrScorer(Map.of(), 1.0), new Policy(Map.of(RiskLevel.WATCH, 0.5, RiskLevel.BLOCK, 0.8), Map.of(),
            Set.of()));
  }

  Path fixture(String name) throws Exception {
    Path p = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream(name)) {
      Files.copy(in, p);
    }
    return p;
  }

  @Test
  void flagsTheHeavyAccountInTimestampOrderAndEscapesEverythingFromTheLogs() throws Exception {
    Path log = fixture("proxy-log.jsonl");
    FieldMapping mapping = FieldMapping.load(fixture("proxy-mapping.yaml"));

    AnalysisReport r = new LogAnalyzer(mapping, lowVolume()).analyze(log);

    assertThat(r.lines()).isEqualTo(13);
    assertThat(r.records()).isEqualTo(8);
    assertThat(r.malformedCount()).isEqualTo(4);
    assertThat(r.malformed()).extracting(LogAnalyzer.Malformed::line).containsExactly(8L, 9L, 10L, 11L);
    assertThat(r.malformed().get(0).reason()).contains("not a JSON object");
    assertThat(r.malformed().get(2).reason()).contains("account").contains("user.id");
    assertThat(r.malformed().get(3).reason()).contains("timestamp").contains("ISO-8601");
    assertThat(r.flagged()).extracting(AnalysisReport.AccountStats::account).containsExactly(HOSTILE);
    AnalysisReport.AccountStats h = r.account(HOSTILE);
    assertThat(h.level()).isEqualTo(RiskLevel.BLOCK);
    // Sorted by time: the fourth request (10:00:03, written first in the file) crossed the threshold.
    assertThat(h.firstFlagged()).isEqualTo(Instant.parse("2025-03-03T10:00:03Z"));
    assertThat(h.risk().reasons()).extracting(x -> x.signal()).containsExactly(VolumeThresholdDetector.NAME);
    assertThat(r.account("acme-prod").level()).isEqualTo(RiskLevel.NONE);

    Path md = dir.resolve("report.md");
    Path json = dir.resolve("report.json");
    r.writeMarkdown(md);
    r.writeJson(json);
    String mdText = Files.readString(md);
    assertThat(mdText).doesNotContain("<script>", "<img", "[click](", "\u202e", "\u001b", "http://evil")
        .contains("&lt;script&gt;").contains("\\u{202E}").contains("low-volume").contains("| 8 | not a JSON object |");
    String jsonText = Files.readString(json, StandardCharsets.UTF_8);
    assertThat(jsonText).doesNotContain("<", ">", "\u202e", "\u001b").contains("\\u003Cscript\\u003E");
    JsonNode tree = new ObjectMapper().readTree(jsonText);
    assertThat(tree.path("flagged").path(0).path("account").asText()).isEqualTo(HOSTILE);
    assertThat(tree.path("flagged").path(0).path("top_user_agents").path(0).path("user_agent").asText())
        .contains("\u001b[31m");
    assertThat(tree.path("malformed").path("count").asLong()).isEqualTo(4);
    assertThat(tree.path("accounts").path("flagged").asInt()).isEqualTo(1);
    String terminal = r.summary(10);
    assertThat(terminal).doesNotContain("\u001b", "\u202e").contains("lines 8, 9, 10, 11");
  }

  @Test
  void epochTimestampsGzipAndPromptOnlyMappings() throws Exception {
    Path log = dir.resolve("log.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(log))) {
      for (int i = 0; i < 5; i++) {
        out.write(("{\"k\":\"key-" + (i % 2) + "\",\"t\":" + (1_741_000_000_000L + i * 1000L)
            + ",\"p\":\"prompt " + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    FieldMapping millis = FieldMapping.parse("account: k\ntimestamp: t\ntimestamp_format: epoch_millis\n"
        + "prompt: p\n", "m.yaml");
    AnalysisReport r = new LogAnalyzer(millis, lowVolume()).analyze(log);
    assertThat(r.records()).isEqualTo(5);
    assertThat(r.account("key-0").exchanges()).isEqualTo(3);
    assertThat(r.flagged()).isEmpty();

    Path secs = dir.resolve("secs.jsonl");
    Files.writeString(secs, "{\"a\":\"x\",\"t\":\"1741000000.5\",\"p\":\"hi\"}\n");
    FieldMapping s = FieldMapping.parse("account: a\ntimestamp: t\ntimestamp_format: epoch_seconds\nprompt: p\n",
        "s.yaml");
    AnalysisReport rs = new LogAnalyzer(s, DetectorSet.baseline()).analyze(secs);
    assertThat(rs.account("x").risk()).isNotNull();
    assertThat(rs.toJson().path("time_range").path("first").asText()).isEqualTo("2025-03-03T11:06:40.500Z");
  }

  @Test
  void mappingErrorsNameTheField() throws Exception {
    assertThatThrownBy(() -> FieldMapping.parse("acount: user.id\ntimestamp: ts\nprompt: p\n", "m.yaml"))
        .hasMessageContaining("m.yaml: unknown field 'acount'");
    assertThatThrownBy(() -> FieldMapping.parse("timestamp: ts\nprompt: p\n", "m.yaml"))
        .hasMessageContaining("'account' is required");
    assertThatThrownBy(() -> FieldMapping.parse("account: a\ntimestamp: ts\n", "m.yaml"))
        .hasMessageContaining("'messages' or 'prompt' is required");
    assertThatThrownBy(() -> FieldMapping.parse("account: a[x\ntimestamp: ts\nprompt: p\n", "m.yaml"))
        .hasMessageContaining("m.yaml: account: bad path 'a[x'");
    assertThatThrownBy(() -> FieldMapping.parse("account: a\ntimestamp: ts\nprompt: p\ntimestamp_format: "
        + "fortnights\n", "m.yaml")).hasMessageContaining("timestamp_format").hasMessageContaining("fortnights");
    assertThatThrownBy(() -> FieldMapping.parse("account: [1]\n", "m.yaml"))
        .hasMessageContaining("account: expected a JSON path");
    assertThatThrownBy(() -> FieldMapping.load(dir.resolve("none.yaml"))).hasMessageContaining("not found");

    Path log = fixture("proxy-log.jsonl");
    FieldMapping wrong = FieldMapping.parse("account: customer.id\ntimestamp: ts\nprompt: request.messages[-1]"
        + ".content\n", "wrong.yaml");
    assertThatThrownBy(() -> new LogAnalyzer(wrong, lowVolume()).analyze(log))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mapped field 'account'")
        .hasMessageContaining("customer.id").hasMessageContaining("every one of the 10 JSON lines");
    assertThatThrownBy(() -> new LogAnalyzer(wrong, lowVolume()).analyze(dir.resolve("missing.jsonl")))
        .hasMessageContaining("log file not found");
  }

  @Test
  void optionalFieldsMissingEverywhereAreWarnings() throws Exception {
    Path log = dir.resolve("l.jsonl");
    Files.writeString(log, "{\"a\":\"x\",\"t\":\"2025-03-03 09:00:00\",\"m\":[{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"text\",\"text\":\"part one\"}]}]}\n");
    FieldMapping m = FieldMapping.parse("account: a\ntimestamp: t\nmessages: m\nresponse: out.text\n", "m.yaml");
    AnalysisReport r = new LogAnalyzer(m, lowVolume()).analyze(log);
    assertThat(r.records()).isEqualTo(1);
    assertThat(r.warnings()).singleElement().asString().contains("'response'").contains("out.text");
  }

  @Test
  void jsonPaths() throws Exception {
    JsonNode n = new ObjectMapper().readTree("{\"a\":{\"b\":[1,{\"c\":\"x\"}]},\"h\":{\"user-agent\":\"ua\","
        + "\"d.e\":5},\"arr\":[[\"deep\"]]}");
    assertThat(JsonPath.parse("a.b[-1].c").find(n).asText()).isEqualTo("x");
    assertThat(JsonPath.parse("a.b[0]").find(n).asInt()).isEqualTo(1);
    assertThat(JsonPath.parse("h[\"user-agent\"]").find(n).asText()).isEqualTo("ua");
    assertThat(JsonPath.parse("h['d.e']").find(n).asInt()).isEqualTo(5);
    assertThat(JsonPath.parse("arr[0][0]").find(n).asText()).isEqualTo("deep");
    assertThat(JsonPath.parse("a.b[5].c").find(n)).isNull();
    assertThat(JsonPath.parse("a.zz.c").find(n)).isNull();
    for (String bad : List.of("a..b", "a.", "a[1", "a[x]", "a[0]b", "a['x")) {
      assertThatThrownBy(() -> JsonPath.parse(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad path");
    }
  }
}
