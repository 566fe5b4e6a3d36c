package io.distillguard.app;

import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.calibrate.Calibrator;
import io.distillguard.sim.calibrate.EnforcedRun;
import io.distillguard.sim.calibrate.Measurement;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distillguard calibrate}: fits the detection model's weights and sets its thresholds from simulated traffic
 * (tuning-split scenarios only), writes the model file, and optionally measures a model with simulated enforcement on
 * tuning and holdout scenarios, reported separately. See {@code docs/detection.md}.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fit the detection model (logistic weights) and calibrate its thresholds against benign traffic "
        + "to target false-positive rates, on tuning-split scenarios; write the model file.",
        "With --measure (or --evaluate MODEL) also run the scenarios with simulated enforcement and report what "
            + "each campaign harvested and how many benign accounts were touched; --holdout adds holdout scenarios, "
            + "reported separately."})
final class CalibrateCommand implements Callable<Integer> {
  @Option(names = "--scenarios", arity = "1..*", paramLabel = "FILE",
      description = "scenarios to calibrate on (default: every tuning-split scenario in scenarios/)")
  List<Path> scenarios;

  @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory (default: "
      + "$DISTILLGUARD_DATA, else ../shared/data when present, else small built-in fixtures)")
  String data;

  @Option(names = "--target-fpr", paramLabel = "watch=R,throttle=R", defaultValue = "watch=0.01,throttle=0.0005",
      description = "share of benign accounts allowed to reach each level (default ${DEFAULT-VALUE}: throttle at "
          + "half the 0.1% target, so that populations not seen here stay under it)")
  String targetFpr;

  @Option(names = "--min-evidence", paramLabel = "LEVEL=N,...", defaultValue = "watch=20,throttle=50,degrade=100,"
      + "block=200", description = "least exchanges before each level (default ${DEFAULT-VALUE})")
  String minEvidence;

  @Option(names = "--confidence", paramLabel = "C", defaultValue = "0.95", description = "watch and throttle are "
      + "set so that the C upper confidence bound of the benign rate meets the target; 0: the plain quantile "
      + "(default ${DEFAULT-VALUE})")
  double confidence;

