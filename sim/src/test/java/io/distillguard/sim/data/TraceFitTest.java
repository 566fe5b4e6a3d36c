package io.distillguard.sim.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TraceFitTest {

  /** The documented constants are what the fit gives on the real traces. */
  @Test
  void fitFromTheRealTracesMatchesTheDocumentedValues() {
    DataSets d = TestData.realOrSkip();
    TraceFit fit = d.traces();
    TraceFit doc = TraceFit.DEFAULT;
    assertThat(fit.source()).startsWith("fitted from azure conv, azure code, mooncake conversation");
    assertThat(fit.turnContinue()).isCloseTo(doc.turnContinue(), within(0.002));
    assertThat(fit.thinkMu()).isCloseTo(doc.thinkMu(), within(0.01));
    assertThat(fit.thinkSigma()).isCloseTo(doc.thinkSigma(), within(0.01));
    assertThat(fit.chatOutMu()).isCloseTo(doc.chatOutMu(), within(0.01));
    assertThat(fit.chatOutSigma()).isCloseTo(doc.chatOutSigma(), within(0.01));
    assertThat(fit.codeOutMu()).isCloseTo(doc.codeOutMu(), within(0.01));
    for (int i = 0; i < 3; i++) {
      assertThat(fit.idcConv()[i]).isCloseTo(doc.idcConv()[i], within(0.05 * doc.idcConv()[i]));
      assertThat(fit.idcCode()[i]).isCloseTo(doc.idcCode()[i], within(0.05 * doc.idcCode()[i]));
    }
  }

  @Test
  void poissonArrivalsHaveDispersionOne() {
    SplittableRandom rng = new SplittableRandom(1);
    double[] t = new double[100_000];
    double x = 0;
    for (int i = 0; i < t.length; i++) {
      x += -Math.log(1 - rng.nextDouble()) / 5.0;
      t[i] = x;
    }
    assertThat(TraceFit.indexOfDispersion(t, 1)).isCloseTo(1.0, within(0.05));
    assertThat(TraceFit.indexOfDispersion(t, 60)).isCloseTo(1.0, within(0.3));
  }

  @Test
  void mooncakeLinesParseWithoutJson() {
    long[] v = TraceFit.mooncakeLine("{\"timestamp\": 27482, \"input_length\": 6955, \"output_length\": 52, "
        + "\"hash_ids\": [46, 47, 48, 2353]}");
    assertThat(v).containsExactly(27482, 46, 47, 48, 2353);
    assertThat(TraceFit.mooncakeLine("{\"other\": 1}")).isNull();
  }

  @Test
  void samplersFollowTheFit() {
    SplittableRandom rng = new SplittableRandom(3);
    double[] think = new double[20_001];
    for (int i = 0; i < think.length; i++) {
      think[i] = TraceFit.DEFAULT.sampleThinkSeconds(rng);
    }
    java.util.Arrays.sort(think);
    assertThat(think[10_000]).isCloseTo(Math.exp(TraceFit.DEFAULT.thinkMu()), within(8.0)); // median ~132 s
  }
}
