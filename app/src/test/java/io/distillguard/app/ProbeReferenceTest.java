package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code probe --reference} and {@code watermark calibrate --reference} on files, and their input errors. */
class ProbeReferenceTest {
  static final String SECRET = "probe-reference-test-secret-0123";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  /** Answers with contractions and synonyms in many contexts, as harvest JSONL. */
  Path answers(String name, int n, long seed, Watermarker marker) throws Exception {
    String[] subjects = {"the cat", "my car", "the river", "this plan", "the report", "a garden", "our team",
        "the printer", "his code", "the answer", "their house", "the table", "her brother", "the model", "it",
        "the city", "each student", "the salary"};
    String[] verbs = {"does not", "doesn't", "is not", "isn't", "will not", "won't", "cannot", "can't",
        "was not", "wasn't", "is often", "is famous", "is maybe"};
    Random r = new Random(seed);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 10; j++) {
        sb.append(subjects[r.nextInt(subjects.length)]).append(' ').append(verbs[r.nextInt(verbs.length)])
            .append(" work here. ");
      }
      String answer = marker == null ? sb.toString().trim() : marker.apply(sb.toString().trim());
      lines.add(JSON.writeValueAsString(JSON.createObjectNode().set("messages", JSON.createArrayNode()
          .add(JSON.createObjectNode().put("role", "user").put("content", "q" + i))
          .add(JSON.createObjectNode().put("role", "assistant").put("content", answer)))));
    }
    return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
  }

  Path setUpKeys() throws Exception {
    Files.writeString(dir.resolve("secret"), SECRET + "\n");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add("acct-" + i);
    }
    return Files.write(dir.resolve("ids.txt"), ids);
  }

  @Test
  void scoresAFileAgainstAReferenceAndNamesTheKey() throws Exception {
    Path ids = setUpKeys();
    Watermarker marker = new Watermarker(Lexicon.standard(),
        WatermarkKey.account(SECRET.getBytes(StandardCharsets.UTF_8), "acct-7"), 1.0);
    Path suspect = answers("suspect.jsonl", 200, 1, marker);
    Path reference = answers("reference.jsonl", 200, 2, null);
    Path out = dir.resolve("evidence");
    int code = Main.run("probe", "--texts", suspect.toString(), "--accounts", ids.toString(), "--secret-file",
        dir.resolve("secret").toString(), "--reference", reference.toString(), "--strength", "1.0",
        "--null-keys", "20", "--out", out.toString());
    assertThat(code).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("account:acct-7");
    JsonNode ev = JSON.readTree(out.resolve("evidence.json").toFile());
    assertThat(ev.at("/top_keys/0/key").asText()).contains("acct-7");
    assertThat(ev.at("/method/test").asText()).contains("reference text of the teacher");
    assertThat(ev.at("/facts/reference answers").asInt()).isEqualTo(200);
  }

  @Test
  void rejectsAnEmptyOrMissingReference() throws Exception {
    Path ids = setUpKeys();
    Path suspect = answers("suspect.jsonl", 5, 1, null);
    Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n");
    int code = Main.run("probe", "--texts", suspect.toString(), "--accounts", ids.toString(), "--secret-file",
        dir.resolve("secret").toString(), "--reference", empty.toString(), "--out", dir.resolve("e1").toString());
    assertThat(code).isNotZero();
    assertThat(cli.stderr()).contains("--reference", "holds no answers");
    cli.resetErr();
    code = Main.run("probe", "--texts", suspect.toString(), "--accounts", ids.toString(), "--secret-file",
        dir.resolve("secret").toString(), "--reference", dir.resolve("missing.jsonl").toString(), "--out",
        dir.resolve("e2").toString());
    assertThat(code).isNotZero();
    assertThat(cli.stderr()).contains("missing.jsonl");
  }

  @Test
  void calibratesAgainstAReference() throws Exception {
    Path texts = answers("clean.jsonl", 400, 3, null);
    Path reference = answers("reference.jsonl", 200, 4, null);
    int code = Main.run("watermark", "calibrate", "--texts", texts.toString(), "--max", "400", "--group", "20",
        "--keys", "5", "--reference", reference.toString());
    assertThat(code).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("samples 100 (of 400 texts, groups of 20");
  }
}
