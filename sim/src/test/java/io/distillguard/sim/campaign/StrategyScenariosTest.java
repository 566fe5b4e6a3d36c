package io.distillguard.sim.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.sim.Label;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.TestData;
import io.distillguard.sim.scenario.CampaignSpec;
import io.distillguard.sim.scenario.PopulationSpec;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every per-strategy scenario file runs (benign population cut to 100 accounts to keep it fast) on the real
 * datasets when present, else on the fixtures, and its campaign sends labelled attack traffic.
 */
class StrategyScenariosTest {

  @ParameterizedTest
  @ValueSource(strings = {"naive", "low-and-slow", "hydra", "mixed-proxy", "reasoning-harvest",
      "multilingual-sweep", "evasive"})
  void scenarioRuns(String name) {
    DataSets data = TestData.realOrFixtures();
    Scenario s = ScenarioLoader.load(Path.of("../scenarios", name + ".yaml"));
    s = s.withPopulation(new PopulationSpec(100, 3, 1.9, 5000, 0.3, 0.5, 0.4, 0.05,
        new PopulationSpec.Heavy(0, 0, 0, 0), List.of()));
    Simulation sim = Simulation.create(s, data);
    CampaignSpec spec = s.campaigns().get(0);
    assertThat(spec.strategy()).isEqualTo(name);
    Map<Boolean, Integer> attack = new HashMap<>();
    SimRequest r;
    while ((r = sim.next()) != null) {
      attack.merge(r.attack(), 1, Integer::sum);
      if (r.attack()) {
        assertThat(r.account().label()).isEqualTo(new Label(Label.Kind.CAMPAIGN, spec.id()));
        String text = r.messages().get(r.messages().size() - 1).content();
        assertThat(text).isNotBlank().doesNotContain("{prompt}").doesNotContain("[[");
      }
      sim.report(r, new SimResult(200, 0, "An answer.", 5, 50));
    }
    CampaignStats stats = sim.campaignStats(spec.id());
    assertThat(attack.getOrDefault(true, 0)).isEqualTo((int) stats.attackRequests()).isPositive();
    assertThat(stats.promptsHarvested()).isPositive();
    assertThat(attack.getOrDefault(false, 0)).isPositive(); // the benign population (and cover traffic)
  }
}
