package io.distillguard.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillguard.core.detectors.VolumeThresholdDetector;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExternalSignalTest {

  private static DetectionEngine engine() {
    // The volume detector never fires below 1,000 a day: the cheap score stays at sigmoid(bias).
    LogisticScorer scorer = new LogisticScorer(-2.0, Map.of(VolumeThresholdDetector.NAME, 1.0), List.of());
    Policy policy = new Policy(Map.of(RiskLevel.WATCH, 0.3, RiskLevel.THROTTLE, 0.6, RiskLevel.BLOCK, 0.95),
        Map.of(RiskLevel.THROTTLE, 3L), Set.of());
    return new DetectionEngine(List.of(new VolumeThresholdDetector(1000)), scorer, policy);
  }

  @Test
  void aFindingAddsItsWeightToTheLogOddsAndRaisesTheLevel() {
    DetectionEngine engine = engine();
    for (int i = 0; i < 5; i++) {
      assertThat(engine.accept(DetectionEngineTest.exchange("a", DetectionEngineTest.T0.plusSeconds(i)))).isNull();
    }
    assertThat(engine.score("a")).isCloseTo(LogisticScorer.sigmoid(-2.0), within(1e-12));

    Signal s = new Signal("embedding-shift", 0.8, 40, "prompts 0.42 MMD² from benign reference (p<0.01)");
    Verdict v = engine.external("a", DetectionEngineTest.T0.plusSeconds(9), s, 3.0);

    double expected = LogisticScorer.sigmoid(-2.0 + 3.0 * 0.8); // 0.599 → watch, not throttle (0.6)
    assertThat(engine.score("a")).isCloseTo(expected, within(1e-12));
    assertThat(v).isNotNull();
    assertThat(v.level()).isEqualTo(RiskLevel.WATCH);
    assertThat(v.at()).isEqualTo(DetectionEngineTest.T0.plusSeconds(9));
    RiskScore r = engine.risk("a");
    assertThat(r.score()).isCloseTo(expected, within(1e-12));
    assertThat(r.reasons()).first().satisfies(reason -> {
      assertThat(reason.signal()).isEqualTo("embedding-shift");
      assertThat(reason.explanation()).contains("MMD");
      assertThat(reason.contribution()).isCloseTo(expected - LogisticScorer.sigmoid(-2.0), within(1e-12));
    });
  }

  @Test
  void aLaterFindingOfTheSameSignalReplacesTheEarlierOneAndLaterExchangesKeepIt() {
    DetectionEngine engine = engine();
    for (int i = 0; i < 5; i++) {
      engine.accept(DetectionEngineTest.exchange("a", DetectionEngineTest.T0.plusSeconds(i)));
    }
    engine.external("a", DetectionEngineTest.T0, new Signal("embedding-nn", 1.0, 30, "W=0.70"), 3.0);
    Verdict v = engine.external("a", DetectionEngineTest.T0, new Signal("embedding-nn", 0.0, 40, "W=0.99"), 3.0);
    assertThat(v).isNull();
    assertThat(engine.score("a")).isCloseTo(LogisticScorer.sigmoid(-2.0), within(1e-12));

    engine.external("a", DetectionEngineTest.T0, new Signal("embedding-nn", 1.0, 50, "W=0.70"), 3.0);
    Verdict next = engine.accept(DetectionEngineTest.exchange("a", DetectionEngineTest.T0.plusSeconds(60)));
    assertThat(engine.score("a")).isCloseTo(LogisticScorer.sigmoid(1.0), within(1e-12));
    assertThat(engine.level("a")).isEqualTo(RiskLevel.THROTTLE);
    assertThat(next).isNull(); // the level rose when the finding came in, not again on the exchange
  }

  @Test
  void unknownAccountsAndNegativeWeights() {
    DetectionEngine engine = engine();
    assertThat(engine.external("nobody", DetectionEngineTest.T0, new Signal("x", 1, 1, ""), 5)).isNull();
    assertThat(engine.accountCount()).isZero();
    assertThatThrownBy(() -> engine.external("a", DetectionEngineTest.T0, new Signal("x", 1, 1, ""), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