  @Option(names = "--block-margin", paramLabel = "LOG-ODDS", defaultValue = "1.0",
      description = "least distance of block above the highest benign score, in log-odds (default ${DEFAULT-VALUE})")
  double blockMargin;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "detection-model.properties",
      description = "where to write the model (default ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--measure", description = "measure the calibrated model with simulated enforcement on the "
      + "calibration scenarios (and --holdout)")
  boolean measure;

  @Option(names = "--holdout", arity = "1..*", paramLabel = "FILE",
      description = "holdout scenarios to measure on, reported separately (e.g. scenarios/holdout-week.yaml)")
  List<Path> holdout;

  @Option(names = "--evaluate", paramLabel = "MODEL", description = "do not calibrate: measure this model file "
      + "('default' = the bundled model) on --scenarios and --holdout")
  String evaluate;

  @Option(names = "--report", paramLabel = "FILE", description = "also write everything printed to this file")
  Path report;

  @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "date recorded in the model's provenance "
      + "(default: today, UTC)")
  String date;

  @Spec CommandSpec spec;

  private final PrintStream stdout = System.out;
  private final PrintStream stderr = System.err;

  @Override
  public Integer call() throws Exception {
    if (data != null && !data.isBlank() && !Files.isDirectory(Path.of(data))) {
      throw new IllegalArgumentException("--data: not a directory: " + data);
    }
    Path dataDir = DataSets.locate(data);
    List<Path> tuning = scenarios != null ? scenarios : defaultScenarios();
    for (Path p : tuning) {
      requireFile(p, "--scenarios");
    }
    List<Path> held = holdout == null ? List.of() : holdout;
    for (Path p : held) {
      requireFile(p, "--holdout");
    }
    StringBuilder printed = new StringBuilder();
    stderr.println("data: " + (dataDir == null ? "built-in fixtures (no data directory found)" : dataDir));
    DetectionModel model;
    if (evaluate != null) {
      model = "default".equals(evaluate) ? DetectionModel.loadDefault() : DetectionModel.load(Path.of(evaluate));
      print(printed, "Model: " + model.name() + (model.provenance().containsKey("date") ? " (calibrated "
          + model.provenance().get("date") + ")" : "") + "\n");
    } else {
      double[] targets = targets(targetFpr);
      Calibrator.Options o = Calibrator.Options.defaults(tuning, dataDir)
          .withTargets(targets[0], targets[1])
          .withMinEvidence(minEvidence(minEvidence))
          .withBlockMargin(blockMargin)
          .withConfidence(confidence)
          .withProvenance(commandLine(), date != null ? date : LocalDate.now(ZoneOffset.UTC).toString())
          .withProgress(stderr);
      Calibrator.Result r = Calibrator.run(o);
      model = r.model();
      model.write(out);
      print(printed, "## Calibration\n\n" + r.table() + "\nModel written to " + out + "\n");
    }
    if (measure || evaluate != null) {
      io.distillguard.sim.data.DataSets sets = io.distillguard.sim.data.DataSets.load(dataDir);
      print(printed, "\n" + Measurement.render("Measured with simulated enforcement: calibration (tuning) scenarios",
          Measurement.summarize(runs(tuning, sets, model, false))));
      if (!held.isEmpty()) {
        print(printed, "\n" + Measurement.render("Measured with simulated enforcement: holdout scenarios",
            Measurement.summarize(runs(held, sets, model, true))));
      }
    }
    if (report != null) {
      Path parent = report.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(report, printed.toString(), StandardCharsets.UTF_8);
      stderr.println("report written to " + report);
    }
    return 0;
  }

  private List<EnforcedRun.Outcome> runs(List<Path> files, io.distillguard.sim.data.DataSets sets,
      DetectionModel model, boolean holdoutRun) {
    List<EnforcedRun.Outcome> outcomes = new ArrayList<>();
    for (Path p : files) {
      Scenario s = load(p);
      stderr.println("measuring " + s.name() + "...");
      outcomes.add(EnforcedRun.run(Simulation.create(s, sets), model, holdoutRun));
    }
    return outcomes;
  }

  private void print(StringBuilder printed, String text) {
    stdout.print(text);
    stdout.flush();
    printed.append(text);
  }

  private String commandLine() {
    List<String> args = spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
    // the parse result is the whole command line's, subcommand name included
    return ("./distillguard " + String.join(" ", args)).strip();
  }

  /** Every scenario file in the repository's scenarios/ whose data split is tuning, by file name. */
  static List<Path> defaultScenarios() {
    Path dir = Path.of("scenarios");
    if (!Files.isDirectory(dir)) {
      String home = System.getenv("DISTILLGUARD_HOME");
      if (home != null && Files.isDirectory(Path.of(home, "scenarios"))) {
        dir = Path.of(home, "scenarios");
      } else {
        throw new IllegalArgumentException("no scenarios/ directory here; name scenario files with --scenarios");
      }
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
        Scenario s = load(p);
        if (s.data().split() != Split.HOLDOUT && s.data().templates() != Split.HOLDOUT) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(dir + ": no tuning-split scenario files");
    }
    return out;
  }

  private static Scenario load(Path p) {
    try {
      return ScenarioLoader.load(p);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static void requireFile(Path p, String option) {
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(option + ": scenario file not found: " + p);
    }
  }

  /** Parses {@code watch=0.01,throttle=0.0005}. */
  static double[] targets(String spec) {
    double watch = 0.01;
    double throttle = 0.0005;
    for (String part : spec.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("--target-fpr: expected watch=R,throttle=R, got '" + part.strip() + "'");
      }
      double v;
      try {
        v = Double.parseDouble(kv[1].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--target-fpr: " + kv[0].strip() + ": not a number: " + kv[1].strip());
      }
      if (!(v > 0 && v < 1)) {
        throw new IllegalArgumentException("--target-fpr: " + kv[0].strip() + ": must be between 0 and 1: " + v);
      }
      switch (kv[0].strip().toLowerCase(Locale.ROOT)) {
        case "watch" -> watch = v;
        case "throttle" -> throttle = v;
        default -> throw new IllegalArgumentException("--target-fpr: unknown level '" + kv[0].strip()
            + "' (watch, throttle; block is set above every benign account, degrade between)");
      }
    }
    if (throttle > watch) {
      throw new IllegalArgumentException("--target-fpr: throttle (" + throttle + ") must not exceed watch (" + watch
          + ")");
    }
    return new double[] {watch, throttle};
  }

  /** Parses {@code watch=20,throttle=50,degrade=100,block=200}. */
  static Map<RiskLevel, Long> minEvidence(String spec) {
    Map<RiskLevel, Long> m = new EnumMap<>(RiskLevel.class);
    for (String part : spec.split(",")) {
      String[] kv = part.split("=", 2);
      RiskLevel level = null;
      for (RiskLevel l : DetectionModel.LEVELS) {
        if (kv.length == 2 && l.wireName().equals(kv[0].strip().toLowerCase(Locale.ROOT))) {
          level = l;
        }
      }
      if (level == null) {
        throw new IllegalArgumentException("--min-evidence: expected LEVEL=N with LEVEL one of watch, throttle, "
            + "degrade, block; got '" + part.strip() + "'");
      }
      try {
        long n = Long.parseLong(kv[1].strip());
        if (n < 0) {
          throw new NumberFormatException();
        }
        m.put(level, n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--min-evidence: " + level.wireName() + ": expected a whole number >= 0, "
            + "got '" + kv[1].strip() + "'");
      }
    }
    long previous = 0;
    for (RiskLevel l : DetectionModel.LEVELS) {
      long v = m.getOrDefault(l, Calibrator.DEFAULT_MIN_EVIDENCE.get(l));
      if (v < previous) {
        throw new IllegalArgumentException("--min-evidence: " + l.wireName() + " (" + v + ") must be at least the "
            + "level below (" + previous + ")");
      }
      previous = v;
    }
    return m;
  }
}
