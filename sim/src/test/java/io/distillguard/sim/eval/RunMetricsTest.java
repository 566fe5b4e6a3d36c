package io.distillguard.sim.eval;

import static io.distillguard.sim.run.TestTraffic.T0;
import static io.distillguard.sim.run.TestTraffic.account;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.NoisyOrScorer;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.detect.Verdict;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.run.Disposition;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.run.TestTraffic;
import io.distillguard.sim.run.TrafficSource;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics on hand-built event sequences, with exact expected numbers. */
class RunMetricsTest {
  final SimAccount ca = account("c1-a", TestTraffic.campaign("c1"), "default");
  final SimAccount cb = account("c1-b", TestTraffic.campaign("c1"), "default");
  final SimAccount o1 = account("o1", Label.BENIGN, "default");
  final SimAccount o2 = account("o2", Label.BENIGN, "free");
  final SimAccount o3 = account("o3", Label.BENIGN, "default");
  final SimAccount h1 = account("h1", TestTraffic.heavy("batch-eval"), "default");
  final SimAccount h2 = account("h2", TestTraffic.heavy("researcher"), "default");
  final Map<String, RiskLevel> levels = new HashMap<>();

  final RunMetrics m = new RunMetrics();
  final TrafficSource source = new TestTraffic(List.of(), List.of(ca, cb, o1, o2, o3, h1, h2),
      Map.of("c1", "naive"), Map.of("c1", 10));

  private SimRequest ex(SimAccount a, long sec, String prompt, boolean attack, Disposition d) {
    SimRequest r = TestTraffic.request(a, T0.plusSeconds(sec), prompt, attack, 10);
    Exchange e = new Exchange("x" + sec, r.time(), a.id(), a.id() + "-k", r.clientIp(), r.userAgent(), "fp",
        r.endpoint(), r.model(), r.params(), false, r.messages(), d.served() ? "answer" : null,
        Exchange.promptDigest(r.messages()), prompt.length(), null, 0, 1, 10, d.status(),
        d.served() ? Outcome.OK : Outcome.REJECTED, d.errorCode(), 1, 1, 1);
    m.onExchange(r, d, e);
    return r;
  }

  private void verdict(SimRequest r, RiskLevel level, String reason) {
    RiskLevel prev = levels.getOrDefault(r.account().id(), RiskLevel.NONE);
    levels.put(r.account().id(), level);
    m.onVerdict(r, new Verdict(r.account().id(), r.time(), prev,
        new RiskScore(0.9, level, 5, List.of(new Reason(reason, 1, 0.7, "x"), new Reason("other", 1, 0.2, "y")))));
  }

  private EvalReport.RunReport run() {
    m.onStart(source);
    ex(ca, 0, "p0", true, Disposition.SERVED);
    ex(o1, 5, "hello", false, Disposition.SERVED);
    verdict(ex(ca, 10, "p1", true, Disposition.SERVED), RiskLevel.WATCH, "volume");
    ex(o1, 15, "hello again", false, Disposition.RATE_LIMITED);
    ex(cb, 20, "p0", true, Disposition.SERVED);
    verdict(ex(o2, 25, "q", false, Disposition.SERVED), RiskLevel.WATCH, "volume");
    verdict(ex(ca, 30, "p2", true, Disposition.SERVED), RiskLevel.THROTTLE, "templates");
    verdict(ex(o2, 35, "q", false, Disposition.SERVED), RiskLevel.THROTTLE, "volume");
    ex(ca, 40, "p3", true, Disposition.THROTTLED);
    ex(o2, 45, "q", false, Disposition.THROTTLED);
    verdict(ex(cb, 50, "p3", true, Disposition.SERVED), RiskLevel.BLOCK, "templates");
    verdict(ex(h1, 55, "bench", false, Disposition.SERVED), RiskLevel.BLOCK, "volume");
    ex(cb, 60, "p4", true, Disposition.BLOCKED);
    ex(h1, 65, "bench", false, Disposition.BLOCKED);
    ex(ca, 70, "my own question", false, Disposition.SERVED);
    ex(h2, 75, "research", false, Disposition.SERVED);
    ex(ca, 80, "another own question", false, Disposition.THROTTLED);
    m.onEnd(T0.plusSeconds(100), source);
    InProcessRunner.Result result = new InProcessRunner.Result("test", 17, 10, 5, 1, 6, 7, T0, T0.plusSeconds(80),
        2_000_000_000L, 1_000_000_000L, 500_000_000L);
    return m.report(DetectorSet.baseline(), result);
  }

