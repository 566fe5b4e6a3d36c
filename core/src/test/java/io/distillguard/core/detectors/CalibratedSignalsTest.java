package io.distillguard.core.detectors;

import static io.distillguard.core.detectors.DetectorsTest.T0;
import static io.distillguard.core.detectors.DetectorsTest.ex;
import static io.distillguard.core.detectors.DetectorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The signals added for the learned combination: cadence, persistence, split stream and cross-language repeats, each
 * on a clear harvesting pattern and on the legitimate pattern it must leave alone.
 */
class CalibratedSignalsTest {
  static final SamplingParams HARVEST = new SamplingParams(0.7, null, null, 2048, null, null, null, 0);

  static Exchange at(int i, Duration offset, String prompt) {
    return ex(i, T0.plus(offset), prompt, SamplingParams.NONE, List.of());
  }

  @Test
  void cadenceSeparatesAPacedScriptFromBurstyPeople() {
    Random r = new Random(1);
    // a script every ~10 s with ±20% jitter
    assertThat(run(new CadenceDetector(), 200, i -> at(i, Duration.ofMillis(10_000L * i + r.nextInt(2000)),
        "task " + i)).suspicion()).isGreaterThan(0.95);
    // a person: replies within seconds, next question minutes to hours later
    long[] t = {0};
    Random h = new Random(2);
    assertThat(run(new CadenceDetector(), 200, i -> {
      t[0] += (long) (1000 * Math.exp(2 + 2.5 * h.nextGaussian()));
      return at(i, Duration.ofMillis(t[0]), "question " + i);
    }).suspicion()).isZero();
    assertThat(run(new CadenceDetector(), 20, i -> at(i, Duration.ofSeconds(10L * i), "x")).suspicion())
        .as("too few gaps").isZero();
  }

  @Test
  void persistenceSeesHoursOfSteadyWorkButNotAFastBurst() {
    // 6 a minute for two hours
    assertThat(run(new PersistenceDetector(), 720, i -> at(i, Duration.ofSeconds(10L * i), "task " + i))
        .suspicion()).isEqualTo(1.0);
    // a benchmark: 1,500 requests at 4 a second (6 minutes), then silence
    assertThat(run(new PersistenceDetector(), 1500, i -> at(i, Duration.ofMillis(250L * i), "item " + i))
        .suspicion()).isZero();
    // ...but the same pace kept up for an hour and more is a fast harvest, not a benchmark
    assertThat(run(new PersistenceDetector(), 20_000, i -> at(i, Duration.ofMillis(250L * i), "item " + i))
        .suspicion()).isEqualTo(1.0);
    // a few requests in a couple of minutes
    assertThat(run(new PersistenceDetector(), 40, i -> at(i, Duration.ofSeconds(3L * i), "q")).suspicion())
        .isLessThan(0.1);
    // a job once an hour is not sustained work, however regular
    assertThat(run(new PersistenceDetector(), 50, i -> at(i, Duration.ofMinutes(56L * i), "ping")).suspicion())
        .isZero();
    // evidence slides out of the hour
    PersistenceDetector d = new PersistenceDetector();
    PersistenceDetector.State s = d.newState();
    for (int i = 0; i < 720; i++) {
      d.observe(s, at(i, Duration.ofSeconds(10L * i), "task"));
    }
    for (int i = 0; i < 40; i++) {
      d.observe(s, at(1000 + i, Duration.ofHours(3).plusSeconds(i), "task"));
    }
    assertThat(d.suspicion(s)).as("the best hour of the day is remembered").isEqualTo(1.0);
    for (int i = 0; i < 40; i++) {
      d.observe(s, at(2000 + i, Duration.ofHours(30).plusSeconds(i), "task"));
    }
    assertThat(d.suspicion(s)).as("a day later it is forgotten").isLessThan(0.1);
    assertThat(d.evaluate(s).explanation()).contains("of the last 60 minutes");
  }

  static Exchange chat(int i, boolean followUp, SamplingParams p) {
    List<ChatMessage> history = followUp ? List.of(new ChatMessage("user", "earlier " + i),
        new ChatMessage("assistant", "answer")) : List.of();
    return ex(i, T0.plusSeconds(30L * i), "message " + i, p, history);
  }

  @Test
  void splitStreamFindsAOneShotHarvestHiddenInConversations() {
    // a reseller: 70% customers' chats (40% of them follow-ups) with default settings, 30% one-shot harvest
    assertThat(run(new SplitStreamDetector(), 600, i -> i % 10 < 3 ? chat(i, false, HARVEST)
        : chat(i, i % 10 >= 6, SamplingParams.NONE)).suspicion()).isGreaterThan(0.9);
    // a person's chat and scripts share their client's settings
    assertThat(run(new SplitStreamDetector(), 600, i -> chat(i, i % 10 >= 7, SamplingParams.NONE)).suspicion())
        .isZero();
    // all one-shot: nothing conversational to hide in
    assertThat(run(new SplitStreamDetector(), 600, i -> chat(i, false, i % 2 == 0 ? HARVEST
        : SamplingParams.NONE)).suspicion()).isZero();
    // a handful of follow-ups beside a busy script is not a hidden stream
    assertThat(run(new SplitStreamDetector(), 600, i -> i % 25 == 0 ? chat(i, true, SamplingParams.NONE)
        : chat(i, false, HARVEST)).suspicion()).isZero();
  }

  static final String[][] PROBLEM = {
      {"Tom has 12 apples and buys 35 more. How many apples does he have?",
          "Том имеет 12 яблок и покупает ещё 35. Сколько яблок у него?",
          "トムはりんごを12個持っていて、さらに35個買います。りんごは何個ですか？"},
      {"A train travels 240 km in 3 hours. What is its average speed?",
          "Поезд проходит 240 км за 3 часа. Какова его средняя скорость?",
          "電車は3時間で240キロ進みます。平均の速さはいくらですか？"}};

  @Test
  void crossLanguageRepeatsAreTheSameNumbersInAnotherLanguage() {
    // each problem (with its own numbers) in English, Russian and Japanese in turn
    assertThat(run(new CrossLanguageDetector(), 90, i -> {
      int p = i / 3;
      String text = PROBLEM[p % 2][i % 3].replace("12", String.valueOf(12 + p)).replace("240",
          String.valueOf(240 + p)).replace("35", String.valueOf(35 + p));
      return at(i, Duration.ofSeconds(20L * i), text);
    }).suspicion()).isGreaterThan(0.9);
    // the same problems asked again in one language are not cross-language
    assertThat(run(new CrossLanguageDetector(), 90, i -> at(i, Duration.ofSeconds(20L * i), PROBLEM[i % 2][0]
        .replace("12", String.valueOf(12 + i / 3)))).suspicion()).isZero();
    // numbered lists share "1." and "2." in every language: list markers do not count
    assertThat(run(new CrossLanguageDetector(), 60, i -> at(i, Duration.ofSeconds(20L * i), i % 2 == 0
        ? "Please help:\n1. write a poem about the sea\n2. make it rhyme\n3. keep it short"
        : "Помоги:\n1. напиши стихотворение о море\n2. пусть рифмуется\n3. коротко")).suspicion()).isZero();
  }

  @Test
  void crossLanguageNumbersSkipListMarkers() {
    long[] out = new long[CrossLanguageDetector.K];
    int n = CrossLanguageDetector.numbers("1. first 250 items\n 2) second\nabout 3.5 kg at 17:30", out);
    assertThat(java.util.Arrays.copyOf(out, n)).containsExactly(250, 3, 5, 17, 30);
  }
}
