package io.distillguard.app;

import io.distillguard.core.detect.DetectorSet;
import io.distillguard.detection.BenignReference;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.detection.MiniLmEmbedder;
import io.distillguard.sim.eval.ConsoleSummary;
import io.distillguard.sim.eval.EvalReport;
import io.distillguard.sim.eval.Evaluation;
import io.distillguard.sim.eval.ReportWriter;
import io.distillguard.sim.eval.Text;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.sim.eval.linkage.LinkageEvaluation;
import io.distillguard.sim.eval.linkage.LinkageReportWriter;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard eval}: runs a scenario's simulated traffic through detector sets in-process (no network), with
 * the gateway's enforcement simulated, and writes a report of how each campaign fared and how many benign accounts
 * were touched (Markdown, JSON, PNG and SVG charts).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Evaluate detector sets on a simulated scenario, in-process, against the baseline.",
        "Writes report.md, report.json and charts/ (PNG and SVG) under --out."})
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--scenario", required = true, paramLabel = "FILE", description = "scenario file (YAML)")
  Path scenario;

  @Option(names = "--detectors", paramLabel = "SET[,SET...]", defaultValue = DetectorSet.BASELINE,
      description = "detector sets to evaluate, combined when several (default ${DEFAULT-VALUE}; available: "
          + "see the error for an unknown name)")
  String detectors;

  @Option(names = "--data", paramLabel = "DIR",
      description = "public datasets directory (default: $DISTILLGUARD_DATA, else ../shared/data when present, "
          + "else small built-in fixtures)")
  String data;

  @Option(names = "--out", paramLabel = "DIR", description = "report directory (default reports/<scenario name>/)")
  Path out;

  @Option(names = "--seed", paramLabel = "N", description = "override the scenario's seed")
  Long seed;

  @Option(names = "--ablation", description = "also run each detector of the set alone")
  boolean ablation;

  @Option(names = "--linkage", description = "also run the set with cross-account linkage beside it (clusters, "
      + "cluster-wide enforcement); writes linkage.md and linkage.json")
  boolean linkage;

  @Option(names = "--expensive", description = "run the chosen set with the expensive tier (prompt embeddings on "
      + "sampled exchanges of suspects, MMD and nearest-neighbour tests; the shipped benign reference); the baseline "
      + "runs without it")
  boolean expensive;

  @Option(names = "--expensive-weights", paramLabel = "SHIFT,NN", description = "log-odds per unit of the "
      + "expensive tier's two signals (default 0,0 as shipped: findings explained, scores unmoved; "
      + "docs/detection.md measured 1.5,1.0)")
  String expensiveWeights;

  private final PrintStream stdout = System.out;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(scenario)) {
      throw new IllegalArgumentException("scenario file not found: " + scenario);
    }
    if (!Files.isRegularFile(scenario)) {
      throw new IllegalArgumentException("scenario is not a file: " + scenario);
    }
    DetectorSet set = DetectorSet.named(detectors);
    Scenario s;
    try {
      s = ScenarioLoader.load(scenario);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (seed != null) {
      s = s.withSeed(seed);
    }
    if (data != null && !data.isBlank() && !Files.isDirectory(Path.of(data))) {
      throw new IllegalArgumentException("--data: not a directory: " + data);
    }
    Path dataDir = DataSets.locate(data);
    io.distillguard.sim.data.DataSets sets = io.distillguard.sim.data.DataSets.load(dataDir);
    Path outDir = out != null ? out : Path.of("reports", Text.slug(s.name()));

    stdout.println("== DistillGuard evaluation (in-process) ==");
    stdout.println("scenario   " + scenario + ": " + printable(s.name()) + ", seed " + s.seed() + ", "
        + s.start() + " + " + Duration.between(s.start(), s.end()).toHours() + " h, " + s.campaigns().size()
        + " campaigns");
    stdout.println("data       " + (sets.real() ? sets.dir().toString()
        : "built-in fixtures (" + (dataDir == null ? "no data directory found" : "no public datasets in " + dataDir)
            + "; pass --data DIR or set DISTILLGUARD_DATA)"));
    stdout.println("detectors  " + set.name() + ": " + String.join(", ", set.detectorNames())
        + (set.name().equals(DetectorSet.BASELINE) ? "" : "  (compared with " + DetectorSet.BASELINE + ")"));
    stdout.println();

    Instant start = s.start();
    Instant end = s.end();
    List<ExpensiveTier> tiers = new java.util.ArrayList<>();
    InProcessRunner.Options runnerOptions = InProcessRunner.Options.defaults();
    if (expensive) {
      ExpensiveTier.Settings es = ExpensiveTier.Settings.defaults();
      if (expensiveWeights != null) {
        String[] w = expensiveWeights.split(",");
        if (w.length != 2) {
          throw new IllegalArgumentException("--expensive-weights: SHIFT,NN (two numbers): " + expensiveWeights);
        }
        es = es.withWeights(Double.parseDouble(w[0].trim()), Double.parseDouble(w[1].trim()));
      }
      long t0 = System.nanoTime();
      MiniLmEmbedder model = MiniLmEmbedder.shared();
      BenignReference reference = BenignReference.loadDefault();
      stdout.printf(Locale.ROOT, "expensive  %s loaded in %.1f s; reference %d prompts; %s%n", model.name(),
          (System.nanoTime() - t0) / 1e9, reference.size(), es);
      ExpensiveTier.Settings settings = es;
      runnerOptions = runnerOptions.withExpensive(() -> {
        ExpensiveTier t = new ExpensiveTier(model, reference, settings);
        tiers.add(t);
        return t;
      });
    }
    Evaluation.Options options = Evaluation.Options.defaults().withAblation(ablation).withRunner(runnerOptions)
        .withObserver(new Evaluation.Observer() {
          long lastPrinted;

          @Override
          public void runStarted(String detectorSet, int index, int total) {
            stdout.printf(Locale.ROOT, "run %d/%d: %s%n", index, total, detectorSet);
            lastPrinted = System.nanoTime();
          }

          @Override
          public void progress(String detectorSet, long events, Instant simTime) {
            long now = System.nanoTime();
            if (now - lastPrinted < 2_000_000_000L) {
              return;
            }
            lastPrinted = now;
            double done = end.equals(start) ? 1
                : Math.min(1, Duration.between(start, simTime).toMillis()
                    / (double) Duration.between(start, end).toMillis());
            stdout.printf(Locale.ROOT, "  %s  %s exchanges, simulated time %s (%.0f%%)%n", detectorSet,
                Text.count(events), simTime.truncatedTo(java.time.temporal.ChronoUnit.MINUTES), done * 100);
          }

          @Override
          public void runFinished(EvalReport.RunReport r) {
            stdout.printf(Locale.ROOT, "  done: %s exchanges in %.1f s (%s per CPU second)%n",
                Text.count(r.traffic().exchanges()), r.performance().wallSeconds(),
                Text.rate(r.performance().eventsPerCpuSecond()));
          }
        });
    EvalReport report = Evaluation.evaluate(s, sets, set, options);
    for (ExpensiveTier t : tiers) {
      stdout.printf(Locale.ROOT, "expensive tier: %d prompts embedded (%d by the model, %.2f ms each on average), "
          + "%d sampled prompts not admitted, %d empty; %d suspects with state (%d bytes each)%n", t.embedded(),
          t.modelRuns(), t.meanEmbedMicros() / 1000, t.notAdmitted(), t.skippedEmpty(), t.accounts(),
          t.bytesPerAccount());
    }
    stdout.println();
    stdout.print(ConsoleSummary.render(report));
    List<Path> files = ReportWriter.write(report, outDir);
    stdout.println("Report written to " + files.get(0));
    stdout.println("  every number: " + files.get(1));
    stdout.println("  charts:       " + outDir.resolve(ReportWriter.CHARTS) + " (" + (files.size() - 2)
        + " files, PNG and SVG)");
    if (linkage) {
      stdout.println();
      stdout.println("run " + set.name() + " + linkage");
      LinkageEvaluation.Result lr = LinkageEvaluation.evaluate(s, sets, set, InProcessRunner.Options.defaults(),
          LinkageConfig.defaults(), Duration.ofMinutes(15));
      stdout.printf(Locale.ROOT, "  done: %s exchanges in %.1f s%n", Text.count(lr.run().traffic().exchanges()),
          lr.run().performance().wallSeconds());
      stdout.print(LinkageReportWriter.console(lr.linkage()));
      List<Path> lf = LinkageReportWriter.write(lr.linkage(), outDir);
      stdout.println("Linkage report written to " + lf.get(0) + " and " + lf.get(1));
    }
    return 0;
  }

  private static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
