package io.distillguard.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillguard.core.Exchange;
import io.distillguard.core.detectors.VolumeThresholdDetector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DetectorSetTest {
  static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");

  /** A detector whose suspicion is fixed, for checking how sets combine. */
  record Fixed(String name, double suspicion) implements Detector<long[]> {
    @Override
    public long[] newState() {
      return new long[1];
    }

    @Override
    public void observe(long[] state, Exchange exchange) {
      state[0]++;
    }

    @Override
    public Signal evaluate(long[] state) {
      return new Signal(name, suspicion, state[0], "fixed");
    }
  }

  static DetectorSet fixed(String set, double... suspicions) {
    List<Detector<?>> ds = new java.util.ArrayList<>();
    for (int i = 0; i < suspicions.length; i++) {
      ds.add(new Fixed(set + "-d" + i, suspicions[i]));
    }
    return new DetectorSet(set, "test", ds, new NoisyOrScorer(Map.of(), 1.0),
        new Policy(Map.of(RiskLevel.WATCH, 0.3, RiskLevel.THROTTLE, 0.6, RiskLevel.BLOCK, 0.9), Map.of(),
            Set.of()));
  }

  @Test
  void theShippedModelIsRegisteredAsDefault() {
    assertThat(DetectorSet.available()).containsSubsequence(DetectorSet.BASELINE, DetectorSet.DEFAULT);
    DetectorSet d = DetectorSet.named(DetectorSet.DEFAULT);
    DetectionModel m = DetectionModel.loadDefault();
    assertThat(d.name()).isEqualTo("default");
    assertThat(d.detectorNames()).isEqualTo(List.copyOf(m.weights().keySet()));
    assertThat(d.policy()).isEqualTo(m.policy());
    assertThat(DetectorSet.describe(DetectorSet.DEFAULT)).contains("calibrated");
  }

  @Test
  void baselineIsRegisteredAndBlocksOverTheDailyThreshold() {
    assertThat(DetectorSet.available()).contains(DetectorSet.BASELINE);
    DetectorSet b = DetectorSet.named("baseline");
    assertThat(b.name()).isEqualTo("baseline");
    assertThat(b.detectorNames()).containsExactly(VolumeThresholdDetector.NAME);
    DetectionEngine engine = b.newEngine();
    Verdict first = null;
    long n = DetectorSet.BASELINE_REQUESTS_PER_DAY + 1;
    for (long i = 0; i < n; i++) {
      Verdict v = engine.accept(DetectionEngineTest.exchange("a", T0.plusSeconds(i)));
      if (v != null && first == null) {
        first = v;
        assertThat(i).isEqualTo(n - 1);
      }
    }
    assertThat(first).isNotNull();
    assertThat(first.level()).isEqualTo(RiskLevel.BLOCK);
    assertThat(first.risk().reasons().get(0).signal()).isEqualTo(VolumeThresholdDetector.NAME);
  }

  @Test
  void enginesAreIndependent() {
    DetectorSet b = DetectorSet.baseline();
    DetectionEngine one = b.newEngine();
    DetectionEngine two = b.newEngine();
    one.accept(DetectionEngineTest.exchange("a", T0));
    assertThat(one.accountCount()).isEqualTo(1);
    assertThat(two.accountCount()).isZero();
  }

  @Test
  void unknownNamesAreRefusedWithTheAvailableOnes() {
    assertThatThrownBy(() -> DetectorSet.named("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown detector set 'nope'")
        .hasMessageContaining("baseline");
    assertThatThrownBy(() -> DetectorSet.named(" , "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void registeredSetsCombineByNoisyOrOfTheirScores() {
    DetectorSet.register("test-a", "a", () -> fixed("a", 0.5));
    DetectorSet.register("test-b", "b", () -> fixed("b", 0.5, 0.0));
    DetectorSet c = DetectorSet.named("test-a, test-b");
    assertThat(c.name()).isEqualTo("a,b");
    assertThat(c.detectorNames()).containsExactly("a-d0", "b-d0", "b-d1");
    DetectionEngine e = c.newEngine();
    e.accept(DetectionEngineTest.exchange("x", T0));
    RiskScore r = e.risk("x");
    assertThat(r.score()).isCloseTo(0.75, within(1e-9));
    assertThat(r.level()).isEqualTo(RiskLevel.THROTTLE);
    assertThat(r.reasons()).extracting(Reason::signal).containsExactlyInAnyOrder("a-d0", "b-d0");
    assertThat(r.reasons().stream().mapToDouble(Reason::contribution).sum()).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void onlyKeepsOneDetectorWithTheSameScorerAndPolicy() {
    DetectorSet s = fixed("s", 0.7, 0.2);
    DetectorSet alone = s.only("s-d1");
    assertThat(alone.name()).isEqualTo("s[s-d1]");
    assertThat(alone.detectorNames()).containsExactly("s-d1");
    assertThat(alone.policy()).isEqualTo(s.policy());
    assertThatThrownBy(() -> s.only("missing")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void extraAllowlistCapsAtWatch() {
    DetectorSet s = fixed("s", 0.95);
    DetectionEngine e = s.newEngine(Set.of("licensed"));
    e.accept(DetectionEngineTest.exchange("licensed", T0));
    e.accept(DetectionEngineTest.exchange("other", T0));
    assertThat(e.level("licensed")).isEqualTo(RiskLevel.WATCH);
    assertThat(e.level("other")).isEqualTo(RiskLevel.BLOCK);
  }

  @Test
  void duplicateDetectorNamesAreRefused() {
    assertThatThrownBy(() -> new DetectorSet("d", "", List.of(new Fixed("x", 0), new Fixed("x", 1)),
        new NoisyOrScorer(Map.of(), 1), DetectorSet.baseline().policy()))
        .hasMessageContaining("appears twice");
  }
}
