package io.distillguard.app;

import io.distillguard.core.detect.DetectorSet;
import io.distillguard.sim.analyze.AnalysisReport;
import io.distillguard.sim.analyze.FieldMapping;
import io.distillguard.sim.analyze.LogAnalyzer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard analyze}: runs detection over existing request logs (any JSONL shape, described by a field
 * mapping) and writes a report of the accounts it flags.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run detection offline over existing request logs (JSONL, optionally gzipped).",
        "A field mapping (YAML) names the JSON path of the account, timestamp, prompt or messages, response, client "
            + "IP, user agent and model. Writes analysis.md and analysis.json under --out."})
final class AnalyzeCommand implements Callable<Integer> {
  @Option(names = "--logs", required = true, paramLabel = "FILE", description = "the log: JSONL, one request a "
      + "line (.gz accepted)")
  Path logs;

  @Option(names = "--mapping", required = true, paramLabel = "FILE", description = "field mapping (YAML); see "
      + "docs/simulator.md")
  Path mapping;

  @Option(names = "--detectors", paramLabel = "SET[,SET...]", defaultValue = DetectorSet.BASELINE,
      description = "detector sets (default ${DEFAULT-VALUE})")
  String detectors;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "analysis",
      description = "report directory (default ${DEFAULT-VALUE})")
  Path out;

  private final PrintStream stdout = System.out;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(logs)) {
      throw new IllegalArgumentException("log file not found: " + logs);
    }
    FieldMapping m = FieldMapping.load(mapping);
    DetectorSet set = DetectorSet.named(detectors);
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out: not a directory: " + out);
    }
    stdout.println("Analysing " + logs + " with mapping " + mapping + " and detectors " + set.name());
    AnalysisReport r = new LogAnalyzer(m, set).analyze(logs);
    Files.createDirectories(out);
    Path md = out.resolve("analysis.md");
    Path json = out.resolve("analysis.json");
    r.writeMarkdown(md);
    r.writeJson(json);
    stdout.print(r.summary(20));
    stdout.println("report: " + md + " and " + json);
    return 0;
  }
}
