package io.distillguard.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detectors.VolumeThresholdDetector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DetectionEngineTest {
  static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");

  static Exchange exchange(String account, Instant at) {
    List<ChatMessage> m = List.of(new ChatMessage("user", "hello"));
    return new Exchange("x" + at.toEpochMilli() + account, at, account, "k", "10.0.0.1", "ua", "fp",
        "/v1/chat/completions", "m", SamplingParams.NONE, false, m, "hi", Exchange.promptDigest(m), 5,
        Exchange.textDigest("hi"), 2, 1, 1, 200, Outcome.OK, null, 10, 5, 1);
  }

  static Policy policy(Set<String> allow) {
    return new Policy(Map.of(RiskLevel.WATCH, 0.5, RiskLevel.THROTTLE, 0.7, RiskLevel.BLOCK, 0.9),
        Map.of(RiskLevel.BLOCK, 50L), allow);
  }

  @Test
  void volumeBaselineEscalatesOnceOverTheDailyThreshold() {
    DetectionEngine engine = new DetectionEngine(List.of(new VolumeThresholdDetector(100)),
        new NoisyOrScorer(Map.of(), 1.0), policy(Set.of()));
    List<Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      Verdict v = engine.accept(exchange("a", T0.plusSeconds(i * 10L)));
      if (v != null) {
        verdicts.add(v);
      }
    }
    assertThat(verdicts).hasSize(1);
    assertThat(verdicts.get(0).level()).isEqualTo(RiskLevel.BLOCK);
    assertThat(verdicts.get(0).previous()).isEqualTo(RiskLevel.NONE);
    assertThat(verdicts.get(0).at()).isEqualTo(T0.plusSeconds(100 * 10L));
    assertThat(engine.risk("a").reasons()).first().extracting(Reason::signal)
        .isEqualTo(VolumeThresholdDetector.NAME);
  }

  @Test
  void slowAccountsStayBelowTheThreshold() {
    DetectionEngine engine = new DetectionEngine(List.of(new VolumeThresholdDetector(100)),
        new NoisyOrScorer(Map.of(), 1.0), policy(Set.of()));
    for (int i = 0; i < 1000; i++) {
      assertThat(engine.accept(exchange("slow", T0.plus(Duration.ofMinutes(20L * i))))).isNull();
    }
    assertThat(engine.level("slow")).isEqualTo(RiskLevel.NONE);
  }

  @Test
  void allowlistedAccountsAreWatchedButNeverRestricted() {
    DetectionEngine engine = new DetectionEngine(List.of(new VolumeThresholdDetector(10)),
        new NoisyOrScorer(Map.of(), 1.0), policy(Set.of("licensed")));
    for (int i = 0; i < 200; i++) {
      engine.accept(exchange("licensed", T0.plusSeconds(i)));
    }
    assertThat(engine.level("licensed")).isEqualTo(RiskLevel.WATCH);
    assertThat(engine.risk("licensed").score()).isGreaterThan(0.9);
  }

  @Test
  void minimumEvidenceHoldsBackABlock() {
    DetectionEngine engine = new DetectionEngine(List.of(new VolumeThresholdDetector(10)),
        new NoisyOrScorer(Map.of(), 1.0), policy(Set.of()));
    for (int i = 0; i < 30; i++) {
      engine.accept(exchange("b", T0.plusSeconds(i)));
    }
    assertThat(engine.level("b")).isEqualTo(RiskLevel.THROTTLE);
    for (int i = 30; i < 60; i++) {
      engine.accept(exchange("b", T0.plusSeconds(i)));
    }
    assertThat(engine.level("b")).isEqualTo(RiskLevel.BLOCK);
  }

  @Test
  void eachAccountIsHeldToItsTiersLevels() {
    // Score 0.8 from the first exchange: only the levels decide what happens.
    Policy p = new Policy(
        Map.of(RiskLevel.WATCH, 0.3, RiskLevel.THROTTLE, 0.5, RiskLevel.DEGRADE, 0.7, RiskLevel.BLOCK, 0.75),
        Map.of(RiskLevel.THROTTLE, 50L, RiskLevel.DEGRADE, 50L, RiskLevel.BLOCK, 50L), Set.of("licensed"),
        Map.of("free", new Policy.TierOverride(Map.of(), Map.of(RiskLevel.THROTTLE, 5L, RiskLevel.DEGRADE, 5L,
                RiskLevel.BLOCK, 5L)),
            "enterprise", new Policy.TierOverride(Map.of(RiskLevel.BLOCK, 0.95), Map.of())));
    Map<String, String> tiers = Map.of("f", "free", "e", "enterprise", "d", "default", "licensed", "free");
    Map<String, Integer> asked = new java.util.HashMap<>();
    DetectionEngine engine = new DetectionEngine(List.of(new DetectorSetTest.Fixed("s", 0.8)),
        new NoisyOrScorer(Map.of(), 1.0), p, id -> {
          asked.merge(id, 1, Integer::sum);
          return tiers.get(id);
        });
    Map<String, Long> blockedAt = new java.util.HashMap<>();
    for (long i = 1; i <= 60; i++) {
      for (String a : List.of("f", "e", "d", "unknown", "licensed")) {
        Verdict v = engine.accept(exchange(a, T0.plusSeconds(i)));
        if (v != null && v.level() == RiskLevel.BLOCK) {
          blockedAt.put(a, i);
        }
      }
    }
    assertThat(blockedAt).as("free: 5 exchanges suffice; default and no tier: 50; enterprise: never at 0.8")
        .containsOnly(Map.entry("f", 5L), Map.entry("d", 50L), Map.entry("unknown", 50L));
    assertThat(engine.level("e")).isEqualTo(RiskLevel.DEGRADE);
    assertThat(engine.level("licensed")).as("the allowlist holds in every tier").isEqualTo(RiskLevel.WATCH);
    assertThat(engine.policyOf("e").thresholds()).containsEntry(RiskLevel.BLOCK, 0.95)
        .containsEntry(RiskLevel.THROTTLE, 0.5);
    assertThat(engine.policyOf("f").minEvidence()).containsEntry(RiskLevel.BLOCK, 5L);
    assertThat(engine.detectorStates("f")).hasSize(1).doesNotContainNull();
    assertThat(engine.detectorStates("nobody")).isNull();
    assertThat(asked).as("asked once per account, on its first exchange").containsOnly(Map.entry("f", 1),
        Map.entry("e", 1), Map.entry("d", 1), Map.entry("unknown", 1), Map.entry("licensed", 1));
  }

  @Test
  void withoutATierLookupEveryAccountGetsTheDefaults() {
    Policy p = new Policy(Map.of(RiskLevel.THROTTLE, 0.5), Map.of(RiskLevel.THROTTLE, 50L), Set.of(),
        Map.of("free", new Policy.TierOverride(Map.of(), Map.of(RiskLevel.THROTTLE, 5L))));
    DetectionEngine engine = new DetectionEngine(List.of(new DetectorSetTest.Fixed("s", 0.8)),
        new NoisyOrScorer(Map.of(), 1.0), p);
    for (int i = 0; i < 10; i++) {
      engine.accept(exchange("f", T0.plusSeconds(i)));
    }
    assertThat(engine.level("f")).isEqualTo(RiskLevel.NONE);
    assertThat(p.forTier("free").levelFor(0.8, 10)).isEqualTo(RiskLevel.THROTTLE);
    assertThat(p.forTier(null).tiers()).isEmpty();
    assertThat(p.withAllowlist(Set.of("x")).tiers()).containsKey("free");
  }

  @Test
  void noisyOrCombinesAndExplains() {
    NoisyOrScorer s = new NoisyOrScorer(Map.of("a", 1.0, "b", 0.5), 1.0);
    RiskScore r = s.score(List.of(new Signal("a", 0.5, 10, "x"), new Signal("b", 0.8, 10, "y"),
        new Signal("c", 0, 10, "z")));
    assertThat(r.score()).isCloseTo(1 - 0.5 * 0.6, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.reasons()).extracting(Reason::signal).containsExactly("a", "b");
    assertThat(r.reasons().stream().mapToDouble(Reason::contribution).sum())
        .isCloseTo(r.score(), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void signalsRejectOutOfRangeSuspicion() {
    assertThatThrownBy(() -> new Signal("x", 1.5, 1, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Signal("x", Double.NaN, 1, "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void volumeWindowForgetsOldHours() {
    VolumeThresholdDetector d = new VolumeThresholdDetector(5);
    VolumeThresholdDetector.State s = d.newState();
    for (int i = 0; i < 5; i++) {
      d.observe(s, exchange("a", T0.plusSeconds(i)));
    }
    d.observe(s, exchange("a", T0.plus(Duration.ofHours(30))));
    assertThat(d.evaluate(s).suspicion()).isZero();
    for (int i = 0; i < 5; i++) {
      d.observe(s, exchange("a", T0.plus(Duration.ofHours(30)).plusSeconds(i)));
    }
    assertThat(d.evaluate(s).suspicion()).isEqualTo(1.0);
  }
}
