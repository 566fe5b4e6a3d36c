package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.RiskLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code distillguard calibrate}: a calibration of the smoke scenario, measuring, and bad input. */
class CalibrateCommandTest {
  static final Path SMOKE = Path.of("..", "scenarios", "smoke.yaml");
  static final Path HOLDOUT = Path.of("..", "scenarios", "holdout-week.yaml");

  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  @Test
  void calibratesTheSmokeScenarioWritesTheModelAndMeasuresIt() throws Exception {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    Path empty = Files.createDirectory(dir.resolve("no-datasets"));
    Path out = dir.resolve("model.properties");
    Path report = dir.resolve("report.md");
    int code = Main.run("calibrate", "--scenarios", SMOKE.toString(), "--data", empty.toString(), "--out",
        out.toString(), "--target-fpr", "watch=0.02,throttle=0.005", "--min-evidence", "block=300", "--measure",
        "--report", report.toString(), "--date", "2026-02-03");
    assertThat(code).as(cli.stderr()).isZero();
    DetectionModel m = DetectionModel.load(out);
    assertThat(m.minEvidence().get(RiskLevel.BLOCK)).isEqualTo(300);
    assertThat(m.provenance()).containsEntry("date", "2026-02-03");
    assertThat(m.provenance().get("command")).startsWith("./distillguard calibrate --scenarios");
    assertThat(m.provenance().get("thresholds")).contains("watch at 2%", "throttle at 0.5%");
    assertThat(cli.stdout()).contains("## Calibration", "Model written to " + out,
        "Measured with simulated enforcement: calibration (tuning) scenarios", "smoke / naive-1", "Targets:");
    assertThat(Files.readString(report)).contains("## Calibration", "Targets:");
  }

  @Test
  void evaluatesTheBundledModel() throws Exception {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    Path empty = Files.createDirectory(dir.resolve("no-datasets"));
    int code = Main.run("calibrate", "--evaluate", "default", "--scenarios", SMOKE.toString(), "--data",
        empty.toString());
    assertThat(code).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("Model: default", "smoke / reasoning-1").doesNotContain("## Calibration");
  }

  @Test
  void refusesToCalibrateOnHoldout() {
    assumeTrue(Files.isRegularFile(HOLDOUT), "scenarios/holdout-week.yaml not found");
    assertThat(Main.run("calibrate", "--scenarios", HOLDOUT.toString(), "--out", dir.resolve("m").toString()))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("holdout-split scenario");
    assertThat(dir.resolve("m")).doesNotExist();
  }

  @Test
  void badOptionsAreNamed() {
    assertThat(Main.run("calibrate", "--scenarios", dir.resolve("nope.yaml").toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("--scenarios: scenario file not found", "nope.yaml");
    cli.resetErr();
    assertThat(Main.run("calibrate", "--scenarios", SMOKE.toString(), "--target-fpr", "watch=2")).isEqualTo(1);
    assertThat(cli.stderr()).contains("--target-fpr: watch: must be between 0 and 1");
    cli.resetErr();
    assertThat(Main.run("calibrate", "--scenarios", SMOKE.toString(), "--target-fpr", "block=0.1")).isEqualTo(1);
    assertThat(cli.stderr()).contains("unknown level 'block'");
    cli.resetErr();
    assertThat(Main.run("calibrate", "--scenarios", SMOKE.toString(), "--min-evidence", "block=10")).isEqualTo(1);
    assertThat(cli.stderr()).contains("--min-evidence: block (10) must be at least the level below");
    cli.resetErr();
    assertThat(Main.run("calibrate", "--evaluate", dir.resolve("none.properties").toString(), "--scenarios",
        SMOKE.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("none.properties: no such file");
  }
}
