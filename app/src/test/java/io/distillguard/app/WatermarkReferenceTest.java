package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watermark reference} (the teacher's answers to the probe prompts, several per prompt), {@code probe
 * --save-texts} and {@code probe --reference} with several files, against the builtin upstream.
 */
class WatermarkReferenceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static BuiltinUpstream upstream;

  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  @BeforeAll
  static void start() {
    upstream = BuiltinUpstream.start(new BuiltinUpstreamOptions().host("127.0.0.1").port(0));
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  Path prompts() throws Exception {
    return Files.writeString(dir.resolve("prompts.jsonl"), "{\"prompt\": \"How do I boil an egg?\"}\n"
        + "{\"prompt\": \"What is recursion?\"}\n{\"prompt\": \"Explain photosynthesis.\"}\n"
        + "{\"prompt\": \"How does a bicycle stay upright?\"}\n", StandardCharsets.UTF_8);
  }

  static List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(JSON.readTree(l));
    }
    return out;
  }

  @Test
  void writesSeveralAnswersPerPromptAsAReference() throws Exception {
    Path out = dir.resolve("ref/teacher.jsonl");
    int code = Main.run("watermark", "reference", "--target", upstream.baseUrl(), "--model", "builtin-small",
        "--prompts", prompts().toString(), "--max", "3", "--choices", "5", "--samples", "2", "--out",
        out.toString());
    assertThat(code).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("30 answers to 3 prompts (6 requests, 0 failed)");
    List<JsonNode> got = lines(out);
    assertThat(got).hasSize(30);
    Set<String> firstPrompt = new HashSet<>();
    for (JsonNode n : got) {
      assertThat(n.get("response").asText()).isNotBlank();
      if (n.get("prompt").asText().equals("How do I boil an egg?")) {
        firstPrompt.add(n.get("response").asText());
      }
    }
    assertThat(firstPrompt).hasSize(5); // five different answers to the same prompt, each twice
    assertThat(got).extracting(n -> n.get("prompt").asText()).doesNotContain("How does a bicycle stay upright?");
  }

  @Test
  void failsWhenTheTeacherCannotBeReached() throws Exception {
    int code = Main.run("watermark", "reference", "--target", "http://127.0.0.1:1/v1", "--model", "m",
        "--prompts", prompts().toString(), "--choices", "2", "--out", dir.resolve("none.jsonl").toString());
    assertThat(code).isNotZero();
    assertThat(cli.stderr()).contains("no answers");
  }

  @Test
  void probeSavesTheSuspectsAnswersAndScoresThemAgainstSeveralReferenceFiles() throws Exception {
    Files.writeString(dir.resolve("secret"), ProbeReferenceTest.SECRET + "\n");
    Path ids = Files.write(dir.resolve("ids.txt"), List.of("acct-1", "acct-2", "acct-3"));
    Path saved = dir.resolve("suspect.jsonl");
    int code = Main.run("probe", "--target", upstream.baseUrl(), "--model", "builtin-small", "--prompts",
        prompts().toString(), "--samples", "2", "--accounts", ids.toString(), "--secret-file",
        dir.resolve("secret").toString(), "--null-keys", "5", "--save-texts", saved.toString(), "--out",
        dir.resolve("e1").toString());
    assertThat(code).as(cli.stderr()).isZero();
    List<JsonNode> got = lines(saved);
    assertThat(got).hasSize(8);
    assertThat(got.get(0).get("prompt").asText()).isEqualTo("How do I boil an egg?");
    assertThat(got.get(4).get("prompt").asText()).isEqualTo("How do I boil an egg?"); // second round of samples
    assertThat(got.get(0).get("response").asText()).isNotBlank();

    Path r1 = dir.resolve("r1.jsonl");
    Path r2 = dir.resolve("r2.jsonl");
    assertThat(Main.run("watermark", "reference", "--target", upstream.baseUrl(), "--model", "builtin-small",
        "--prompts", prompts().toString(), "--choices", "3", "--out", r1.toString())).isZero();
    assertThat(Main.run("watermark", "reference", "--target", upstream.baseUrl(), "--model", "builtin-small",
        "--prompts", prompts().toString(), "--choices", "2", "--out", r2.toString())).isZero();
    code = Main.run("probe", "--texts", saved.toString(), "--accounts", ids.toString(), "--secret-file",
        dir.resolve("secret").toString(), "--null-keys", "5", "--reference", r1 + "," + r2, "--out",
        dir.resolve("e2").toString());
    assertThat(code).as(cli.stderr()).isZero();
    JsonNode ev = JSON.readTree(dir.resolve("e2/evidence.json").toFile());
    assertThat(ev.at("/facts/reference answers").asInt()).isEqualTo(20);
    assertThat(ev.at("/counts/texts").asInt()).isEqualTo(8);
  }
}
