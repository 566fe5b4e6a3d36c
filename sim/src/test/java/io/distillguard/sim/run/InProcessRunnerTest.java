package io.distillguard.sim.run;

import static io.distillguard.sim.run.TestTraffic.T0;
import static io.distillguard.sim.run.TestTraffic.account;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Verdict;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.run.TestTraffic.Scripted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InProcessRunnerTest {

  /** Records what the runner reports. */
  static final class Log implements RunListener {
    final List<Disposition> dispositions = new ArrayList<>();
    final List<Exchange> exchanges = new ArrayList<>();
    final List<Verdict> verdicts = new ArrayList<>();
    final List<Instant> samples = new ArrayList<>();
    Instant end;

    @Override
    public void onExchange(SimRequest request, Disposition disposition, Exchange exchange) {
      dispositions.add(disposition);
      exchanges.add(exchange);
    }

    @Override
    public void onVerdict(SimRequest request, Verdict verdict) {
      verdicts.add(verdict);
    }

    @Override
    public void onSample(Instant at, DetectionEngine engine) {
      samples.add(at);
    }

    @Override
    public void onEnd(Instant at, TrafficSource source) {
      end = at;
    }
  }

  static TestTraffic traffic(Scripted... actors) {
    List<SimAccount> accounts = new ArrayList<>();
    for (Scripted a : actors) {
      accounts.add(a.account);
    }
    return new TestTraffic(List.of(actors), accounts, Map.of(), Map.of());
  }

  @Test
  void enforcementFollowsVerdictsFromTheNextRequest() {
    SimAccount a = account("campaign-1", TestTraffic.campaign("c"), "default");
    Scripted actor = new Scripted(a, T0, Duration.ofSeconds(1), 100, true, 5, false);
    Log log = new Log();
    // watch at the 3rd exchange, throttle at the 5th, block at the 40th
    InProcessRunner.Result r = new InProcessRunner(TestTraffic.scripted(3, 5, 40),
        InProcessRunner.Options.defaults()).run(traffic(actor), log);

    assertThat(r.events()).isEqualTo(100);
    assertThat(log.verdicts).extracting(Verdict::level)
        .containsExactly(RiskLevel.WATCH, RiskLevel.THROTTLE, RiskLevel.BLOCK);
    // Exchanges 1..5 served under the tier limits (the 5th triggered the throttle).
    for (int i = 0; i < 5; i++) {
      assertThat(log.dispositions.get(i)).isEqualTo(Disposition.SERVED);
    }
    // From the 6th on (t=5 s): a fresh throttled bucket of 10 at t=5 s, refilling one token every 6 s.
    long servedWhileThrottled = 0;
    long throttled = 0;
    for (int i = 5; i < 40; i++) {
      if (log.dispositions.get(i) == Disposition.SERVED) {
        servedWhileThrottled++;
      } else {
        assertThat(log.dispositions.get(i)).isEqualTo(Disposition.THROTTLED);
        throttled++;
      }
    }
    // t = 5..39 s (35 requests): 10 from the full bucket + refills of 1 per 6 s over 34 s (5 whole tokens).
    assertThat(servedWhileThrottled).isEqualTo(15);
    assertThat(throttled).isEqualTo(20);
    // The 40th exchange (t=39 s) triggered the block: it was refused as throttled, yet still seen by detection.
    assertThat(log.verdicts.get(2).at()).isEqualTo(T0.plusSeconds(39));
    for (int i = 40; i < 100; i++) {
      assertThat(log.dispositions.get(i)).isEqualTo(Disposition.BLOCKED);
      assertThat(log.exchanges.get(i).status()).isEqualTo(403);
      assertThat(log.exchanges.get(i).errorCode()).isEqualTo("account_blocked");
      assertThat(log.exchanges.get(i).outcome()).isEqualTo(Outcome.REJECTED);
      assertThat(log.exchanges.get(i).responseText()).isNull();
    }
    assertThat(actor.results.get(99).status()).isEqualTo(403);
    assertThat(r.served()).isEqualTo(5 + 15);
    assertThat(r.refusedByEnforcement()).isEqualTo(20 + 60);
    assertThat(r.refusedByLimits()).isZero();
  }

  @Test
  void throttledRefusalsCarryRetryAfter() {
    SimAccount a = account("campaign-2", TestTraffic.campaign("c"), "default");
    Scripted actor = new Scripted(a, T0, Duration.ofMillis(100), 30, true, 1, false);
    new InProcessRunner(TestTraffic.scripted(1, 1, 1_000), InProcessRunner.Options.defaults())
        .run(traffic(actor), new Log());
    // Throttled at the 1st exchange: exchanges 2..11 (t=0.1..1.0 s) use the 10-request bucket, the 12th waits.
    SimResult refused = actor.results.get(11);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.retryAfterSeconds()).isBetween(1L, 6L);
    assertThat(actor.results.subList(1, 11)).allMatch(SimResult::served);
  }

  @Test
  void tierLimitsAreSeparateFromEnforcement() {
    SimAccount free = account("free-user", Label.BENIGN, "free");
    SimAccount dflt = account("default-user", Label.BENIGN, "default");
    SimAccount unknownTier = account("odd-user", Label.BENIGN, "platinum");
    // 61 requests 1 ms apart (well within a second): the 61st finds the free bucket empty.
    Scripted f = new Scripted(free, T0, Duration.ofMillis(1), 61, false, 1, false);
    // 601 requests 1 µs apart: the 601st finds the default bucket (600) empty; an unknown tier gets the default.
    Scripted d = new Scripted(dflt, T0, Duration.ofNanos(1_000), 601, false, 1, false);
    Scripted u = new Scripted(unknownTier, T0, Duration.ofNanos(1_000), 601, false, 1, false);
    Log log = new Log();
    InProcessRunner.Result r = new InProcessRunner(DetectorSet.baseline(), InProcessRunner.Options.defaults())
        .run(traffic(f, d, u), log);
    assertThat(f.results.subList(0, 60)).allMatch(SimResult::served);
    assertThat(f.results.get(60).status()).isEqualTo(429);
    assertThat(f.results.get(60).retryAfterSeconds()).isEqualTo(1);
    assertThat(d.results.subList(0, 600)).allMatch(SimResult::served);
    assertThat(d.results.get(600).status()).isEqualTo(429);
    assertThat(u.results.get(600).status()).isEqualTo(429);
    assertThat(r.refusedByLimits()).isEqualTo(3);
    assertThat(r.refusedByEnforcement()).isZero();
    assertThat(log.dispositions).filteredOn(x -> !x.served()).containsOnly(Disposition.RATE_LIMITED);
    // Refused exchanges reach detection too: every request became an exchange.
    assertThat(log.exchanges).hasSize(61 + 601 + 601);
  }

  @Test
  void tokenBudgetRefusesAfterALargeAnswer() {
    SimAccount a = account("big", Label.BENIGN, "free");
    TestTraffic t = new TestTraffic(List.of(new io.distillguard.sim.Actor() {
      int n;

      @Override
      public Instant peek() {
        return n < 3 ? T0.plusMillis(n) : null;
      }

      @Override
      public SimRequest next() {
        return TestTraffic.request(a, T0.plusMillis(n++), "write a long essay", false, 50_000);
      }

      @Override
      public void onResult(SimRequest request, SimResult result) {}
    }), List.of(a), Map.of(), Map.of());
    new InProcessRunner(DetectorSet.baseline(), InProcessRunner.Options.defaults()).run(t, new Log());
    // Free tier: 40,000 tokens a minute. The first answer (50,000 + prompt tokens) is admitted while the budget is
    // positive and drives it below zero; the next requests wait about 15 s for the refill.
    assertThat(t.results.get(0).served()).isTrue();
    assertThat(t.results.get(0).completionTokens()).isEqualTo(50_000);
    assertThat(t.results.get(1).status()).isEqualTo(429);
    assertThat(t.results.get(1).retryAfterSeconds()).isEqualTo(16);
    assertThat(t.results.get(2).status()).isEqualTo(429);
  }

  @Test
  void exchangesCarryIdentityTimingAndSyntheticAnswers() {
    SimAccount a = account("acct-x", Label.BENIGN, "default");
    TestTraffic t = new TestTraffic(List.of(new Scripted(a, T0, Duration.ofSeconds(1), 1, false, 1, false)),
        List.of(a), Map.of(), Map.of());
    Log log = new Log();
    new InProcessRunner(DetectorSet.baseline(), InProcessRunner.Options.defaults()).run(t, log);
    Exchange e = log.exchanges.get(0);
    assertThat(e.accountId()).isEqualTo("acct-x");
    assertThat(e.keyId()).isEqualTo("acct-x-k");
    assertThat(e.eventTime()).isEqualTo(T0);
    assertThat(e.clientIp()).isEqualTo("198.51.100.7");
    assertThat(e.userAgent()).isEqualTo("OpenAI/Python 1.54.4");
    assertThat(e.headerFingerprint()).isEqualTo(InProcessRunner.headerFingerprint("OpenAI/Python 1.40.0"));
    assertThat(e.endpoint()).isEqualTo("/v1/chat/completions");
    assertThat(e.model()).isEqualTo("builtin-large");
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.outcome()).isEqualTo(Outcome.OK);
    assertThat(e.completionTokens()).isEqualTo(100);
    assertThat(e.promptTokens()).isEqualTo(("question 0 please".length() + 3) / 4);
    assertThat(e.promptSha256()).isEqualTo(Exchange.promptDigest(e.messages()));
    assertThat(e.responseSha256()).isEqualTo(Exchange.textDigest(e.responseText()));
    assertThat(e.responseText()).doesNotContain("Step 1");
  }

  @Test
  void reasoningPromptsGetStepByStepAnswersUnlessDegraded() {
    String q = "What is 17 * 23? Explain your reasoning step by step.";
    assertThat(SyntheticAnswers.elicitsReasoning(q)).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("Write a haiku about autumn.")).isFalse();
    assertThat(SyntheticAnswers.elicitsReasoning("Solve it. STEP-BY-STEP please")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("Let's think about it")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("Löse die Aufgabe Schritt für Schritt.")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("请逐步解答")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("steps: by the way")).isFalse();
    assertThat(SyntheticAnswers.answer(q, 42, false)).containsIgnoringCase("step");
    assertThat(SyntheticAnswers.answer(q, 42, true)).doesNotContainIgnoringCase("step");
    assertThat(SyntheticAnswers.answer(q, 42, false)).isEqualTo(SyntheticAnswers.answer(q, 42, false));
    assertThat(SyntheticAnswers.answer(q, 42, false)).isNotEqualTo(SyntheticAnswers.answer(q, 43, false));
  }

  @Test
  void digestsEqualTheCoreDefinitions() {
    Digests d = new Digests();
    List<List<io.distillguard.core.ChatMessage>> cases = List.of(
        List.of(new io.distillguard.core.ChatMessage("user", "hello")),
        List.of(new io.distillguard.core.ChatMessage("system", "be brief"),
            new io.distillguard.core.ChatMessage("user", "Grüße, 你好 — step by step"),
            new io.distillguard.core.ChatMessage("assistant", "ok"),
            new io.distillguard.core.ChatMessage("user", null)),
        List.of(new io.distillguard.core.ChatMessage(null, "no role"),
            new io.distillguard.core.ChatMessage("prompt", "completion prompt")));
    for (List<io.distillguard.core.ChatMessage> m : cases) {
      assertThat(d.prompt(m)).isEqualTo(Exchange.promptDigest(m));
    }
    assertThat(d.prompt(List.of())).isNull();
    assertThat(d.text("an answer ✓")).isEqualTo(Exchange.textDigest("an answer ✓"));
    assertThat(d.text(null)).isNull();
    d.prompt(cases.get(1));
    // The last user message with content is the one scanned for reasoning requests.
    assertThat(new String(d.lastUserText, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("Grüße, 你好 — step by step");
  }

  @Test
  void longPromptsAreScannedAtBothEnds() {
    String filler = "lorem ipsum ".repeat(200);
    assertThat(SyntheticAnswers.elicitsReasoning("Think carefully. " + filler)).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning(filler + " Show your work.")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning(filler + " step by step " + filler)).isFalse();
    assertThat(SyntheticAnswers.elicitsReasoning("请一步一步推理")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("段階的に説明して")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("résous pas à pas")).isTrue();
    assertThat(SyntheticAnswers.elicitsReasoning("ste")).isFalse();
  }

  @Test
  void userAgentFamilies() {
    assertThat(InProcessRunner.uaFamily("OpenAI/Python 1.54.4")).isEqualTo("OpenAI/Python");
    assertThat(InProcessRunner.uaFamily("python-requests/2.32.3")).isEqualTo("python-requests");
    assertThat(InProcessRunner.uaFamily("Mozilla/5.0 (Windows NT 10.0)")).isEqualTo("Mozilla");
    assertThat(InProcessRunner.uaFamily("OpenAI/JS 4.73.0")).isEqualTo("OpenAI/JS");
    assertThat(InProcessRunner.headerFingerprint("OpenAI/JS 4.73.0"))
        .isNotEqualTo(InProcessRunner.headerFingerprint("OpenAI/Python 1.54.4"))
        .hasSize(16);
  }

  @Test
  void samplesEveryIntervalOfEventTimeUpToTheEnd() {
    SimAccount a = account("acct-s", Label.BENIGN, "default");
    TestTraffic t = new TestTraffic(List.of(new Scripted(a, T0.plusSeconds(30), Duration.ofMinutes(50), 4, false,
        1, false)), List.of(a), Map.of(), Map.of()).withEnd(T0.plus(Duration.ofHours(5)));
    Log log = new Log();
    new InProcessRunner(DetectorSet.baseline(), InProcessRunner.Options.defaults()).run(t, log);
    // Requests at 0:00:30, 0:50:30, 1:40:30, 2:30:30; samples on every whole hour to the end, then at the end.
    assertThat(log.samples).containsExactly(T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(2)),
        T0.plus(Duration.ofHours(3)), T0.plus(Duration.ofHours(4)), T0.plus(Duration.ofHours(5)),
        T0.plus(Duration.ofHours(5)));
    assertThat(log.end).isEqualTo(T0.plus(Duration.ofHours(5)));
  }

  @Test
  void licensedDistillersAreAllowListedAtWatch() {
    SimAccount lic = account("campaign-looking-licensed", TestTraffic.heavy(InProcessRunner.LICENSED_GROUP),
        "default");
    Scripted actor = new Scripted(lic, T0, Duration.ofSeconds(1), 20, false, 3, false);
    Log log = new Log();
    new InProcessRunner(TestTraffic.scripted(2, 3, 4), InProcessRunner.Options.defaults()).run(traffic(actor), log);
    assertThat(log.verdicts).extracting(Verdict::level).containsExactly(RiskLevel.WATCH);
    assertThat(actor.results).allMatch(SimResult::served);
  }
}
