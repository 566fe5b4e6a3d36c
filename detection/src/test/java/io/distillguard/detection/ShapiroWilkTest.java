package io.distillguard.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Known answers from R's {@code shapiro.test} and SciPy 1.17's {@code stats.shapiro} (both AS R94). */
class ShapiroWilkTest {

  @Test
  void oneToTenMatchesRAndSciPy() {
    double[] x = new double[10];
    for (int i = 0; i < 10; i++) {
      x[i] = i + 1;
    }
    ShapiroWilk.Result r = ShapiroWilk.test(x);
    assertThat(r.w()).isCloseTo(0.970165, within(1e-5));
    assertThat(r.pValue()).isCloseTo(0.892367, within(1e-4));
  }

  @Test
  void skewedSmallSampleIsRejected() {
    double[] x = {148, 154, 158, 160, 161, 162, 166, 170, 182, 195, 236};
    ShapiroWilk.Result r = ShapiroWilk.test(x);
    assertThat(r.w()).isCloseTo(0.788815, within(1e-5));
    assertThat(r.pValue()).isCloseTo(0.006704, within(2e-4));
  }

  @Test
  void threeValuesUseTheExactFormula() {
    ShapiroWilk.Result r = ShapiroWilk.test(new double[] {1, 2, 4});
    assertThat(r.w()).isCloseTo(0.964286, within(1e-5));
    assertThat(r.pValue()).isCloseTo(0.636887, within(1e-4));
  }

  @Test
  void twentyValuesInAnyOrder() {
    double[] x = {2.1, 3.5, 1.2, 8.9, 4.4, 4.0, 3.3, 2.2, 1.9, 5.5, 6.1, 0.7, 3.9, 2.8, 4.9, 3.1, 2.5, 7.7, 3.6, 4.2};
    ShapiroWilk.Result r = ShapiroWilk.test(x);
    assertThat(r.w()).isCloseTo(0.943639, within(1e-5));
    assertThat(r.pValue()).isCloseTo(0.280646, within(1e-3));
    assertThat(x[0]).isEqualTo(2.1); // the caller's array is not sorted in place
  }

  @Test
  void exponentialGrowthIsFarFromNormal() {
    double[] x = new double[50];
    for (int i = 0; i < 50; i++) {
      x[i] = Math.exp(5.0 * i / 49);
    }
    ShapiroWilk.Result r = ShapiroWilk.test(x);
    assertThat(r.w()).isCloseTo(0.758988, within(1e-5));
    assertThat(r.pValue()).isLessThan(1e-6);
  }

  @Test
  void normalSamplesAreMostlyAccepted() {
    SplittableRandom rng = new SplittableRandom(7);
    int rejected = 0;
    for (int t = 0; t < 200; t++) {
      double[] x = new double[60];
      for (int i = 0; i < x.length; i++) {
        x[i] = gaussian(rng);
      }
      if (ShapiroWilk.test(x).pValue() < 0.05) {
        rejected++;
      }
    }
    assertThat(rejected).isBetween(2, 25); // about 5% of 200 under the null
  }

  @Test
  void refusesWhatItCannotTest() {
    assertThatThrownBy(() -> ShapiroWilk.test(new double[] {1, 2})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ShapiroWilk.test(new double[] {3, 3, 3, 3})).hasMessageContaining("equal");
    assertThatThrownBy(() -> ShapiroWilk.test(new double[] {1, Double.NaN, 3}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static double gaussian(SplittableRandom rng) {
    double u = rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }
}
