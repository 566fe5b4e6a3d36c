package io.distillguard.sim.harvest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.sim.data.DataSets;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFilesTest {
  @TempDir Path dir;

  @Test
  void readsJsonlWithPromptInstructionOrMessages() throws Exception {
    Path f = dir.resolve("p.jsonl");
    Files.writeString(f, """
        {"prompt": "What is 2+2?", "id": 1}

        {"instruction": "Translate to French", "input": "good morning"}
        {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Name a prime."}]}
        """);
    assertThat(PromptFiles.read(f)).containsExactly("What is 2+2?", "Translate to French\n\ngood morning",
        "Name a prime.");
  }

  @Test
  void readsPlainTextOnePromptPerLineAndGzip() throws Exception {
    Path f = dir.resolve("p.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write("first prompt\n\n  second prompt  \n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(PromptFiles.read(f)).containsExactly("first prompt", "second prompt");
  }

  @Test
  void badFilesAreNamedWithTheLine() throws Exception {
    assertThatThrownBy(() -> PromptFiles.read(dir.resolve("missing.jsonl")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt file not found");
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"prompt\": \"ok\"}\n{\"text\": \"no prompt here\"}\n");
    assertThatThrownBy(() -> PromptFiles.read(f)).hasMessageContaining("bad.jsonl:2").hasMessageContaining("prompt");
    Files.writeString(f, "{\"prompt\": \"ok\"}\n{not json\n");
    assertThatThrownBy(() -> PromptFiles.read(f)).hasMessageContaining("bad.jsonl:2: not a JSON object");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "\n\n");
    assertThatThrownBy(() -> PromptFiles.read(empty)).hasMessageContaining("no prompts");
  }

  @Test
  void datasetsByName() {
    List<String> p = PromptFiles.dataset(DataSets.fixtures(), "gsm8k");
    assertThat(p).isNotEmpty().allSatisfy(s -> assertThat(s).isNotBlank());
    assertThatThrownBy(() -> PromptFiles.dataset(DataSets.fixtures(), "no-such-set"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown dataset");
  }

  @Test
  void cidrDrawsAddressesInsideTheNetwork() {
    SplittableRandom rng = new SplittableRandom(7);
    Cidr v4 = Cidr.parse("203.0.113.77/24");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String ip = v4.random(rng);
      assertThat(ip).startsWith("203.0.113.");
      seen.add(ip);
    }
    assertThat(seen.size()).isGreaterThan(10);
    assertThat(Cidr.parse("192.0.2.5").random(rng)).isEqualTo("192.0.2.5");
    assertThat(Cidr.parse("2001:db8::/64").random(rng)).startsWith("2001:db8:0:0:");
    assertThatThrownBy(() -> Cidr.parse("example.com/24")).hasMessageContaining("not a CIDR");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("prefix");
  }
}
