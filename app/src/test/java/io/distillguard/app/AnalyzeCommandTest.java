package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code distillguard analyze} with the baseline detectors over a generated gzipped log; bad input. */
class AnalyzeCommandTest {
  static final String MAPPING = """
      account: meta.api_key_owner
      timestamp: created
      timestamp_format: epoch_seconds
      messages: body.messages
      response: answer
      client_ip: meta.ip
      user_agent: meta.ua
      model: body.model
      """;

  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  /** 5,200 requests from one harvester in 12 hours, a few from two customers, and two broken lines. */
  private Path log() throws Exception {
    Path p = dir.resolve("requests.jsonl.gz");
    long t0 = Instant.parse("2025-03-03T00:00:00Z").getEpochSecond();
    try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(
        Files.newOutputStream(p)), StandardCharsets.UTF_8))) {
      for (int i = 0; i < 5200; i++) {
        w.write(line("harvester-9", t0 + i * 8, "Solve step by step: problem " + i));
      }
      for (int i = 0; i < 30; i++) {
        w.write(line("customer-" + (i % 2), t0 + i * 1000, "help me write an email " + i));
      }
      w.write("{\"created\": \n");
      w.write("not json\n");
    }
    return p;
  }

  private static String line(String account, long t, String prompt) {
    return "{\"created\":" + t + ",\"meta\":{\"api_key_owner\":\"" + account + "\",\"ip\":\"203.0.113.7\","
        + "\"ua\":\"python-httpx/0.27\"},\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt + "\"}]},\"answer\":\"ok\"}\n";
  }

  @Test
  void flagsTheHarvesterWithTheBaselineAndWritesBothReports() throws Exception {
    Path mapping = dir.resolve("mapping.yaml");
    Files.writeString(mapping, MAPPING);
    Path report = dir.resolve("report");

    int rc = Main.run("analyze", "--logs", log().toString(), "--mapping", mapping.toString(), "--out",
        report.toString());

    assertThat(rc).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("5230 exchanges analysed, 2 malformed (lines 5231, 5232)")
        .contains("harvester-9").contains("block");
    JsonNode json = new ObjectMapper().readTree(report.resolve("analysis.json").toFile());
    assertThat(json.path("flagged")).hasSize(1);
    assertThat(json.path("flagged").path(0).path("account").asText()).isEqualTo("harvester-9");
    assertThat(json.path("flagged").path(0).path("first_flagged").asText())
        .isEqualTo(Instant.parse("2025-03-03T00:00:00Z").plusSeconds(5000L * 8).toString());
    assertThat(Files.readString(report.resolve("analysis.md"))).contains("## Flagged accounts")
        .contains("harvester-9").contains("volume-threshold");
  }

  @Test
  void badInputIsAClearErrorWithExitCode1() throws Exception {
    Path mapping = dir.resolve("mapping.yaml");
    Files.writeString(mapping, MAPPING);
    Path logs = log();
    assertThat(Main.run("analyze", "--logs", dir.resolve("none.jsonl").toString(), "--mapping",
        mapping.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("log file not found");
    assertThat(Main.run("analyze", "--logs", logs.toString(), "--mapping", dir.resolve("none.yaml").toString()))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("mapping file not found");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "account: meta.api_key_owner\ntimestamp: created\nprompt: x\nrespnse: answer\n");
    assertThat(Main.run("analyze", "--logs", logs.toString(), "--mapping", bad.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("bad.yaml: unknown field 'respnse'");
    Path wrong = dir.resolve("wrong.yaml");
    Files.writeString(wrong, MAPPING.replace("meta.api_key_owner", "meta.user"));
    assertThat(Main.run("analyze", "--logs", logs.toString(), "--mapping", wrong.toString(), "--out",
        dir.resolve("o").toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("mapped field 'account'").contains("meta.user");
    assertThat(Main.run("analyze", "--logs", logs.toString(), "--mapping", mapping.toString(), "--detectors",
        "magic")).isEqualTo(1);
    assertThat(cli.stderr()).contains("unknown detector set 'magic'");
  }
}
