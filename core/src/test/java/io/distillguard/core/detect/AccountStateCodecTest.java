package io.distillguard.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The keyed form of the engine (a state held by the caller, checkpointed through {@link AccountStateCodec}) must
 * behave exactly as the in-process engine, however often the state is written and read back in between.
 */
class AccountStateCodecTest {
  static final Instant T0 = Instant.parse("2026-02-02T00:00:00Z");

  /** Seeded traffic exercising every detector: templated reasoning prompts, sweeps, languages, cadence. */
  static List<Exchange> traffic(long seed, int accounts, int perAccount) {
    Random r = new Random(seed);
    String[] templates = {"Explain step by step, showing your reasoning, why %s.",
        "Grade the following answer on a scale of 1 to 10 and justify the score: %s",
        "Traduisez en anglais et expliquez: %s", "Write a short poem about %s"};
    String[] topics = {"the sky is blue", "prime numbers are infinite", "ice floats", "bees dance", "tides rise",
        "magnets attract", "bread rises"};
    List<Exchange> out = new ArrayList<>();
    long[] clock = new long[accounts];
    for (int i = 0; i < accounts * perAccount; i++) {
      int a = r.nextInt(accounts);
      boolean harvester = a % 3 == 0;
      clock[a] += harvester ? 2_000 + r.nextInt(3_000) : 60_000 + r.nextInt(3_600_000);
      String text = harvester ? String.format(templates[r.nextInt(2)], topics[r.nextInt(topics.length)])
          : String.format(templates[2 + r.nextInt(2)], topics[r.nextInt(topics.length)]) + " " + r.nextInt(1000);
      List<ChatMessage> m = r.nextInt(4) == 0
          ? List.of(new ChatMessage("system", "You are helpful."), new ChatMessage("user", text))
          : List.of(new ChatMessage("user", text));
      SamplingParams p = harvester
          ? new SamplingParams(r.nextInt(3) * 0.5, null, 1 + r.nextInt(4), 4096, r.nextBoolean(), null, 7L, 0)
          : new SamplingParams(0.7, null, null, null, null, null, null, 0);
      String response = "Answer " + r.nextInt(100) + " because reasons.";
      out.add(new Exchange("e" + i, T0.plusMillis(clock[a]), "acct-" + a, "k" + a, "10.1." + a + ".7", "ua/1",
          "fp" + (a % 5), "/v1/chat/completions", r.nextInt(10) == 0 ? "model-b" : "model-a", p, r.nextBoolean(),
          m, response, Exchange.promptDigest(m), Exchange.promptLength(m), Exchange.textDigest(response),
          response.length(), text.length() / 4, 40 + r.nextInt(400), 200, Outcome.OK, null, 900_000, 800_000,
          100_000));
    }
    out.sort((x, y) -> x.eventTime().compareTo(y.eventTime()));
    return out;
  }

  @Test
  void keyedStatesRoundTrippedEveryFewExchangesGiveTheInProcessVerdicts() throws IOException {
    DetectorSet set = DetectorSet.named(DetectorSet.DEFAULT);
    DetectionEngine inProcess = set.newEngine();
    DetectionEngine keyed = set.newEngine();
    AccountStateCodec codec = keyed.stateCodec();
    Map<String, AccountState> held = new HashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    List<Verdict> expected = new ArrayList<>();
    List<Verdict> actual = new ArrayList<>();
    for (Exchange e : traffic(7, 12, 300)) {
      Verdict v = inProcess.accept(e);
      if (v != null) {
        expected.add(v);
      }
      AccountState s = held.computeIfAbsent(e.accountId(), keyed::newState);
      Verdict w = keyed.accept(s, e);
      if (w != null) {
        actual.add(w);
      }
      if (seen.merge(e.accountId(), 1, Integer::sum) % 7 == 0) { // as a RocksDB backend would, now and then
        byte[] bytes = codec.toBytes(s);
        AccountState back = codec.fromBytes(bytes);
        assertThat(codec.toBytes(back)).isEqualTo(bytes);
        held.put(e.accountId(), back);
      }
    }
    assertThat(expected).isNotEmpty();
    assertThat(expected.stream().map(Verdict::level).distinct().count()).isGreaterThan(1);
    assertThat(actual).isEqualTo(expected);
    for (Map.Entry<String, AccountState> a : held.entrySet()) {
      assertThat(keyed.risk(a.getValue())).isEqualTo(inProcess.risk(a.getKey()));
      assertThat(a.getValue().exchanges()).isEqualTo((long) seen.get(a.getKey()));
    }
  }

