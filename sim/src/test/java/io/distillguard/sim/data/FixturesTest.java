package io.distillguard.sim.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FixturesTest {
  private final DataSets fixtures = DataSets.fixtures();

  @Test
  void fixturesStandInForEveryDataset() {
    assertThat(fixtures.real()).isFalse();
    assertThat(DataSets.load(null).real()).isFalse();
    assertThat(DataSets.load(java.nio.file.Path.of("/no/such/dir")).real()).isFalse();
    for (DatasetInfo info : DatasetInfo.CATALOG.values()) {
      PromptPool pool = fixtures.pool(info.name());
      assertThat(pool.real()).isFalse();
      assertThat(pool.size()).as(info.name()).isGreaterThanOrEqualTo(12);
      assertThat(pool.prompts()).allSatisfy(p -> assertThat(p.text()).isNotBlank());
    }
    assertThat(fixtures.alpacaGenerationPrompt()).contains("20").contains("instruction");
    assertThat(fixtures.traces()).isEqualTo(TraceFit.DEFAULT);
    assertThat(fixtures.describe()).contains("built-in fixtures").contains("fixture");
  }

  @Test
  void fixtureFollowUpsAndTranslationsAreMeaningful() {
    assertThat(fixtures.pool("hh-rlhf-helpful").withFollowUps()).hasSizeGreaterThan(10);
    assertThat(fixtures.pool("fastchat-mtbench-vicuna").withFollowUps()).hasSizeGreaterThan(5);
    Map<String, List<Prompt>> byLang = fixtures.pool("mgsm").byLanguage();
    assertThat(byLang.keySet()).containsExactly("en", "es", "fr", "de", "ru", "ja", "zh");
    Map<String, List<String>> answersByGroup = fixtures.pool("mgsm").prompts().stream()
        .collect(Collectors.groupingBy(Prompt::group, Collectors.mapping(Prompt::answer, Collectors.toList())));
    assertThat(answersByGroup).hasSize(8);
    answersByGroup.values().forEach(a -> assertThat(a).hasSize(7).containsOnly(a.get(0)));
    assertThat(fixtures.pool("self-instruct").prompts()).anySatisfy(p -> assertThat(p.input()).isNotEmpty());
  }

  @Test
  void splitsPartitionTheCatalog() {
    List<String> tuning = DatasetInfo.names(Split.TUNING, null);
    List<String> holdout = DatasetInfo.names(Split.HOLDOUT, null);
    assertThat(tuning).doesNotContainAnyElementsOf(holdout);
    assertThat(tuning.size() + holdout.size()).isEqualTo(DatasetInfo.CATALOG.size());
    assertThat(holdout).containsExactlyInAnyOrder("openassistant-eval-prompts", "fastchat-mtbench-vicuna",
        "t0-templates-sample", "code-alpaca-2k", "mgsm");
    assertThat(DatasetInfo.names(Split.TUNING, DatasetInfo.Kind.BENIGN)).isNotEmpty();
    assertThat(DatasetInfo.names(Split.HOLDOUT, DatasetInfo.Kind.BENIGN)).isNotEmpty();
  }
}