  @Test
  void campaignMetrics() {
    EvalReport.CampaignResult c = run().campaign("c1");
    assertThat(c.strategy()).isEqualTo("naive");
    assertThat(c.accounts()).isEqualTo(2);
    assertThat(c.firstRequest()).isEqualTo(T0);
    assertThat(c.detected()).isTrue();
    assertThat(c.firstWatch()).isEqualTo(T0.plusSeconds(10));
    assertThat(c.secondsToWatch()).isEqualTo(10.0);
    assertThat(c.secondsToDetection()).isEqualTo(30.0);
    assertThat(c.secondsToBlock()).isEqualTo(50.0);
    assertThat(c.attackSent()).isEqualTo(7);
    assertThat(c.harvested()).isEqualTo(5);
    // Served attack exchanges up to and including the one that triggered the first throttle (t=30): 4.
    assertThat(c.harvestedBeforeThrottle()).isEqualTo(4);
    assertThat(c.harvestedBeforeBlock()).isEqualTo(5);
    assertThat(c.accountsThrottled()).isEqualTo(2);
    assertThat(c.accountsBlocked()).isEqualTo(1);
    assertThat(c.accountsThrottledFraction()).isEqualTo(1.0);
    assertThat(c.accountsBlockedFraction()).isEqualTo(0.5);
    assertThat(c.promptSetSize()).isEqualTo(10);
    assertThat(c.distinctPromptsHarvested()).isEqualTo(4);
    assertThat(c.promptSetFractionHarvested()).isEqualTo(0.4);
    assertThat(c.nonAttackSent()).isEqualTo(2);
    assertThat(c.nonAttackRefusedByEnforcement()).isEqualTo(1);
  }

  @Test
  void harvestBeforeBlockPerAccount() {
    EvalReport.RunReport r = run();
    // c1-b was blocked after 2 served attack answers; c1-a never was and got 3 in all.
    assertThat(r.harvestBeforeBlock().get("c1")).containsExactly(2L, 3L);
    assertThat(r.collateral().nonAttackSent()).isEqualTo(2);
    assertThat(r.collateral().nonAttackRefusedByEnforcement()).isEqualTo(1);
  }

  @Test
  void benignFalsePositivesByClass() {
    EvalReport.RunReport r = run();
    assertThat(r.benign()).extracting(EvalReport.BenignResult::group)
        .containsExactly("ordinary", "heavy", "heavy/batch-eval", "heavy/researcher");
    EvalReport.BenignResult o = r.benign("ordinary");
    assertThat(o.accounts()).isEqualTo(2);  // o3 never sent a request
    assertThat(o.atWatch()).isEqualTo(1);
    assertThat(o.atThrottle()).isEqualTo(1);
    assertThat(o.atDegrade()).isZero();
    assertThat(o.blocked()).isZero();
    assertThat(o.watchRate()).isEqualTo(0.5);
    assertThat(o.throttleRate()).isEqualTo(0.5);
    assertThat(o.exchanges()).isEqualTo(5);
    assertThat(o.refusedByEnforcement()).isEqualTo(1);
    assertThat(o.refusedByLimits()).isEqualTo(1);
    EvalReport.BenignResult h = r.benign("heavy");
    assertThat(h.accounts()).isEqualTo(2);
    assertThat(h.atWatch()).isEqualTo(1);
    assertThat(h.atDegrade()).isEqualTo(1);
    assertThat(h.blocked()).isEqualTo(1);
    assertThat(h.blockRate()).isEqualTo(0.5);
    assertThat(h.exchanges()).isEqualTo(3);
    assertThat(h.refusedByEnforcement()).isEqualTo(1);
    assertThat(r.benign("heavy/batch-eval").blockRate()).isEqualTo(1.0);
    assertThat(r.benign("heavy/researcher").atWatch()).isZero();
    assertThat(r.traffic().accounts()).isEqualTo(6);
    assertThat(r.traffic().registered()).isEqualTo(7);
  }

  @Test
  void detectorContributionsCountTopReasons() {
    EvalReport.RunReport r = run();
    Map<String, EvalReport.DetectorContribution> byName = new HashMap<>();
    for (EvalReport.DetectorContribution d : r.contributions()) {
      byName.put(d.detector(), d);
    }
    assertThat(byName.get("volume")).isEqualTo(new EvalReport.DetectorContribution("volume", 1, 3, 0, 2));
    assertThat(byName.get("templates")).isEqualTo(new EvalReport.DetectorContribution("templates", 2, 0, 2, 0));
    assertThat(byName).doesNotContainKey("other");
    // The set's own detectors are listed even when never the top reason.
    assertThat(byName.get("volume-threshold")).isEqualTo(
        new EvalReport.DetectorContribution("volume-threshold", 0, 0, 0, 0));
  }

