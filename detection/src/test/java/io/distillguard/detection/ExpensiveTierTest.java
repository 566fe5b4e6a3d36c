package io.distillguard.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.RiskLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tier on a synthetic embedder with known geometry: what it reports, when, and how much it keeps. */
class ExpensiveTierTest {
  static final int DIM = 16;

  /**
   * "b:N" texts are points of a broad cloud around the origin direction (like the benign reference); "t:N" texts are
   * tiny variations of one of two seeds far from it (a templated harvest).
   */
  static final class FakeEmbedder implements Embedder {
    final float[][] seeds = new float[2][];

    FakeEmbedder() {
      SplittableRandom rng = new SplittableRandom(99);
      for (int s = 0; s < seeds.length; s++) {
        seeds[s] = NearestNeighbourTestTest.randomVector(rng, DIM, null, 1.0);
        seeds[s][0] += 4; // far from the benign cloud
      }
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public int dimension() {
      return DIM;
    }

    @Override
    public float[] embed(String text) {
      int n = Integer.parseInt(text.substring(2));
      SplittableRandom rng = new SplittableRandom(n * 7919L + text.charAt(0));
      if (text.startsWith("t:")) {
        return Vectors.normalize(NearestNeighbourTestTest.randomVector(rng, DIM, seeds[n % 7 == 0 ? 1 : 0], 0.05));
      }
      return Vectors.normalize(NearestNeighbourTestTest.randomVector(rng, DIM, null, 1.0));
    }
  }

  static BenignReference reference(Embedder e) {
    float[][] v = new float[120][];
    for (int i = 0; i < v.length; i++) {
      v[i] = e.embed("b:" + (100_000 + i));
    }
    return new BenignReference("fake", v, new BenignReference.Calibration(0.1, 0.4, 0.9, 0.75), Map.of());
  }

  static ExpensiveTier.Settings settings() {
    return ExpensiveTier.Settings.defaults().withSampleRate(1.0);
  }

  @Test
  void templatedHarvestGetsBothSignalsOrdinaryPromptsNeither() {
    FakeEmbedder e = new FakeEmbedder();
    ExpensiveTier tier = new ExpensiveTier(e, reference(e), settings());
    List<ExpensiveTier.Finding> harvest = new ArrayList<>();
    List<ExpensiveTier.Finding> person = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      harvest.addAll(tier.observe("harvester", "t:" + i));
      person.addAll(tier.observe("person", "b:" + i));
    }
    ExpensiveTier.Finding shift = last(harvest, ExpensiveTier.SHIFT);
    ExpensiveTier.Finding nn = last(harvest, ExpensiveTier.NN);
    assertThat(shift.signal().suspicion()).isGreaterThan(0.5);
    assertThat(shift.signal().explanation()).startsWith("prompts ").contains("MMD² from benign reference (p<0.01");
    assertThat(shift.weight()).isEqualTo(settings().weightShift());
    assertThat(nn.signal().suspicion()).isGreaterThan(0.5);
    assertThat(nn.signal().explanation()).startsWith("nearest-neighbour distances look synthetic: W=");

    assertThat(last(person, ExpensiveTier.SHIFT).signal().suspicion()).isZero();
    assertThat(last(person, ExpensiveTier.NN).signal().suspicion()).isZero();
    assertThat(tier.statistics("person")[0]).isLessThan(0.1);
  }

  @Test
  void nothingIsReportedBeforeMinSamplesAndUnchangedSuspicionsAreNotRepeated() {
    FakeEmbedder e = new FakeEmbedder();
    ExpensiveTier tier = new ExpensiveTier(e, reference(e), settings());
    for (int i = 0; i < settings().minSamples() - 1; i++) {
      assertThat(tier.observe("a", "t:" + i)).isEmpty();
    }
    int reports = 0;
    for (int i = 0; i < 200; i++) {
      reports += tier.observe("a", "t:" + (1000 + i)).size();
    }
    assertThat(reports).isBetween(2, 30); // when a suspicion moves by 0.01 or more, not on every prompt
    assertThat(tier.notAdmitted()).isPositive(); // past 32 prompts the reservoir keeps only some
  }

  @Test
  void stateIsBoundedPerAccountAndInAccounts() {
    FakeEmbedder e = new FakeEmbedder();
    ExpensiveTier tier = new ExpensiveTier(e, reference(e), settings().withMaxAccounts(3));
    for (int a = 0; a < 10; a++) {
      for (int i = 0; i < 5; i++) {
        tier.observe("acct-" + a, "b:" + i);
      }
    }
    assertThat(tier.accounts()).isEqualTo(3);
    assertThat(tier.evicted()).isEqualTo(7);
    assertThat(tier.bytesPerAccount()).isEqualTo(32L * (DIM + 4) + 64 * 4 + 150);
  }

  @Test
  void gateSamplesByExchangeIdAndLevelAndSkipsEmptyPrompts() {
    ExpensiveTier.Settings half = ExpensiveTier.Settings.defaults(); // sample rate 0.5, from watch
    int wanted = 0;
    for (int i = 0; i < 2000; i++) {
      if (half.wants(exchange("ex-" + i, "hello " + i), RiskLevel.WATCH)) {
        wanted++;
      }
    }
    assertThat(wanted).isBetween(900, 1100);
    Exchange e = exchange("ex-1", "hello");
    assertThat(half.wants(e, RiskLevel.NONE)).isFalse();
    assertThat(half.wants(e, RiskLevel.BLOCK)).isEqualTo(half.wants(e, RiskLevel.WATCH));
    Exchange blank = exchange("ex-2", "   ");
    assertThat(settings().wants(blank, RiskLevel.WATCH)).isFalse();
    FakeEmbedder fake = new FakeEmbedder();
    ExpensiveTier tier = new ExpensiveTier(fake, reference(fake), settings());
    assertThat(tier.observe("a", "\u0000 \u0001")).isEmpty();
    assertThat(tier.skippedEmpty()).isEqualTo(1);
  }

  static Exchange exchange(String id, String prompt) {
    List<ChatMessage> m = List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", prompt),
        new ChatMessage("assistant", "ok"), new ChatMessage("user", prompt));
    return new Exchange(id, Instant.EPOCH, "acct", "k", "10.0.0.1", "ua", "fp", "/v1/chat/completions", "m",
        SamplingParams.NONE, false, m, "ok", Exchange.promptDigest(m), 5, Exchange.textDigest("ok"), 2, 1, 1, 200,
        Outcome.OK, null, 10, 5, 1);
  }

  private static ExpensiveTier.Finding last(List<ExpensiveTier.Finding> findings, String signal) {
    ExpensiveTier.Finding out = null;
    for (ExpensiveTier.Finding f : findings) {
      if (f.signal().detector().equals(signal)) {
        out = f;
      }
    }
    assertThat(out).as(signal + " reported").isNotNull();
    return out;
  }
}
