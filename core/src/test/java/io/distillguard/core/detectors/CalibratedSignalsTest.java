package io.distillguard.core.detectors;

import static io.distillguard.core.detectors.DetectorsTest.T0;
import static io.distillguard.core.detectors.DetectorsTest.ex;
import static io.distillguard.core.detectors.DetectorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
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

  @Test
  void splitStreamFindsAHarvestWhoseSettingsSomeCustomersShare() {
    // a reseller with many customers, each with their own settings, one of them the harvest script's: 300 customer
    // chats first (every slot holds a big count), then a quarter of one-shot harvest. The harvest's setting also
    // carries that customer's conversations (about 90% of it is one-shot) and its slot inherited a count of hundreds.
    SamplingParams[] customers = new SamplingParams[12];
    customers[0] = HARVEST;
    for (int c = 1; c < customers.length; c++) {
      customers[c] = new SamplingParams(0.2 + c * 0.01, null, null, c % 2 == 0 ? null : 1000 + c, null, null, null,
          0);
    }
    IntFunction<Exchange> traffic = i -> i >= 300 && i % 4 == 0 ? chat(i, false, HARVEST)
        : chat(i, i % 10 >= 5, i % 3 == 0 ? SamplingParams.NONE : customers[new Random(i).nextInt(customers.length)]);
    assertThat(run(new SplitStreamDetector(), 6000, traffic).suspicion()).isGreaterThan(0.6);
    // the same customers without the harvest: nothing
    assertThat(run(new SplitStreamDetector(), 6000, i -> chat(i, i % 10 >= 5, i % 3 == 0 ? SamplingParams.NONE
        : customers[new Random(i).nextInt(customers.length)])).suspicion()).isZero();
  }

  static final String[][] PROBLEM = {
      {"Tom has 12 apples and buys 35 more. How many apples does he have?",
          "Том имеет 12 яблок и покупает ещё 35. Сколько яблок у него?",
          "トムはりんごを12個持っていて、さらに35個買います。りんごは何個ですか？"},
      {"A train travels 240 km in 3 hours. What is its average speed?",
          "Поезд проходит 240 км за 3 часа. Какова его средняя скорость?",
          "電車は3時間で240キロ進みます。平均の速さはいくらですか？"},
      {"A baker sells 48 loaves each morning and 27 each evening. How many loaves in 5 days?",
          "Пекарь продаёт 48 буханок утром и 27 вечером. Сколько буханок за 5 дней?",
          "パン屋は朝に48斤、夕方に27斤売ります。5日で何斤ですか？"},
      {"Maria saves 15 dollars a week for 16 weeks and then spends 90. What is left?",
          "Мария копит 15 долларов в неделю 16 недель, потом тратит 90. Что осталось?",
          "マリアは毎週15ドルを16週間貯めて、90ドル使います。残りはいくらですか？"},
      {"A garden is 18 metres long and 11 metres wide. What is its area?",
          "Сад длиной 18 метров и шириной 11 метров. Какова его площадь?",
          "庭は長さ18メートル、幅11メートルです。面積はいくらですか？"},
      {"A library has 365 books and lends out 120 of them. How many remain on the shelves?",
          "В библиотеке 365 книг, 120 выдано. Сколько осталось на полках?",
          "図書館には365冊の本があり、120冊を貸し出しています。棚に何冊残っていますか？"}};

  /** Problem {@code p} (a text of {@link #PROBLEM} with figures of its own) in language {@code lang}. */
  static String problem(int p, int lang) {
    String text = PROBLEM[p % PROBLEM.length][lang];
    for (String n : new String[] {"12", "35", "240", "48", "27", "16", "90", "18", "365", "120"}) {
      text = text.replace(n, String.valueOf(Integer.parseInt(n) + 100 * (p / PROBLEM.length)));
    }
    return text;
  }

  @Test
  void crossLanguageRepeatsAreTheSameNumbersInAnotherLanguage() {
    // each problem (with its own numbers) in English, Russian and Japanese in turn
    Signal sweep = run(new CrossLanguageDetector(), 90, i -> at(i, Duration.ofSeconds(20L * i), problem(i / 3,
        i % 3)));
    assertThat(sweep.suspicion()).as(sweep.explanation()).isGreaterThan(0.9);
    // the same problems asked again in one language are not cross-language
    assertThat(run(new CrossLanguageDetector(), 90, i -> at(i, Duration.ofSeconds(20L * i), PROBLEM[i % 2][0]
        .replace("12", String.valueOf(12 + i / 3)))).suspicion()).isZero();
    // numbered lists share "1." and "2." in every language: list markers do not count
    assertThat(run(new CrossLanguageDetector(), 60, i -> at(i, Duration.ofSeconds(20L * i), i % 2 == 0
        ? "Please help:\n1. write a poem about the sea\n2. make it rhyme\n3. keep it short"
        : "Помоги:\n1. напиши стихотворение о море\n2. пусть рифмуется\n3. коротко")).suspicion()).isZero();
  }

  @Test
  void crossLanguageNeedsMostOfEachPromptsFiguresNotTwoSharedOnes() {
    // an evaluation run over translated maths problems: each prompt a different problem (in turn English, Russian,
    // Japanese) with three figures, two of them round numbers that many problems share
    String[] shop = {"A shop sells %d pens and %d pencils for %d dollars. What is the price of one?",
        "Магазин продаёт %d ручек и %d карандашей за %d долларов. Сколько стоит одна?",
        "店はペン%d本と鉛筆%d本を%dドルで売ります。一つの値段はいくらですか？"};
    int[] round = {10, 20, 50, 100};
    Signal s = run(new CrossLanguageDetector(), 300, i -> at(i, Duration.ofSeconds(20L * i),
        String.format(shop[i % 3], round[i % 4], round[(i / 4) % 4], 300 + i)));
    assertThat(s.suspicion()).as(s.explanation()).isZero();
  }

  @Test
  void crossLanguageNumbersSkipListMarkers() {
    long[] out = new long[CrossLanguageDetector.K];
    int n = CrossLanguageDetector.numbers("1. first 250 items\n 2) second\nabout 3.5 kg at 17:30", out);
    assertThat(java.util.Arrays.copyOf(out, n)).containsExactly(250, 3, 5, 17, 30);
  }
}
