package io.distillguard.app;

import io.distillguard.detection.BenignReference;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.detection.MiniLmEmbedder;
import io.distillguard.sim.expensive.ReferenceBuilder;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard embeddings-reference}: builds the expensive tier's benign reference (prompt embeddings of
 * ordinary benign accounts) and calibrates its thresholds on tuning-split scenarios. See {@link ReferenceBuilder}.
 */
@Command(name = "embeddings-reference", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Build the expensive tier's benign reference and calibrate its thresholds on tuning-split "
        + "scenarios (holdout refused).",
        "Writes FILE.bin and FILE.properties; the shipped one lives in detection/src/main/resources."})
final class EmbeddingsReferenceCommand implements Callable<Integer> {
  @Option(names = "--scenarios", arity = "1..*", paramLabel = "FILE", description = "scenarios to calibrate on; the "
      + "first also supplies the reference prompts (default: scenarios/week-10k.yaml, then every other "
      + "tuning-split scenario in scenarios/)")
  List<Path> scenarios;

  @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory (default: "
      + "$DISTILLGUARD_DATA, else ../shared/data when present, else small built-in fixtures)")
  String data;

  @Option(names = "--size", paramLabel = "N", defaultValue = "256", description = "reference prompts "
      + "(default ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "benign-reference",
      description = "output base name (default ${DEFAULT-VALUE}: .bin and .properties beside it)")
  Path out;

  private final PrintStream stdout = System.out;

  @Override
  public Integer call() {
    if (size < 16 || size > 4096) {
      throw new IllegalArgumentException("--size must be in 16..4096: " + size);
    }
    List<Path> files = scenarios;
    if (files == null) {
      files = new ArrayList<>();
      for (Path p : CalibrateCommand.defaultScenarios()) {
        if (p.getFileName().toString().equals("week-10k.yaml")) {
          files.add(0, p);
        } else {
          files.add(p);
        }
      }
    }
    List<Scenario> loaded = new ArrayList<>();
    for (Path p : files) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("--scenarios: not a file: " + p);
      }
      loaded.add(ScenarioLoader.load(p));
    }
    io.distillguard.sim.data.DataSets sets = io.distillguard.sim.data.DataSets.load(DataSets.locate(data));
    long t0 = System.nanoTime();
    try (MiniLmEmbedder embedder = MiniLmEmbedder.load()) {
      stdout.printf("model %s loaded in %.1f s%n", embedder.name(), (System.nanoTime() - t0) / 1e9);
      ReferenceBuilder.Build b = ReferenceBuilder.build(loaded, sets, embedder, size,
          ExpensiveTier.Settings.defaults(), stdout);
      stdout.println();
      stdout.print(ReferenceBuilder.summary(b.accounts()));
      BenignReference r = b.reference();
      r.write(out);
      stdout.println();
      stdout.println("calibration " + r.calibration());
      stdout.println("written " + out + ".bin and " + out + ".properties");
    }
    return 0;
  }
}
