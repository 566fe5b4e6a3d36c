package io.distillguard.bench;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.Verdict;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.run.Disposition;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.run.RunListener;
import io.distillguard.sim.run.SimulationSource;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Realistic exchanges for the detection benchmarks: a scenario's simulated traffic (benign population, heavy users
 * and campaigns, on the public datasets when present) as the in-process runner turns it into {@link Exchange}s.
 */
final class DetectionTraces {
  private DetectionTraces() {}

  /** The public datasets: {@code -Ddistillguard.data}, {@code $DISTILLGUARD_DATA}, else {@code ../shared/data}. */
  static DataSets data() {
    String d = System.getProperty("distillguard.data", System.getenv("DISTILLGUARD_DATA"));
    Path dir = d != null && !d.isBlank() ? Path.of(d) : Path.of("..", "shared", "data");
    return DataSets.load(Files.isDirectory(dir) ? dir : null);
  }

  /**
   * Up to {@code count} exchanges of a scenario from {@code skip} of simulated time on, as the gateway would record
   * them. The run enforces only the baseline's volume rule, so campaigns keep sending as they would before being
   * caught and the trace keeps their traffic.
   */
  static Exchange[] capture(Path scenario, Duration skip, int count) {
    Simulation sim = Simulation.create(ScenarioLoader.load(scenario), data());
    List<Exchange> out = new ArrayList<>(count);
    Instant[] from = {null};
    run(sim, DetectorSet.baseline(), (e) -> {
      if (from[0] == null) {
        from[0] = e.eventTime().plus(skip);
      }
      if (out.size() < count && !e.eventTime().isBefore(from[0])) {
        out.add(e);
      }
    }, null);
    return out.toArray(new Exchange[0]);
  }

  /**
   * Runs a whole scenario through a detector set with simulated enforcement, telling {@code exchanges} every
   * exchange; returns the engine as it was at the end.
   */
  static DetectionEngine run(Simulation sim, DetectorSet set, Consumer<Exchange> exchanges,
      InProcessRunner.Progress progress) {
    DetectionEngine[] engine = {null};
    InProcessRunner.Options o = InProcessRunner.Options.defaults();
    new InProcessRunner(set, progress == null ? o : o.withProgress(progress)).run(new SimulationSource(sim),
        new RunListener() {
          @Override
          public void onExchange(SimRequest request, Disposition disposition, Exchange exchange) {
            exchanges.accept(exchange);
          }

          @Override
          public void onVerdict(SimRequest request, Verdict verdict) {}

          @Override
          public void onSample(Instant at, DetectionEngine e) {
            engine[0] = e;
          }
        });
    return engine[0];
  }
}
