package io.distillguard.sim.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.Split;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TemplateTest {
  @Test
  void slotsConditionalsAndAlternatives() {
    Template t = Template.compile("t", "### Instruction:\n{instruction}\n{?input}### Input:\n{input}\n{/input}"
        + "[[Go|Answer]]: { x } {\"k\": 1}");
    Template.Fill f = new Template.Fill().set(Template.INSTRUCTION, "Sort").set(Template.INPUT, "b a");
    SplittableRandom rng = new SplittableRandom(1);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(t.render(f, rng));
    }
    assertThat(seen).containsExactlyInAnyOrder(
        "### Instruction:\nSort\n### Input:\nb a\nGo: { x } {\"k\": 1}",
        "### Instruction:\nSort\n### Input:\nb a\nAnswer: { x } {\"k\": 1}");
    f.set(Template.INPUT, "");
    assertThat(t.render(f, rng)).startsWith("### Instruction:\nSort\n").doesNotContain("Input");
    assertThat(t.variants()).isEqualTo(2);
    assertThat(t.uses(Template.INPUT)).isTrue();
    assertThat(t.uses(Template.CANDIDATE)).isFalse();
  }

  @Test
  void flanPlaceholdersTakeThePrompt() {
    Template t = Template.compile("flan", "{text}\n\nWhat is a summary of this text?");
    assertThat(t.render(new Template.Fill().set(Template.PROMPT, "Long text."), new SplittableRandom(1)))
        .isEqualTo("Long text.\n\nWhat is a summary of this text?");
    assertThat(TemplateBank.flan(DataSets.fixtures().pool("flan-v2-templates"))).hasSizeGreaterThan(10);
  }

  @Test
  void unbalancedMarkersAreRejected() {
    assertThatThrownBy(() -> Template.compile("x", "{?input} no end")).hasMessageContaining("x");
    assertThatThrownBy(() -> Template.compile("y", "[[a|b")).hasMessageContaining("y");
  }

  private static String key(TemplateBank.Entry e) {
    return (e.system() == null ? "" : e.system().source()) + "|" + e.user().source();
  }

  @Test
  void everyBankHasTuningAndHoldoutTemplatesThatDiffer() {
    for (String bank : new String[] {"naive", "low-and-slow", "hydra", "mixed-proxy", "cot", "json-reasoning",
        "grader", "translate", "evasive"}) {
      Set<String> tuning = new HashSet<>();
      TemplateBank.get(bank, Split.TUNING).forEach(e -> tuning.add(key(e)));
      TemplateBank.get(bank, Split.HOLDOUT).forEach(e -> assertThat(tuning).doesNotContain(key(e)));
    }
    for (String lang : new String[] {"en", "es", "fr", "de", "ru", "ja", "zh", "sw"}) {
      assertThat(TemplateBank.language(lang, Split.TUNING)).isNotEmpty();
      assertThat(TemplateBank.language(lang, Split.HOLDOUT)).isNotEmpty();
    }
    // Evasive templates paraphrase: many wordings per template.
    assertThat(TemplateBank.get("evasive", Split.TUNING).get(0).user().variants()).isGreaterThan(50);
  }
}
