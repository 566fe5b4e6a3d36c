package io.distillguard.provenance.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillguard.provenance.watermark.WatermarkKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailTest {
  @Test
  void exactTailMatchesTheBinomial() {
    // P(X >= 8) for Binomial(10, 1/2) = (45 + 10 + 1) / 1024
    PoissonBinomialTail t = new PoissonBinomialTail(new int[] {10}, new double[] {0.5});
    assertThat(t.log10Upper(8)).isCloseTo(Math.log10(56.0 / 1024), within(1e-9));
    assertThat(t.log10Upper(0)).isZero();
    assertThat(t.log10Upper(11)).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void saddlepointAgreesWithExactAcrossTheTail() {
    PoissonBinomialTail t = new PoissonBinomialTail(new int[] {300, 150, 50}, new double[] {0.5, 1 / 3.0, 0.25});
    for (int x = 215; x < 420; x += 15) {
      double exact = t.log10Upper(x);
      // Relative error of the p-value within ~5% near the body, ~1% of the exponent in the far tail.
      assertThat(t.saddlepoint(x)).as("x=" + x).isCloseTo(exact, within(0.03 + 0.01 * -exact));
    }
    PoissonBinomialTail big = new PoissonBinomialTail(new int[] {4000, 1500, 500}, new double[] {0.5, 1 / 3.0, 0.25});
    assertThat(big.log10Upper(3500)).isLessThan(-100).isGreaterThan(Double.NEGATIVE_INFINITY);
    assertThat(big.log10Upper((int) big.mean())).isBetween(-0.4, 0.0);
  }

  @Test
  void holmIsMonotoneAndScalesBySurvivors() {
    byte[] m = "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8);
    List<KeyScore> raw = List.of(
        new KeyScore(WatermarkKey.account(m, "a"), 10, 9, 5, 2.5, 2.5, -3, -3),
        new KeyScore(WatermarkKey.account(m, "b"), 10, 9, 5, 2.5, 2.5, -2.9, -2.9),
        new KeyScore(WatermarkKey.account(m, "c"), 10, 5, 5, 2.5, 0, -0.1, -0.1));
    List<KeyScore> adj = KeyedTest.holm(raw);
    assertThat(adj.get(0).log10PAdjusted()).isCloseTo(-3 + Math.log10(3), within(1e-12));
    // -2.9 + log10(2) is smaller than the first key's adjusted value: Holm keeps the sequence monotone.
    assertThat(adj.get(1).log10PAdjusted()).isCloseTo(-3 + Math.log10(3), within(1e-12));
    assertThat(adj.get(2).log10PAdjusted()).isCloseTo(-0.1, within(1e-12));
  }

  @Test
  void normalTailIsAccurate() {
    assertThat(Normal.upper(0)).isCloseTo(0.5, within(1e-12));
    assertThat(Normal.upper(1.959963985)).isCloseTo(0.025, within(1e-9));
    assertThat(Normal.upper(5)).isCloseTo(2.866515719e-7, within(1e-15));
    assertThat(Normal.upper(-1)).isCloseTo(0.841344746, within(1e-9));
  }
}
