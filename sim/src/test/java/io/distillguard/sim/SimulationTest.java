package io.distillguard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SimulationTest {
  @Test
  void smokeRuns() {
    Simulation sim = Simulation.create(ScenarioLoader.load(Path.of("../scenarios/smoke.yaml")), DataSets.fixtures());
    long n = 0;
    SimRequest r;
    while ((r = sim.next()) != null) {
      sim.report(r, new SimResult(200, 0, "ok answer", 10, 20));
      n++;
    }
    System.out.println("requests " + n + " accounts " + sim.accounts().size() + " " + sim.campaignStats());
    assertThat(n).isGreaterThan(100);
  }
}
