package io.distillguard.core.detectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Each detector separates a clear harvesting pattern from a clear human pattern on hand-built traffic. */
class DetectorsTest {
  static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");
  static final String[] TOPICS = {"my sourdough starter smells like acetone", "how to repot a monstera plant",
      "best stretches for lower back pain", "what wine goes with mushroom risotto", "explain my electricity bill"};

  static Exchange ex(int i, Instant at, String prompt, SamplingParams p, List<ChatMessage> history) {
    List<ChatMessage> m = new java.util.ArrayList<>(history);
    m.add(new ChatMessage("user", prompt));
    return new Exchange("x" + i, at, "acct", "k", "1.2.3.4", "ua", "fp", "/v1/chat/completions", "m", p, false,
        m, "answer", Exchange.promptDigest(m), Exchange.promptLength(m), null, 6, 10, 200, 200, Outcome.OK, null,
        0, 0, 0);
  }

  static <S> Signal run(Detector<S> d, int n, IntFunction<Exchange> gen) {
    S s = d.newState();
    for (int i = 0; i < n; i++) {
      d.observe(s, gen.apply(i));
    }
    return d.evaluate(s);
  }

  static Exchange harvest(int i) {
    return ex(i, T0.plusSeconds(6L * i), "Below is an instruction that describes a task. Write a response. "
        + "### Instruction: task number " + i + " about " + TOPICS[i % 5].split(" ")[i % 3] + " item" + i
        + " ### Response: Think step by step.", SamplingParams.NONE, List.of());
  }

  static Exchange human(int i) {
    Random r = new Random(i);
    String topic = TOPICS[(i / 8) % 2];
    List<ChatMessage> history = i % 3 == 0 ? List.of() : List.of(new ChatMessage("user", topic),
        new ChatMessage("assistant", "Here is what I think about it."));
    return ex(i, T0.plus(Duration.ofMinutes(3L * i + r.nextInt(40))).plus(Duration.ofHours(i / 20 * 14L)),
        "follow up " + r.nextInt(3) + " on " + topic, SamplingParams.NONE, history);
  }

  @Test
  void reasoning() {
    assertThat(run(new ReasoningDetector(), 100, DetectorsTest::harvest).suspicion()).isGreaterThan(0.9);
    assertThat(run(new ReasoningDetector(), 100, DetectorsTest::human).suspicion()).isZero();
  }

  @Test
  void templates() {
    assertThat(run(new TemplateDetector(), 200, DetectorsTest::harvest).suspicion()).isGreaterThan(0.9);
    Signal h = run(new TemplateDetector(), 200, i -> ex(i, T0, new Random(i).ints(12, 0, 5000)
        .mapToObj(w -> "w" + w).reduce((a, b) -> a + " " + b).orElseThrow(), SamplingParams.NONE, List.of()));
    assertThat(h.suspicion()).isLessThan(0.2);
  }

  @Test
  void conversation() {
    assertThat(run(new ConversationDetector(), 200, DetectorsTest::harvest).suspicion()).isGreaterThan(0.9);
    assertThat(run(new ConversationDetector(), 200, DetectorsTest::human).suspicion()).isZero();
  }

  @Test
  void coverage() {
    Signal sweep = run(new CoverageDetector(), 300, i -> ex(i, T0, "Explain the concept of subject" + i
        + " and its relation to field" + (i * 7) + " in detail", SamplingParams.NONE, List.of()));
    assertThat(sweep.suspicion()).isGreaterThan(0.8);
    assertThat(run(new CoverageDetector(), 300, DetectorsTest::human).suspicion()).isLessThan(0.2);
  }

  @Test
  void timing() {
    assertThat(run(new TimingDetector(), 3000, DetectorsTest::harvest).suspicion()).isGreaterThan(0.6);
    assertThat(run(new TimingDetector(), 200, DetectorsTest::human).suspicion()).isLessThan(0.3);
  }

  @Test
  void harvestParams() {
    SamplingParams greedy = new SamplingParams(1.0, null, 5, 8000, true, 5, 42L, 0);
    assertThat(run(new HarvestParamsDetector(), 50, i -> ex(i, T0, "q" + i, greedy, List.of())).suspicion())
        .isGreaterThan(0.9);
    assertThat(run(new HarvestParamsDetector(), 50, DetectorsTest::human).suspicion()).isZero();
  }

  @Test
  void languages() {
    String[] prompts = {"What is the capital of the country and how do you get there?",
        "¿Cuál es la capital del país y cómo se llega allí?", "Quelle est la capitale du pays et comment y aller?",
        "Was ist die Hauptstadt des Landes und wie kommt man dorthin?", "この国の首都はどこですか。",
        "这个国家的首都是哪里？"};
    assertThat(run(new LanguageDetector(), 60, i -> ex(i, T0, prompts[i % 6], SamplingParams.NONE, List.of()))
        .suspicion()).isEqualTo(1.0);
    assertThat(run(new LanguageDetector(), 60, i -> ex(i, T0, prompts[0], SamplingParams.NONE, List.of()))
        .suspicion()).isZero();
  }

  @Test
  void pace() {
    PaceDetector d = new PaceDetector(500, 200_000);
    assertThat(run(d, 5000, i -> ex(i, T0.plusSeconds(10L * i), "q", SamplingParams.NONE, List.of()))
        .suspicion()).isGreaterThan(0.9);
    assertThat(run(d, 100, i -> ex(i, T0.plusSeconds(600L * i), "q", SamplingParams.NONE, List.of()))
        .suspicion()).isZero();
  }
}