  @Test
  void performanceComesFromTheRunResult() {
    EvalReport.Performance p = run().performance();
    assertThat(p.events()).isEqualTo(17);
    assertThat(p.wallSeconds()).isEqualTo(2.0);
    assertThat(p.eventsPerSecond()).isEqualTo(8.5);
    assertThat(p.eventsPerSecondExcludingSource()).isCloseTo(11.3, within(0.05));
    assertThat(p.cpuSeconds()).isEqualTo(1.0);
    assertThat(p.eventsPerCpuSecond()).isEqualTo(17.0);
    // A quarter of the wall time went to traffic generation: 17 events in 0.75 CPU seconds.
    assertThat(p.eventsPerCpuSecondExcludingSource()).isCloseTo(22.7, within(0.05));
  }

  @Test
  void nearestRankQuantiles() {
    double[] v = {0.1, 0.2, 0.3, 0.4};
    assertThat(RunMetrics.quantile(v, 0.5)).isEqualTo(0.2);
    assertThat(RunMetrics.quantile(v, 0.9)).isEqualTo(0.4);
    assertThat(RunMetrics.quantile(new double[] {0.7}, 0.9)).isEqualTo(0.7);
    double[] ten = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    assertThat(RunMetrics.quantile(ten, 0.9)).isEqualTo(0.0);
    assertThat(RunMetrics.quantile(ten, 0.5)).isEqualTo(0.0);
  }

  /** Suspicion from the account id: "name@0.25" → 0.25. */
  record ById() implements Detector<String[]> {
    @Override
    public String name() {
      return "by-id";
    }

    @Override
    public String[] newState() {
      return new String[1];
    }

    @Override
    public void observe(String[] s, Exchange e) {
      s[0] = e.accountId();
    }

    @Override
    public Signal evaluate(String[] s) {
      return new Signal("by-id", Double.parseDouble(s[0].substring(s[0].indexOf('@') + 1)), 1, "id");
    }
  }

  @Test
  void riskSamplesPerClass() {
    DetectionEngine engine = new DetectorSet("by-id", "", List.of(new ById()), new NoisyOrScorer(Map.of(), 1.0),
        TestTraffic.policy()).newEngine();
    RunMetrics rm = new RunMetrics();
    SimAccount[] benign = {account("a@0.1", Label.BENIGN, "default"), account("b@0.2", Label.BENIGN, "default"),
        account("c@0.3", Label.BENIGN, "default")};
    SimAccount camp = account("k@0.8", TestTraffic.campaign("cx"), "default");
    Map<String, String> strategies = new java.util.LinkedHashMap<>();
    strategies.put("cx", "hydra");
    strategies.put("cy", "low-and-slow");
    rm.onStart(new TestTraffic(List.of(), List.of(), strategies, Map.of()));
    Instant t = T0;
    rm.onSample(t, engine);  // nobody active yet
    for (SimAccount a : benign) {
      SimRequest r = TestTraffic.request(a, t, "x", false, 1);
      Exchange e = exchange(r);
      rm.onExchange(r, Disposition.SERVED, e);
      engine.accept(e);
    }
    SimRequest r = TestTraffic.request(camp, t, "x", true, 1);
    rm.onExchange(r, Disposition.SERVED, exchange(r));
    engine.accept(exchange(r));
    rm.onSample(t.plusSeconds(3600), engine);
    EvalReport.RunReport rep = rm.report(DetectorSet.baseline(), new InProcessRunner.Result("x", 4, 4, 0, 0, 0, 4,
        t, t, 1, 1, 0));
    EvalReport.RiskSeries s = rep.risk();
    assertThat(s.times()).containsExactly(T0, T0.plusSeconds(3600));
    assertThat(s.classes().keySet()).containsExactly("benign ordinary", "benign heavy", "campaign cx",
        "campaign cy");
    EvalReport.ClassSeries b = s.classes().get("benign ordinary");
    assertThat(b.median().get(0)).isNull();
    assertThat(b.median().get(1)).isCloseTo(0.2, within(1e-9));
    assertThat(b.p90().get(1)).isCloseTo(0.3, within(1e-9));
    assertThat(b.accounts()).containsExactly(0, 3);
    assertThat(s.classes().get("campaign cx").median().get(1)).isCloseTo(0.8, within(1e-9));
    assertThat(s.classes().get("campaign cy").accounts()).containsExactly(0, 0);
    assertThat(rep.campaign("cy").detected()).isFalse();
    assertThat(rep.campaign("cy").secondsToDetection()).isNull();
    assertThat(rep.campaign("cy").harvestedBeforeBlock()).isZero();
  }

