package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distillguard eval}: a run on the smoke scenario, and bad input failing with a clear message. */
class EvalCommandTest {
  static final Path SMOKE = Path.of("..", "scenarios", "smoke.yaml");

  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream oldErr;
  private PrintStream oldOut;

  @BeforeEach
  void capture() {
    oldErr = System.err;
    oldOut = System.out;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(oldErr);
    System.setOut(oldOut);
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String outText() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void evaluatesTheSmokeScenarioAndSaysWhereTheReportIs() throws Exception {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    Path empty = Files.createDirectory(dir.resolve("no-datasets"));  // no dataset folders: built-in fixtures
    Path report = dir.resolve("report");
    int code = Main.run("eval", "--scenario", SMOKE.toString(), "--detectors", "baseline", "--data",
        empty.toString(), "--out", report.toString(), "--seed", "11");
    assertThat(code).as(errText()).isZero();
    assertThat(outText()).contains("== DistillGuard evaluation (in-process) ==", "seed 11", "built-in fixtures",
        "run 1/1: baseline", "Detector set baseline:", "naive-1", "reasoning-1", "benign class", "ordinary",
        "Report written to " + report.resolve("report.md"));
    assertThat(report.resolve("report.md")).isRegularFile();
    assertThat(report.resolve("report.json")).isRegularFile();
    assertThat(report.resolve("charts").resolve("risk-over-time-baseline.png")).isRegularFile();
    assertThat(report.resolve("charts").resolve("harvest-before-block-baseline.svg")).isRegularFile();
    assertThat(Files.readString(report.resolve("report.json"))).contains("\"seed\" : 11");
  }

  @Test
  void missingScenarioFileIsNamed() {
    assertThat(Main.run("eval", "--scenario", dir.resolve("nope.yaml").toString())).isEqualTo(1);
    assertThat(errText()).contains("scenario file not found").contains("nope.yaml");
  }

  @Test
  void unknownDetectorSetListsTheAvailableOnes() throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "name: x\nseed: 1\nduration: 1d\ndata: {split: tuning}\n");
    assertThat(Main.run("eval", "--scenario", f.toString(), "--detectors", "nope")).isEqualTo(1);
    assertThat(errText()).contains("unknown detector set 'nope'").contains("available: baseline");
  }

  @Test
  void badYamlIsAnErrorNamingTheFile() throws Exception {
    Path f = dir.resolve("broken.yaml");
    Files.writeString(f, "name: [unclosed\n  duration: 1d\n");
    assertThat(Main.run("eval", "--scenario", f.toString())).isEqualTo(1);
    assertThat(errText()).contains("broken.yaml").contains("not valid YAML");
    err.reset();
    Files.writeString(f, "name: x\nseed: 1\nduration: 1d\ndata: {split: tuning}\nsurprise: 1\n");
    assertThat(Main.run("eval", "--scenario", f.toString())).isEqualTo(1);
    assertThat(errText()).contains("broken.yaml").contains("surprise");
  }

  @Test
  void dataThatIsNotADirectoryIsAnError() throws Exception {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    assertThat(Main.run("eval", "--scenario", SMOKE.toString(), "--data", dir.resolve("missing").toString()))
        .isEqualTo(1);
    assertThat(errText()).contains("--data").contains("not a directory");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(Main.run("eval")).isEqualTo(2);
    assertThat(errText()).contains("--scenario");
    err.reset();
    assertThat(Main.run("eval", "--scenario", "x.yaml", "--seed", "many")).isEqualTo(2);
    assertThat(errText()).contains("many");
  }
}
