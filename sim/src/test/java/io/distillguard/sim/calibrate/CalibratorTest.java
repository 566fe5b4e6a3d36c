package io.distillguard.sim.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Calibration on the smoke scenario (built-in fixtures, a few seconds): deterministic, consistent, measurable. */
class CalibratorTest {
  static final Path SMOKE = Path.of("..", "scenarios", "smoke.yaml");
  static final Path HOLDOUT = Path.of("..", "scenarios", "holdout-week.yaml");

  static Calibrator.Options smoke() {
    return Calibrator.Options.defaults(List.of(SMOKE), null).withProvenance("test", "2026-01-01");
  }

  @Test
  void calibratingTwiceGivesTheSameModelByteForByte() {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    Calibrator.Result a = Calibrator.run(smoke());
    Calibrator.Result b = Calibrator.run(smoke());
    assertThat(b.model().toPropertiesText()).isEqualTo(a.model().toPropertiesText());
    assertThat(b.table()).isEqualTo(a.table());

    DetectionModel m = a.model();
    assertThat(m.threshold(RiskLevel.WATCH)).isLessThanOrEqualTo(m.threshold(RiskLevel.THROTTLE));
    assertThat(m.threshold(RiskLevel.THROTTLE)).isLessThanOrEqualTo(m.threshold(RiskLevel.DEGRADE));
    assertThat(m.threshold(RiskLevel.DEGRADE)).isLessThanOrEqualTo(m.threshold(RiskLevel.BLOCK));
    assertThat(m.minEvidence()).isEqualTo(Calibrator.DEFAULT_MIN_EVIDENCE);
    assertThat(m.weights().values()).allMatch(w -> w >= 0);
    assertThat(m.provenance()).containsEntry("split", "tuning").containsEntry("date", "2026-01-01")
        .containsEntry("command", "test").containsKey("fit").containsKey("thresholds");
    assertThat(m.provenance().get("seeds")).contains("smoke=");
    assertThat(a.table()).contains("bias", "| throttle", "benign ordinary", "campaign: naive");
  }

  @Test
  void blockSitsAboveEveryBenignAccountsHighestScore() {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    DetectionModel m = Calibrator.run(smoke()).model();
    long[] evidence = {20, 50, 100, 200};
    List<Calibrator.AccountScores> scores = Calibrator.score(Simulation.create(ScenarioLoader.load(SMOKE),
        DataSets.fixtures()), "smoke", m.scorer(), evidence);
    assertThat(scores).filteredOn(s -> s.kind == AccountKind.ORDINARY || s.kind == AccountKind.HEAVY)
        .isNotEmpty().allMatch(s -> s.maxFrom[3] < m.threshold(RiskLevel.BLOCK));
    long throttled = scores.stream().filter(s -> (s.kind == AccountKind.ORDINARY || s.kind == AccountKind.HEAVY)
        && s.maxFrom[1] >= m.threshold(RiskLevel.THROTTLE)).count();
    long benign = scores.stream().filter(s -> s.kind == AccountKind.ORDINARY || s.kind == AccountKind.HEAVY)
        .count();
    assertThat(throttled).isLessThanOrEqualTo((long) Math.floor(0.001 * benign));
  }

  @Test
  void measuresTheCalibratedModelWithEnforcement() {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found");
    DetectionModel m = Calibrator.run(smoke()).model();
    EnforcedRun.Outcome o = EnforcedRun.run(Simulation.create(ScenarioLoader.load(SMOKE), DataSets.fixtures()), m,
        false);
    Measurement.Summary s = Measurement.summarize(List.of(o));
    assertThat(s.campaigns()).extracting(Measurement.CampaignRow::strategy)
        .containsExactlyInAnyOrder("naive", "reasoning-harvest");
    assertThat(s.benignBlocked()).isZero();
    assertThat(s.benignAccounts()).isPositive();
    String text = Measurement.render("smoke", s);
    assertThat(text).contains("### smoke", "smoke / naive-1", "| ordinary", "Targets:");
  }

  @Test
  void theFalsePositiveBudgetLeavesRoomForChance() {
    assertThat(Calibrator.allowedExceedances(21_203, 0.001, 0)).isEqualTo(21);
    int k = Calibrator.allowedExceedances(21_203, 0.001, 0.95);
    assertThat(k).isBetween(12, 14);
    assertThat(Calibrator.poissonUpper(k, 0.95)).isLessThanOrEqualTo(21.203);
    assertThat(Calibrator.poissonUpper(k + 1, 0.95)).isGreaterThan(21.203);
    assertThat(Calibrator.poissonUpper(0, 0.95)).isCloseTo(-Math.log(0.05), org.assertj.core.api.Assertions.within(
        1e-6));
    assertThat(Calibrator.allowedExceedances(100, 0.001, 0.95)).isZero();
    assertThat(Calibrator.poissonCdf(2000, 2000)).isBetween(0.5, 0.51);
  }

  @Test
  void eachScenarioKeepsItsOwnBenignRateAtTheTarget() {
    List<Calibrator.AccountScores> benign = new java.util.ArrayList<>();
    // "big": 2,000 accounts, 2 allowed over at 0.1%; its third highest is 0.30. "small": 1,000, 1 allowed; 0.35.
    for (int i = 0; i < 2000; i++) {
      benign.add(scores("big", i < 3 ? 0.30 + 0.01 * i : 0.1));
    }
    for (int i = 0; i < 1000; i++) {
      benign.add(scores("small", i < 2 ? 0.35 + 0.01 * i : 0.1));
    }
    Map.Entry<String, Double> t = Calibrator.perScenarioThreshold(benign, 1, 0.001);
    assertThat(t.getKey()).isEqualTo("small");
    assertThat(t.getValue()).isCloseTo(0.3501, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(Calibrator.quantileThreshold(benign, 1, 0.001, 0)).as("pooled: 3 of 3,000 allowed")
        .isCloseTo(0.3101, org.assertj.core.api.Assertions.within(1e-9));
  }

  private static Calibrator.AccountScores scores(String scenario, double max) {
    Calibrator.AccountScores a = new Calibrator.AccountScores(AccountKind.ORDINARY, "", scenario);
    java.util.Arrays.fill(a.maxFrom, max);
    return a;
  }

  @Test
  void holdoutScenariosAreRefused() {
    assumeTrue(Files.isRegularFile(HOLDOUT), "scenarios/holdout-week.yaml not found");
    assertThatThrownBy(() -> Calibrator.run(Calibrator.Options.defaults(List.of(HOLDOUT), null)))
        .hasMessageContaining("holdout-week.yaml: a holdout-split scenario");
  }

  @Test
  void badOptionsAreRejected() {
    assertThatThrownBy(() -> Calibrator.Options.defaults(List.of(), null)).hasMessageContaining("no scenarios");
    assertThatThrownBy(() -> Calibrator.Options.defaults(List.of(SMOKE), null).withTargets(0.001, 0.01))
        .hasMessageContaining("throttle <= watch");
    assertThatThrownBy(() -> Calibrator.Options.defaults(List.of(SMOKE), null)
        .withInteractions(List.of(List.of("cadence", "telepathy")))).hasMessageContaining("telepathy");
  }
}