  @Test
  void degradeIsMeasuredInReasoningCharactersServedAndWithheld() {
    RunMetrics rm = new RunMetrics();
    SimAccount c = account("c", TestTraffic.campaign("cz"), "default");
    SimAccount b = account("b", Label.BENIGN, "default");
    rm.onStart(new TestTraffic(List.of(), List.of(c, b), Map.of("cz", "reasoning-harvest"), Map.of("cz", 10)));
    String ask = "Solve 12 * 7. Let's think step by step.";
    // before degrade: a reasoning answer, served in full
    SimRequest r1 = TestTraffic.request(c, T0, ask, true, 10);
    Exchange e1 = answered(r1, false);
    rm.onExchange(r1, Disposition.SERVED, e1);
    int full = io.distillguard.sim.run.SyntheticAnswers.reasoningChars(e1.responseText());
    assertThat(full).isPositive();
    rm.onVerdict(r1, new Verdict("c", T0, RiskLevel.THROTTLE, new RiskScore(0.6, RiskLevel.DEGRADE, 100,
        List.of())));
    // while degraded: two reasoning requests answered without reasoning, one plain request
    SimRequest r2 = TestTraffic.request(c, T0.plusSeconds(1), ask, true, 10);
    rm.onExchange(r2, Disposition.SERVED, answered(r2, true));
    SimRequest r3 = TestTraffic.request(c, T0.plusSeconds(2), ask.replace("12", "13"), true, 10);
    Exchange e3 = answered(r3, true);
    rm.onExchange(r3, Disposition.SERVED, e3);
    SimRequest r4 = TestTraffic.request(c, T0.plusSeconds(3), "What is the capital of Peru?", true, 10);
    rm.onExchange(r4, Disposition.SERVED, answered(r4, true));
    SimRequest b1 = TestTraffic.request(b, T0.plusSeconds(4), ask, false, 10);
    rm.onExchange(b1, Disposition.SERVED, answered(b1, false));

    EvalReport.RunReport rep = rm.report(DetectorSet.baseline(), new InProcessRunner.Result("x", 5, 5, 0, 0, 1, 2,
        T0, T0, 1, 1, 0));
    EvalReport.DegradeEffect d = rep.degrade().stream().filter(x -> x.group().equals("campaign cz")).findFirst()
        .orElseThrow();
    long withheld = io.distillguard.sim.run.SyntheticAnswers.reasoningCharsFor(ask, hash(r2))
        + io.distillguard.sim.run.SyntheticAnswers.reasoningCharsFor(r3.messages().get(0).content(), hash(r3));
    assertThat(d.accountsDegraded()).isEqualTo(1);
    assertThat(d.answersWhileDegraded()).isEqualTo(3);
    assertThat(d.reasoningAskedWhileDegraded()).isEqualTo(2);
    assertThat(d.reasoningCharsServed()).isEqualTo(full);
    assertThat(d.reasoningCharsServedDegraded()).isZero();
    assertThat(d.reasoningCharsWithheld()).isEqualTo(withheld).isPositive();
    assertThat(d.withheldShare()).isEqualTo(1.0);
    assertThat(rep.degrade()).filteredOn(x -> x.group().startsWith("benign"))
        .allSatisfy(x -> assertThat(x.accountsDegraded()).isZero());
    String md = ReportWriter.markdown(new EvalReport(new EvalReport.ScenarioInfo("s", "", "s.yaml", 1, T0, T0,
        Map.of("cz", "reasoning-harvest")), rep.detectors().name(), null, List.of(), List.of(rep)), Map.of());
    assertThat(md).contains("## Degrade: reasoning served and withheld").contains("| campaign cz | 1 | 3 | 2 | ")
        .contains("No benign account was degraded.");
  }

  private static long hash(SimRequest r) {
    return Long.parseUnsignedLong(Exchange.promptDigest(r.messages()), 0, 16, 16);
  }

  /** As the in-process runner answers: a degraded account's answer leaves the reasoning out. */
  private static Exchange answered(SimRequest r, boolean degraded) {
    String text = io.distillguard.sim.run.SyntheticAnswers.answer(r.messages().get(r.messages().size() - 1)
        .content(), hash(r), degraded);
    return new Exchange("e", r.time(), r.account().id(), "k", null, null, null, r.endpoint(), r.model(), null,
        false, r.messages(), text, Exchange.promptDigest(r.messages()), 1, null, text.length(), 1, 1, 200,
        Outcome.OK, null, 1, 1, 1);
  }

  private static Exchange exchange(SimRequest r) {
    return new Exchange("e", r.time(), r.account().id(), "k", null, null, null, r.endpoint(), r.model(), null,
        false, r.messages(), "a", Exchange.promptDigest(r.messages()), 1, null, 1, 1, 1, 200, Outcome.OK, null, 1,
        1, 1);
  }
}
