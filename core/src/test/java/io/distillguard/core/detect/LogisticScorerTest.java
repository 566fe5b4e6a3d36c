package io.distillguard.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The logistic score, its per-signal contributions, and the allocation-free fast path. */
class LogisticScorerTest {
  static final String[] NAMES = {"a", "b", "c", "d"};

  static LogisticScorer scorer() {
    Map<String, Double> w = new LinkedHashMap<>();
    w.put("a", 2.0);
    w.put("b", 1.0);
    w.put("c", -1.0);
    w.put("d", 0.5);
    return new LogisticScorer(-3, w, List.of(new LogisticScorer.Interaction("a", "d", 4.0)));
  }

  static List<Signal> signals(double... s) {
    return List.of(new Signal("a", s[0], 10, "a says"), new Signal("b", s[1], 20, "b says"),
        new Signal("c", s[2], 30, "c says"), new Signal("d", s[3], 40, "d says"));
  }

  @Test
  void scoreIsTheSigmoidOfBiasPlusWeightedSignalsPlusInteractions() {
    double z = -3 + 2 * 0.5 + 1 * 1 - 1 * 0.2 + 0.5 * 0.8 + 4 * 0.5 * 0.8;
    double expected = 1 / (1 + Math.exp(-z));
    RiskScore r = scorer().score(signals(0.5, 1, 0.2, 0.8));
    assertThat(r.score()).isCloseTo(expected, within(1e-12));
    assertThat(scorer().combine(NAMES, new double[] {0.5, 1, 0.2, 0.8})).isCloseTo(expected, within(1e-12));
    assertThat(r.evidence()).isEqualTo(40);
    assertThat(r.level()).isEqualTo(RiskLevel.NONE);
  }

  @Test
  void noSignalGivesTheBiasAloneAndNoReasons() {
    RiskScore r = scorer().score(signals(0, 0, 0, 0));
    assertThat(r.score()).isCloseTo(1 / (1 + Math.exp(3)), within(1e-12));
    assertThat(r.reasons()).isEmpty();
  }

  @Test
  void contributionsAreSharesOfThePositiveLogitMassAddingUpToTheScore() {
    RiskScore r = scorer().score(signals(0.5, 1, 0.2, 0.8));
    // positive terms: a 1.0 + half the interaction 0.8 = 1.8; b 1.0; d 0.4 + 0.8 = 1.2; c is negative -> 0
    double positive = 1.8 + 1.0 + 1.2;
    Map<String, Double> c = new LinkedHashMap<>();
    for (Reason x : r.reasons()) {
      c.put(x.signal(), x.contribution());
    }
    assertThat(c).containsOnlyKeys("a", "b", "c", "d");
    assertThat(c.get("a")).isCloseTo(r.score() * 1.8 / positive, within(1e-12));
    assertThat(c.get("b")).isCloseTo(r.score() * 1.0 / positive, within(1e-12));
    assertThat(c.get("d")).isCloseTo(r.score() * 1.2 / positive, within(1e-12));
    assertThat(c.get("c")).as("a signal with a negative weight explains none of the score").isZero();
    assertThat(c.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(r.score(), within(1e-12));
    assertThat(r.reasons().get(0).signal()).as("largest contribution first").isEqualTo("a");
    assertThat(r.reasons().get(0).explanation()).isEqualTo("a says");
    assertThat(r.reasons().get(0).value()).isEqualTo(0.5);
  }

  @Test
  void detectorsWithoutAWeightCountForNothingAndOrderDoesNotMatter() {
    LogisticScorer s = scorer();
    double base = s.combine(new String[] {"a", "b"}, new double[] {0.3, 0.6});
    assertThat(s.combine(new String[] {"b", "zzz", "a"}, new double[] {0.6, 1.0, 0.3})).isCloseTo(base,
        within(1e-12));
    RiskScore r = s.score(List.of(new Signal("zzz", 1, 5, "unweighted"), new Signal("a", 0.3, 5, ""),
        new Signal("b", 0.6, 5, "")));
    assertThat(r.score()).isCloseTo(base, within(1e-12));
    assertThat(r.reasons()).filteredOn(x -> x.signal().equals("zzz")).singleElement()
        .extracting(Reason::contribution).isEqualTo(0.0);
  }

  @Test
  void extremeLogitsStayInsideTheUnitInterval() {
    Map<String, Double> w = Map.of("a", 1000.0);
    assertThat(new LogisticScorer(-2000, w, List.of()).combine(new String[] {"a"}, new double[] {0}))
        .isGreaterThan(0).isLessThan(1e-12);
    assertThat(new LogisticScorer(0, w, List.of()).combine(new String[] {"a"}, new double[] {1}))
        .isLessThan(1).isGreaterThan(1 - 1e-12);
    assertThat(LogisticScorer.logit(LogisticScorer.sigmoid(1.5))).isCloseTo(1.5, within(1e-9));
  }

  @Test
  void combineDoesNotAllocateOnceBound() {
    LogisticScorer s = scorer();
    double[] v = {0.1, 0.2, 0.3, 0.4};
    double sink = 0;
    for (int i = 0; i < 20_000; i++) { // bind, warm up, let the JIT settle
      v[0] = (i % 100) / 100.0;
      sink += s.combine(NAMES, v);
    }
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!(mx instanceof com.sun.management.ThreadMXBean sun) || !sun.isThreadAllocatedMemorySupported()) {
      return;
    }
    sun.setThreadAllocatedMemoryEnabled(true);
    long id = Thread.currentThread().getId();
    long before = sun.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100_000; i++) {
      v[1] = (i % 50) / 50.0;
      sink += s.combine(NAMES, v);
    }
    long allocated = sun.getThreadAllocatedBytes(id) - before;
    assertThat(sink).isPositive();
    assertThat(allocated).as("bytes allocated by 100,000 combine calls").isLessThan(10_000);
  }

  @Test
  void badParametersAreRejected() {
    assertThatThrownBy(() -> new LogisticScorer(Double.NaN, Map.of(), List.of()))
        .hasMessageContaining("bias");
    assertThatThrownBy(() -> new LogisticScorer(0, Map.of("a", Double.POSITIVE_INFINITY), List.of()))
        .hasMessageContaining("'a'");
    assertThatThrownBy(() -> new LogisticScorer.Interaction("a", "a", 1)).hasMessageContaining("itself");
  }

  @Test
  void worksInsideTheEngine() {
    LogisticScorer s = new LogisticScorer(-2, Map.of("volume-threshold", 5.0), List.of());
    Policy p = new Policy(Map.of(RiskLevel.WATCH, 0.5, RiskLevel.THROTTLE, 0.9), Map.of(), java.util.Set.of());
    DetectionEngine e = new DetectionEngine(List.of(new io.distillguard.core.detectors.VolumeThresholdDetector(3)),
        s, p);
    java.time.Instant t = java.time.Instant.parse("2026-01-05T00:00:00Z");
    Verdict v = null;
    for (int i = 0; i < 5 && v == null; i++) {
      v = e.accept(DetectionEngineTest.exchange("acct", t.plusSeconds(i)));
    }
    assertThat(v).isNotNull();
    Verdict verdict = v;
    assertThat(verdict.level()).isEqualTo(RiskLevel.THROTTLE);
    assertThat(verdict.risk().score()).isCloseTo(1 / (1 + Math.exp(-3)), within(1e-12));
    assertThat(verdict.risk().reasons()).singleElement().satisfies(r -> {
      assertThat(r.signal()).isEqualTo("volume-threshold");
      assertThat(r.contribution()).isCloseTo(verdict.risk().score(), within(1e-12));
    });
  }
}
