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