  @Test
  void everyDetectorStateRoundTripsAndKeepsScoring() throws IOException {
    DetectionModel model = DetectionModel.loadDefault();
    DetectionEngine engine = model.newEngine();
    AccountStateCodec codec = engine.stateCodec();
    AccountState s = engine.newState("acct-0");
    for (Exchange e : traffic(3, 1, 500)) {
      engine.accept(s, e);
    }
    AccountState back = codec.fromBytes(codec.toBytes(s));
    for (int i = 0; i < s.states.length; i++) {
      assertThat(back.states[i]).usingRecursiveComparison().isEqualTo(s.states[i]);
    }
    assertThat(engine.risk(back)).isEqualTo(engine.risk(s));
    assertThat(codec.layout()).contains("account-state/1");
    for (String name : engine.detectorNames()) {
      assertThat(codec.layout()).contains("\n" + name + "=");
    }
  }

  @Test
  void externalFindingsAndOverridesSurviveTheRoundTrip() throws IOException {
    DetectionEngine engine = DetectorSet.named(DetectorSet.DEFAULT).newEngine();
    AccountStateCodec codec = engine.stateCodec();
    AccountState s = engine.newState("acct-0");
    for (Exchange e : traffic(5, 1, 40)) {
      engine.accept(s, e);
    }
    engine.external(s, T0, new Signal("embedding", 0.8, 40, "prompts cluster tightly"), 2.0);
    s.override(RiskLevel.WATCH);
    AccountState back = codec.fromBytes(codec.toBytes(s));
    assertThat(back.level()).isEqualTo(RiskLevel.WATCH);
    assertThat(back.score()).isEqualTo(s.score());
    assertThat(engine.risk(back)).isEqualTo(engine.risk(s));
    assertThat(engine.risk(back).reasons()).extracting(Reason::signal).contains("embedding");
  }

  @Test
  void corruptOrForeignBytesAreRefusedWithAClearError() {
    DetectionEngine engine = DetectorSet.named(DetectorSet.DEFAULT).newEngine();
    AccountStateCodec codec = engine.stateCodec();
    AccountState s = engine.newState("acct-0");
    for (Exchange e : traffic(5, 1, 20)) {
      engine.accept(s, e);
    }
    byte[] bytes = codec.toBytes(s);
    assertThatThrownBy(() -> codec.fromBytes(Arrays.copyOf(bytes, bytes.length - 3))).isInstanceOf(IOException.class);
    byte[] wrongFormat = bytes.clone();
    wrongFormat[0] = 9;
    assertThatThrownBy(() -> codec.fromBytes(wrongFormat)).isInstanceOf(IOException.class)
        .hasMessageContaining("format 9");
    assertThatThrownBy(() -> codec.fromBytes(Arrays.copyOf(bytes, bytes.length + 2)))
        .isInstanceOf(IOException.class).hasMessageContaining("left over");
    AccountStateCodec baseline = DetectorSet.baseline().newEngine().stateCodec();
    assertThat(baseline.layout()).isNotEqualTo(codec.layout());
    assertThatThrownBy(() -> baseline.fromBytes(bytes)).isInstanceOf(IOException.class);
  }

  /** A detector whose state holds a map: the codec refuses it up front, naming the field. */
  @Test
  void aStateTheCodecCannotWriteIsRefusedWhenTheCodecIsBuilt() {
    Detector<HashMap<String, Integer>> bad = new Detector<>() {
      @Override
      public String name() {
        return "bad";
      }

      @Override
      public HashMap<String, Integer> newState() {
        return new HashMap<>();
      }

      @Override
      public void observe(HashMap<String, Integer> state, Exchange exchange) {}

      @Override
      public Signal evaluate(HashMap<String, Integer> state) {
        return Signal.none("bad", 0);
      }
    };
    DetectionEngine engine = new DetectionEngine(List.of(new HoldsList()), new NoisyOrScorer(Map.of(), 1.0),
        DetectorSet.baseline().policy());
    assertThatThrownBy(engine::stateCodec).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'seen'");
    DetectionEngine engine2 = new DetectionEngine(List.of(bad), new NoisyOrScorer(Map.of(), 1.0),
        DetectorSet.baseline().policy());
    assertThatThrownBy(engine2::stateCodec).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.util.HashMap");
  }

  static final class HoldsList implements Detector<HoldsList.State> {
    static final class State {
      long n;
      final List<String> seen = new ArrayList<>();
    }

    @Override
    public String name() {
      return "holds-list";
    }

    @Override
    public State newState() {
      return new State();
    }

    @Override
    public void observe(State state, Exchange exchange) {
      state.n++;
    }

    @Override
    public Signal evaluate(State state) {
      return Signal.none(name(), state.n);
    }
  }
}
