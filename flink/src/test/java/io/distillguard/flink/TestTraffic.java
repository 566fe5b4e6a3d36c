package io.distillguard.flink;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded traffic for the job's tests: ordinary users, single-account harvesters (templated reasoning prompts,
 * harvest-friendly sampling, fast cadence) and a hydra campaign of dozens of accounts that share operator subnets,
 * client software, a prompt template and a synchronized schedule. Same seed, same list.
 */
final class TestTraffic {
  static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  static final String TEMPLATE = "You are a grader. Think step by step and write out your full reasoning. ";
  static final String[] WORDS = ("river mountain cloud engine garden harbor violin planet window market silver "
      + "forest bridge candle desert rocket pencil island castle dragon lemon orbit piano saddle tiger yellow "
      + "basket canyon dolphin feather glacier hammer jungle kettle lantern meadow needle oyster pepper quartz")
      .split(" ");
  static final String[] OPERATOR = {"185.12.7.", "185.44.90.", "91.3.15.", "46.201.8."};

  private long seq;
  final List<Exchange> events = new ArrayList<>();

  /**
   * @param users      ordinary accounts
   * @param harvesters single-account harvesters
   * @param hydra      accounts of one coordinated campaign
   * @param hours      length of the simulated period
   */
  static TestTraffic world(long seed, int users, int harvesters, int hydra, int hours) {
    TestTraffic t = new TestTraffic();
    SplittableRandom r = new SplittableRandom(seed);
    long end = hours * 3600L;
    for (int i = 0; i < users; i++) {
      String ip = (60 + r.nextInt(40)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
      String ua = r.nextBoolean() ? "OpenAI/Python 1.54.4" : "Mozilla/5.0 Chrome/131.0";
      int n = 2 + r.nextInt(30);
      for (int k = 0; k < n; k++) {
        t.add("user-" + i, T0.plusSeconds(r.nextLong(end)), ip, ua, sentence(r, 4 + r.nextInt(12)) + "?",
            new SamplingParams(0.7, null, null, null, null, null, null, 0), r);
      }
    }
    for (int i = 0; i < harvesters; i++) {
      String ip = "31." + i + ".2.3";
      long at = r.nextLong(3600);
      while (at < end) {
        t.add("harvester-" + i, T0.plusSeconds(at), ip, "python-requests/2.32",
            "Explain step by step, showing all of your reasoning, why " + sentence(r, 6) + ".",
            new SamplingParams(r.nextInt(3) * 0.5, null, 1 + r.nextInt(4), 4096, true, 5, 7L, 0), r);
        at += 4 + r.nextInt(20);
      }
    }
    for (int i = 0; i < hydra; i++) {
      long tick = 900;
      long k = 1 + r.nextInt(4);
      while (k * tick < end) {
        if ((k + i) % 4 == 0) {
          t.add("hydra-" + i, T0.plusSeconds(k * tick + r.nextInt(3)), OPERATOR[r.nextInt(4)] + (1 + r.nextInt(254)),
              "python-httpx/0.27.2", TEMPLATE + "Task " + r.nextInt(1_000_000) + ": " + sentence(r, 8),
              new SamplingParams(1.0, null, 2, 4096, null, null, null, 0), r);
        }
        k++;
      }
    }
    t.events.sort(Comparator.comparing(Exchange::eventTime).thenComparing(Exchange::id));
    return t;
  }

  private void add(String account, Instant at, String ip, String ua, String user, SamplingParams p,
      SplittableRandom r) {
    List<ChatMessage> messages = List.of(new ChatMessage("user", user));
    String response = "Answer: " + sentence(r, 10);
    events.add(new Exchange(String.format("x%08d", seq++), at, account, account + "-k", ip, ua, "fp-" + ua.hashCode(),
        "/v1/chat/completions", r.nextInt(10) == 0 ? "model-b" : "model-a", p, false, messages, response,
        Exchange.promptDigest(messages), user.length(), Exchange.textDigest(response), response.length(),
        user.length() / 4, 50 + r.nextInt(400), 200, Outcome.OK, null, 900_000, 800_000, 100_000));
  }

  static String sentence(SplittableRandom r, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }
}
