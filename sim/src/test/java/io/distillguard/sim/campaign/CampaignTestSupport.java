package io.distillguard.sim.campaign;

import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Runs a scenario of campaigns only (no benign population) and collects the requests. */
final class CampaignTestSupport {
  private CampaignTestSupport() {}

  static String scenario(String duration, String campaigns) {
    return scenario(duration, "tuning", campaigns);
  }

  static String scenario(String duration, String split, String campaigns) {
    return "name: c\nseed: 42\nduration: " + duration + "\ndata: {split: " + split + "}\npopulation: {accounts: 0, heavy: {batch_eval: 0, "
        + "integration: 0, researcher: 0}}\ncampaigns:\n" + campaigns;
  }

  static Simulation simulation(String duration, String campaigns) {
    return Simulation.create(ScenarioLoader.parse(scenario(duration, campaigns), "c"), DataSets.fixtures());
  }

  static Simulation simulation(String duration, String split, String campaigns) {
    return Simulation.create(ScenarioLoader.parse(scenario(duration, split, campaigns), "c"), DataSets.fixtures());
  }

  static final SimResult OK = new SimResult(200, 0, "Here is a long and careful answer.", 10, 100);

  /** Runs to the end answering with {@code answer} (request, index) and returns every request. */
  static List<SimRequest> run(Simulation sim, BiFunction<SimRequest, Integer, SimResult> answer) {
    List<SimRequest> out = new ArrayList<>();
    SimRequest r;
    while ((r = sim.next()) != null) {
      out.add(r);
      sim.report(r, answer.apply(r, out.size() - 1));
    }
    return out;
  }

  static List<SimRequest> run(Simulation sim) {
    return run(sim, (r, i) -> OK);
  }
}
