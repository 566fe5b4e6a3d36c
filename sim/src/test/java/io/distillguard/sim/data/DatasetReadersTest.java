package io.distillguard.sim.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetReadersTest {
  @Test
  void hhTranscriptsSplitIntoHumanTurns() {
    String t = "\n\nHuman: How do I bake bread?\n\nAssistant: Mix flour and water.\n\nHuman: How long?\n\n"
        + "Assistant: About an hour.";
    assertThat(DatasetReaders.humanTurns(t)).containsExactly("How do I bake bread?", "How long?");
    assertThat(DatasetReaders.humanTurns("\n\nHuman: only one")).containsExactly("only one");
  }

  @Test
  void csvWithQuotesCommasAndNewlines() {
    List<List<String>> rows = DatasetReaders.Csv.parse("\"act\",\"prompt\"\n\"A, B\",\"say \"\"hi\"\"\nnow\"\n");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(1)).containsExactly("A, B", "say \"hi\"\nnow");
  }

  @Test
  void gsm8kCalculatorNotesAreDropped() {
    assertThat(DatasetReaders.stripCalculatorNotes("48/2 = <<48/2=24>>24 clips.\n#### 72"))
        .isEqualTo("48/2 = 24 clips.\nThe answer is 72");
    assertThat(DatasetReaders.unescape("a\\nb\\tc")).isEqualTo("a\nb\tc");
  }
}
