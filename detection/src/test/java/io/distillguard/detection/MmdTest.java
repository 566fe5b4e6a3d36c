package io.distillguard.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MmdTest {

  @Test
  void unbiasedEstimateMatchesTheFormulaOnAWorkedExample() {
    // Expected value computed independently with NumPy from Gretton et al.'s MMD²_u formula, σ = 1.
    float[][] x = {{0, 0}, {1, 0}, {0, 1}};
    float[][] y = {{2, 2}, {3, 2}, {2, 3}, {3, 3}};
    Mmd mmd = new Mmd(y, 1.0);
    assertThat(mmd.mmd2(x)).isCloseTo(1.0141721779831114, within(1e-9));
  }

  @Test
  void medianHeuristicIsTheMedianPairwiseDistance() {
    float[][] square = {{2, 2}, {3, 2}, {2, 3}, {3, 3}}; // distances 1, 1, 1, 1, √2, √2
    assertThat(Mmd.medianBandwidth(square)).isCloseTo(1.0, within(1e-12));
    float[][] same = {{1, 1}, {1, 1}, {1, 1}};
    assertThat(Mmd.medianBandwidth(same)).isEqualTo(1.0);
  }

  @Test
  void sameDistributionIsNotRejectedShiftedIs() {
    SplittableRandom rng = new SplittableRandom(11);
    float[][] reference = cloud(rng, 120, 8, 0);
    Mmd mmd = Mmd.withMedianBandwidth(reference);

    Mmd.Result same = mmd.test(cloud(rng, 40, 8, 0), 200, 1);
    Mmd.Result shifted = mmd.test(cloud(rng, 40, 8, 0.8), 200, 1);

    assertThat(Math.abs(same.mmd2())).isLessThan(0.02);
    assertThat(same.pValue()).isGreaterThan(0.05);
    assertThat(shifted.mmd2()).isGreaterThan(0.05);
    assertThat(shifted.pValue()).isLessThan(0.01);
    assertThat(shifted.pValue()).isEqualTo(1.0 / 201); // no permutation reaches a clear shift
  }

  @Test
  void permutationPValueIsDeterministicForASeed() {
    SplittableRandom rng = new SplittableRandom(3);
    float[][] reference = cloud(rng, 60, 4, 0);
    float[][] sample = cloud(rng, 20, 4, 0.1);
    Mmd mmd = Mmd.withMedianBandwidth(reference);
    assertThat(mmd.test(sample, 100, 42)).isEqualTo(mmd.test(sample, 100, 42));
  }

  /** Gaussian points, the first coordinate moved by {@code shift}. */
  static float[][] cloud(SplittableRandom rng, int n, int dim, double shift) {
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dim; d++) {
        out[i][d] = (float) (ShapiroWilkTest.gaussian(rng) * 0.3 + (d == 0 ? shift : 0));
      }
    }
    return out;
  }
}
