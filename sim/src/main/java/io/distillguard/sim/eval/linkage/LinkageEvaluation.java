package io.distillguard.sim.eval.linkage;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.Verdict;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.eval.EvalReport;
import io.distillguard.sim.eval.RunMetrics;
import io.distillguard.sim.run.Disposition;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.run.RunListener;
import io.distillguard.sim.run.SimulationSource;
import io.distillguard.sim.run.TrafficSource;
import io.distillguard.sim.scenario.Scenario;
import java.time.Duration;
import java.time.Instant;

/**
 * One in-process run of a scenario with per-account detection and cross-account linkage together, enforcement
 * applying both: the per-account report (what each campaign harvested, benign accounts touched) and the linkage
 * report (accounts linked, prompt set harvested when the cluster was blocked, benign accounts wrongly linked).
 */
public final class LinkageEvaluation {
  private LinkageEvaluation() {}

  /** Both reports of the run. */
  public record Result(EvalReport.RunReport run, LinkageReport linkage) {}

  /**
   * @param interval event time between recomputations (incremental joins happen on every exchange in between)
   */
  public static Result evaluate(Scenario scenario, DataSets data, DetectorSet set, InProcessRunner.Options options,
      LinkageConfig config, Duration interval) {
    return run(scenario.name(), new SimulationSource(Simulation.create(scenario, data)), set, options, config,
        interval);
  }

  public static Result run(String name, TrafficSource source, DetectorSet set, InProcessRunner.Options options,
      LinkageConfig config, Duration interval) {
    RunMetrics metrics = new RunMetrics();
    LinkageMetrics linkage = new LinkageMetrics(name, set.name());
    InProcessRunner runner = new InProcessRunner(set, options)
        .withLinkage(() -> new LinkageEngine(config, set.newEngine()), interval);
    InProcessRunner.Result result = runner.run(source, new Both(metrics, linkage));
    return new Result(metrics.report(set, result), linkage.report());
  }

  /** Tells two listeners everything, in order. */
  private record Both(RunListener a, RunListener b) implements RunListener {
    @Override
    public void onStart(TrafficSource source) {
      a.onStart(source);
      b.onStart(source);
    }

    @Override
    public void onExchange(SimRequest request, Disposition disposition, Exchange exchange) {
      a.onExchange(request, disposition, exchange);
      b.onExchange(request, disposition, exchange);
    }

    @Override
    public void onVerdict(SimRequest request, Verdict verdict) {
      a.onVerdict(request, verdict);
      b.onVerdict(request, verdict);
    }

    @Override
    public void onSample(Instant at, DetectionEngine engine) {
      a.onSample(at, engine);
      b.onSample(at, engine);
    }

    @Override
    public void onLinkage(LinkageAction action) {
      a.onLinkage(action);
      b.onLinkage(action);
    }

    @Override
    public void onLinkageEnd(LinkageEngine engine) {
      a.onLinkageEnd(engine);
      b.onLinkageEnd(engine);
    }

    @Override
    public void onEnd(Instant at, TrafficSource source) {
      a.onEnd(at, source);
      b.onEnd(at, source);
    }
  }
}
