package io.distillguard.sim.population;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Measures in-process generation speed on a scenario (default week-10k): requests per second on one thread, every
 * request answered 200 with a short text, as the in-process runner does. Prints, asserts nothing about timing.
 * Runs only with {@code -Ddistillguard.perf=true} (it takes ~20 s); or run {@link #main} directly:
 * {@code java -cp ... io.distillguard.sim.population.GenerationRateTest scenarios/week-10k.yaml ../shared/data}.
 */
class GenerationRateTest {

  @Test
  void weekTenK() {
    assumeTrue(Boolean.getBoolean("distillguard.perf"), "generation-rate measurement skipped: it takes ~20 s; run "
        + "with -Ddistillguard.perf=true");
    measure(Path.of("../scenarios/week-10k.yaml"), DataSets.defaultDirectory());
  }

  public static void main(String[] args) {
    Path scenario = Path.of(args.length > 0 ? args[0] : "scenarios/week-10k.yaml");
    Path data = args.length > 1 ? Path.of(args[1]) : DataSets.defaultDirectory();
    measure(scenario, data);
  }

  static void measure(Path scenarioFile, Path dataDir) {
    if (!Files.exists(scenarioFile)) {
      throw new IllegalArgumentException("no scenario " + scenarioFile.toAbsolutePath());
    }
    Scenario scenario = ScenarioLoader.load(scenarioFile);
    DataSets data = DataSets.load(dataDir);
    long t0 = System.nanoTime();
    Simulation sim = Simulation.create(scenario, data);
    long t1 = System.nanoTime();
    SimResult ok = new SimResult(200, 0, "Sure. Here is a short answer.", 20, 40);
    long n = 0;
    long attack = 0;
    SimRequest r;
    while ((r = sim.next()) != null) {
      sim.report(r, ok);
      n++;
      if (r.attack()) {
        attack++;
      }
    }
    long t2 = System.nanoTime();
    double secs = (t2 - t1) / 1e9;
    System.out.printf(Locale.ROOT, "%s on %s: setup %.2f s (data + population), %d requests (%d attack) from %d "
            + "accounts in %.2f s = %.0f requests/s%n", scenario.name(), data.real() ? "real data" : "fixtures",
        (t1 - t0) / 1e9, n, attack, sim.accounts().size(), secs, n / secs);
    sim.campaignStats().forEach(s -> System.out.println("  " + s));
  }
}
