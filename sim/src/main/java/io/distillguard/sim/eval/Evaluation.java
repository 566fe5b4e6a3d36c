package io.distillguard.sim.eval;

import io.distillguard.core.detect.DetectorSet;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.run.SimulationSource;
import io.distillguard.sim.run.TrafficSource;
import io.distillguard.sim.scenario.CampaignSpec;
import io.distillguard.sim.scenario.Scenario;
import java.util.LinkedHashMap;
import java.util.Map;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Evaluates a detector set on a scenario in-process: runs the scenario's traffic through the chosen set, then (when
 * it differs) through the {@link DetectorSet#baseline() baseline}, and with {@code ablation} through each detector
 * of the chosen set alone. Every run starts from a fresh traffic source with the same seed, so the runs see the same
 * population and campaigns (campaigns react to enforcement, so their traffic diverges once detection acts).
 */
public final class Evaluation {
  private Evaluation() {}

  /** What the caller wants to hear while runs go on. */
  public interface Observer {
    /** A run is starting; {@code index} counts from 1. */
    default void runStarted(String detectorSet, int index, int total) {}

    /** Progress within the current run. */
    default void progress(String detectorSet, long events, Instant simTime) {}

    /** A run is done. */
    default void runFinished(EvalReport.RunReport report) {}
  }

  /**
   * Evaluation settings.
   *
   * @param ablation run each detector of the chosen set alone too (only when it has more than one)
   * @param baseline run the baseline beside the chosen set (when they differ)
   * @param runner   in-process runner settings
   * @param observer progress, or null
   */
  public record Options(boolean ablation, boolean baseline, InProcessRunner.Options runner, Observer observer) {
    public Options {
      runner = runner == null ? InProcessRunner.Options.defaults() : runner;
      observer = observer == null ? new Observer() {} : observer;
    }

    public static Options defaults() {
      return new Options(false, true, InProcessRunner.Options.defaults(), null);
    }

    public Options withAblation(boolean a) {
      return new Options(a, baseline, runner, observer);
    }

    public Options withObserver(Observer o) {
      return new Options(ablation, baseline, runner, o);
    }

    public Options withRunner(InProcessRunner.Options r) {
      return new Options(ablation, baseline, r, observer);
    }
  }

  /**
   * Runs the evaluation.
   *
   * @param traffic a fresh, identically seeded traffic source on each call
   */
  public static EvalReport evaluate(EvalReport.ScenarioInfo scenario, Supplier<? extends TrafficSource> traffic,
      DetectorSet chosen, Options options) {
    Objects.requireNonNull(chosen, "chosen");
    List<DetectorSet> sets = new ArrayList<>();
    sets.add(chosen);
    String baselineName = null;
    if (options.baseline() && !chosen.name().equals(DetectorSet.BASELINE)) {
      DetectorSet b = DetectorSet.baseline();
      sets.add(b);
      baselineName = b.name();
    }
    List<String> ablation = new ArrayList<>();
    if (options.ablation() && chosen.detectors().size() > 1) {
      for (String d : chosen.detectorNames()) {
        DetectorSet alone = chosen.only(d);
        sets.add(alone);
        ablation.add(alone.name());
      }
    }
    List<EvalReport.RunReport> runs = new ArrayList<>();
    for (int i = 0; i < sets.size(); i++) {
      DetectorSet set = sets.get(i);
      options.observer().runStarted(set.name(), i + 1, sets.size());
      runs.add(runOnce(traffic.get(), set, options));
      options.observer().runFinished(runs.get(runs.size() - 1));
    }
    return new EvalReport(scenario, chosen.name(), baselineName, ablation, runs);
  }

  /**
   * Evaluates on a scenario: every run builds a fresh {@link Simulation} of it (same seed) on the same data.
   */
  public static EvalReport evaluate(Scenario scenario, DataSets data, DetectorSet chosen, Options options) {
    return evaluate(info(scenario), () -> new SimulationSource(Simulation.create(scenario, data)), chosen, options);
  }

  /** What the report says about a scenario. */
  public static EvalReport.ScenarioInfo info(Scenario s) {
    Map<String, String> campaigns = new LinkedHashMap<>();
    for (CampaignSpec c : s.campaigns()) {
      campaigns.put(c.id(), c.strategy());
    }
    return new EvalReport.ScenarioInfo(s.name(), s.description(), s.source(), s.seed(), s.start(), s.end(),
        campaigns);
  }

  /** One run of one set on one traffic source. */
  public static EvalReport.RunReport runOnce(TrafficSource source, DetectorSet set, Options options) {
    RunMetrics metrics = new RunMetrics();
    InProcessRunner.Options ro = options.runner()
        .withProgress((events, t) -> options.observer().progress(set.name(), events, t));
    InProcessRunner.Result result = new InProcessRunner(set, ro).run(source, metrics);
    return metrics.report(set, result);
  }
}
