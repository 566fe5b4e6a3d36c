package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code distillguard eval}: a run on the smoke scenario, and bad input failing with a clear message. */
class EvalCommandTest {
  static final Path SMOKE = Path.of("..", "scenarios", "smoke.yaml");

  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  @Test
  void evaluatesTheSmokeScenarioAndSaysWhereTheReportIs() throws Exception {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    Path empty = Files.createDirectory(dir.resolve("no-datasets"));  // no dataset folders: built-in fixtures
    Path report = dir.resolve("report");
    int code = Main.run("eval", "--scenario", SMOKE.toString(), "--detectors", "baseline", "--data",
        empty.toString(), "--out", report.toString(), "--seed", "11");
    assertThat(code).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("== DistillGuard evaluation (in-process) ==", "seed 11", "built-in fixtures",
        "run 1/1: baseline", "Detector set baseline:", "naive-1", "reasoning-1", "benign class", "ordinary",
        "Report written to " + report.resolve("report.md"));
    assertThat(report.resolve("report.md")).isRegularFile();
    assertThat(report.resolve("report.json")).isRegularFile();
    assertThat(report.resolve("charts").resolve("risk-over-time-baseline.png")).isRegularFile();
    assertThat(report.resolve("charts").resolve("harvest-before-block-baseline.svg")).isRegularFile();
    assertThat(Files.readString(report.resolve("report.json"))).contains("\"seed\" : 11");
  }

  @Test
  void withLinkageAlsoWritesTheLinkageReport() throws Exception {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    Path empty = Files.createDirectory(dir.resolve("no-datasets"));
    Path report = dir.resolve("report");
    int code = Main.run("eval", "--scenario", SMOKE.toString(), "--detectors", "baseline", "--data",
        empty.toString(), "--out", report.toString(), "--linkage");
    assertThat(code).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("run baseline + linkage", "Cross-account linkage", "benign:",
        "Linkage report written to " + report.resolve("linkage.md"));
    assertThat(report.resolve("linkage.md")).isRegularFile();
    assertThat(Files.readString(report.resolve("linkage.json"))).contains("\"campaigns\"");
  }

  @Test
  void missingScenarioFileIsNamed() {
    assertThat(Main.run("eval", "--scenario", dir.resolve("nope.yaml").toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("scenario file not found").contains("nope.yaml");
  }

  @Test
  void unknownDetectorSetListsTheAvailableOnes() throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "name: x\nseed: 1\nduration: 1d\ndata: {split: tuning}\n");
    assertThat(Main.run("eval", "--scenario", f.toString(), "--detectors", "nope")).isEqualTo(1);
    assertThat(cli.stderr()).contains("unknown detector set 'nope'").contains("available: baseline");
  }

  @Test
  void badYamlIsAnErrorNamingTheFile() throws Exception {
    Path f = dir.resolve("broken.yaml");
    Files.writeString(f, "name: [unclosed\n  duration: 1d\n");
    assertThat(Main.run("eval", "--scenario", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("broken.yaml").contains("not valid YAML");
    cli.resetErr();
    Files.writeString(f, "name: x\nseed: 1\nduration: 1d\ndata: {split: tuning}\nsurprise: 1\n");
    assertThat(Main.run("eval", "--scenario", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("broken.yaml").contains("surprise");
  }

  @Test
  void dataThatIsNotADirectoryIsAnError() throws Exception {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    assertThat(Main.run("eval", "--scenario", SMOKE.toString(), "--data", dir.resolve("missing").toString()))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("--data").contains("not a directory");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(Main.run("eval")).isEqualTo(2);
    assertThat(cli.stderr()).contains("--scenario");
    cli.resetErr();
    assertThat(Main.run("eval", "--scenario", "x.yaml", "--seed", "many")).isEqualTo(2);
    assertThat(cli.stderr()).contains("many");
  }
}
