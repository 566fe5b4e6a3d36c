package io.distillguard.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.sim.campaign.CampaignStrategies;
import io.distillguard.sim.data.DatasetInfo;
import io.distillguard.sim.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ScenarioLoaderTest {
  static final Path SCENARIOS = Path.of("../scenarios");

  static final String VALID = String.join("\n",
      "name: t",
      "seed: 5",
      "duration: 36h",
      "population:",
      "  accounts: 50",
      "campaigns:",
      "  - id: a",
      "    strategy: naive",
      "    start: 90m",
      "    params: {rate: 120/min}",
      "  - id: b",
      "    strategy: hydra",
      "    accounts: 30",
      "    params: {tick: 10m, per_account_per_day: 6}",
      "");

  @Test
  void parsesAValidScenario() {
    Scenario s = ScenarioLoader.parse(VALID, "t.yaml");
    assertThat(s.name()).isEqualTo("t");
    assertThat(s.seed()).isEqualTo(5);
    assertThat(s.start()).isEqualTo(ScenarioLoader.DEFAULT_START);
    assertThat(s.duration()).isEqualTo(Duration.ofHours(36));
    assertThat(s.end()).isEqualTo(Instant.parse("2025-03-04T12:00:00Z"));
    assertThat(s.data()).isEqualTo(DataSpec.TUNING);
    assertThat(s.flagshipModel()).isEqualTo("builtin-large");
    assertThat(s.population().accounts()).isEqualTo(50);
    assertThat(s.campaigns()).extracting(CampaignSpec::id).containsExactly("a", "b");
    CampaignSpec a = s.campaigns().get(0);
    assertThat(a.start()).isEqualTo(Duration.ofMinutes(90));
    assertThat(a.params().rate("rate", 0)).isEqualTo(2.0);
    CampaignSpec b = s.campaigns().get(1);
    assertThat(b.params().duration("tick", null)).isEqualTo(Duration.ofMinutes(10));
    assertThat(b.accounts()).isEqualTo(30);
  }

  private static String replace(String from, String to) {
    assertThat(VALID).contains(from);
    return VALID.replace(from, to);
  }

  private static void fails(String yaml, String... fragments) {
    assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "bad.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad.yaml: ")
        .satisfies(e -> {
          for (String f : fragments) {
            assertThat(e.getMessage()).contains(f);
          }
        });
  }

  @Test
  void errorsNameTheFieldPath() {
    fails(VALID + "colour: red\n", "colour: unknown key");
    fails(replace("seed: 5", "seed: five"), "seed: expected a whole number");
    fails(replace("seed: 5\n", ""), "seed: required");
    fails(replace("duration: 36h", "duration: 36 hours"), "duration: bad duration '36 hours'");
    fails(replace("  accounts: 50", "  accounts: 50\n  acounts: 3"), "population.acounts: unknown key");
    fails(replace("  accounts: 50", "  accounts: -1"), "population.accounts: must be between");
    fails(replace("    params: {rate: 120/min}", "    params: {rate: fast}"), "campaigns[0].params.rate: bad rate 'fast'");
    fails(replace("    params: {rate: 120/min}", "    params: {rat: 2/s}"),
        "campaigns[0].params.rat: unknown parameter of strategy naive");
    fails(replace("tick: 10m", "tick: often"), "campaigns[1].params.tick: bad duration 'often'");
    fails(replace("strategy: hydra", "strategy: kraken"), "campaigns[1].strategy: unknown strategy 'kraken'");
    fails(replace("id: b", "id: a"), "campaigns[1].id: duplicate campaign id 'a'");
    fails(replace("    start: 90m", "    start: 2d"), "campaigns[0].start: starts at 2d");
    fails(replace("    start: 90m", "    start: 90m\n    datasets: [mgsm]"),
        "campaigns[0].datasets[0]: 'mgsm' is outside the scenario's data");
    fails(replace("    start: 90m", "    start: 90m\n    datasets: [no-such]"),
        "campaigns[0].datasets[0]: unknown dataset 'no-such'");
    fails(replace("    start: 90m", "    start: 90m\n    model: gpt-9"), "campaigns[0].model: unknown model 'gpt-9'");
    fails(replace("per_account_per_day: 6", "per_account_per_day: lots"),
        "campaigns[1].params.per_account_per_day: expected a number");
    fails("name: x\nseed: 1\nduration: 1d\ndata: {split: holdout, templates: tuning}\n",
        "data.templates: a holdout scenario must use holdout templates");
    fails("name: x\nseed: 1\nduration: 1d\ndata: {split: holdout, datasets: [gsm8k]}\n",
        "data.datasets[0]: dataset 'gsm8k' belongs to the tuning split");
    fails("name: x\nseed: 1\nduration: 1d\ndata: {split: middle}\n", "data.split: unknown split 'middle'");
    fails(replace("strategy: hydra", "strategy: multilingual-sweep").replace("{tick: 10m, per_account_per_day: 6}",
        "{languages: [en, xx]}"), "campaigns[1].params.languages: unknown language 'xx'");
    fails(replace("    params: {rate: 120/min}", "    params: {rate: 120/min}\n    datasets: []").replace("name: t",
        "name: t\ndata: {datasets: [sharegpt-first-turn]}"), "campaigns[0].datasets: none of the default datasets");
    fails("name: [x\n", "not valid YAML");
    fails("name: x\nseed: 1\nseed: 2\nduration: 1d\n", "not valid YAML", "seed");
  }

  @Test
  void campaignDatasetsFollowTheSplit() {
    Scenario s = ScenarioLoader.parse("name: h\nseed: 1\nduration: 1d\ndata: {split: holdout}\n"
        + "campaigns:\n  - {id: r, strategy: reasoning-harvest}\n  - {id: m, strategy: multilingual-sweep}\n", "h");
    assertThat(s.data().templates()).isEqualTo(Split.HOLDOUT);
    assertThat(CampaignStrategies.datasets(s.campaigns().get(0), s.data()))
        .containsExactly("mgsm", "code-alpaca-2k", "t0-templates-sample");
    assertThat(CampaignStrategies.datasets(s.campaigns().get(1), s.data())).containsExactly("mgsm");
  }

  @Test
  void everyShippedScenarioLoads() throws IOException {
    List<Path> files;
    try (Stream<Path> st = Files.list(SCENARIOS)) {
      files = st.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("smoke.yaml", "week-10k.yaml",
        "holdout-week.yaml", "naive.yaml", "low-and-slow.yaml", "hydra.yaml", "mixed-proxy.yaml",
        "reasoning-harvest.yaml", "multilingual-sweep.yaml", "evasive.yaml");
    for (Path f : files) {
      Scenario s = ScenarioLoader.load(f);
      assertThat(s.name()).isEqualTo(f.getFileName().toString().replace(".yaml", ""));
      for (CampaignSpec c : s.campaigns()) {
        assertThat(CampaignStrategies.datasets(c, s.data())).as(f + " " + c.id()).isNotEmpty();
      }
    }
    Scenario week = ScenarioLoader.load(SCENARIOS.resolve("week-10k.yaml"));
    assertThat(week.population().accounts()).isEqualTo(10_000);
    assertThat(week.duration()).isEqualTo(Duration.ofDays(7));
    assertThat(week.campaigns()).extracting(CampaignSpec::strategy)
        .containsExactlyInAnyOrderElementsOf(CampaignStrategies.names());
    Scenario smoke = ScenarioLoader.load(SCENARIOS.resolve("smoke.yaml"));
    assertThat(smoke.campaigns()).extracting(CampaignSpec::strategy).containsExactly("naive", "reasoning-harvest");
  }

  @Test
  void holdoutWeekUsesOnlyHoldoutDataAndTemplates() {
    Scenario s = ScenarioLoader.load(SCENARIOS.resolve("holdout-week.yaml"));
    assertThat(s.data().split()).isEqualTo(Split.HOLDOUT);
    assertThat(s.data().templates()).isEqualTo(Split.HOLDOUT);
    assertThat(s.data().allowed()).allSatisfy(d -> assertThat(DatasetInfo.of(d).split()).isEqualTo(Split.HOLDOUT));
    assertThat(s.campaigns()).extracting(CampaignSpec::strategy)
        .containsExactlyInAnyOrderElementsOf(CampaignStrategies.names());
    for (CampaignSpec c : s.campaigns()) {
      assertThat(c.templates() == null || c.templates() == Split.HOLDOUT).isTrue();
      assertThat(CampaignStrategies.datasets(c, s.data()))
          .allSatisfy(d -> assertThat(DatasetInfo.of(d).split()).isEqualTo(Split.HOLDOUT));
    }
  }
}
