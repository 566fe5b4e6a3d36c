package io.distillguard.sim.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Newton fit recovers known coefficients, honours non-negativity and is deterministic. */
class LogisticFitTest {
  /** Rows drawn from a known logistic model: bias -1, weights 2, -1.5, 0. */
  static Object[] data(int n, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[n][3];
    boolean[] y = new boolean[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        x[i][j] = r.nextDouble();
      }
      double z = -1 + 2 * x[i][0] - 1.5 * x[i][1];
      y[i] = r.nextDouble() < 1 / (1 + Math.exp(-z));
      w[i] = 1;
    }
    return new Object[] {x, y, w};
  }

  @Test
  void recoversTheCoefficientsOfTheModelThatMadeTheData() {
    Object[] d = data(40_000, 1);
    LogisticFit.Result r = LogisticFit.fit((double[][]) d[0], (boolean[]) d[1], (double[]) d[2],
        new LogisticFit.Options(0, false, 100, 1e-10));
    assertThat(r.bias()).isCloseTo(-1, within(0.12));
    assertThat(r.weights()[0]).isCloseTo(2, within(0.15));
    assertThat(r.weights()[1]).isCloseTo(-1.5, within(0.15));
    assertThat(r.weights()[2]).isCloseTo(0, within(0.15));
    assertThat(r.iterations()).isLessThan(20);
  }

  @Test
  void nonNegativeWeightsStayAtZeroOrAbove() {
    Object[] d = data(20_000, 2);
    LogisticFit.Result r = LogisticFit.fit((double[][]) d[0], (boolean[]) d[1], (double[]) d[2],
        new LogisticFit.Options(0.01, true, 100, 1e-10));
    assertThat(r.weights()[1]).isZero();
    assertThat(r.weights()[0]).isGreaterThan(1);
    for (double v : r.weights()) {
      assertThat(v).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void l2ShrinksWeightsAndRowWeightsCount() {
    Object[] d = data(20_000, 3);
    double[][] x = (double[][]) d[0];
    boolean[] y = (boolean[]) d[1];
    double[] w = (double[]) d[2];
    double free = LogisticFit.fit(x, y, w, new LogisticFit.Options(0, false, 100, 1e-10)).weights()[0];
    double shrunk = LogisticFit.fit(x, y, w, new LogisticFit.Options(1, false, 100, 1e-10)).weights()[0];
    assertThat(Math.abs(shrunk)).isLessThan(Math.abs(free));
    // weighting the positives up moves the bias up
    double[] heavier = w.clone();
    for (int i = 0; i < heavier.length; i++) {
      heavier[i] = y[i] ? 5 : 1;
    }
    assertThat(LogisticFit.fit(x, y, heavier, LogisticFit.Options.defaults()).bias())
        .isGreaterThan(LogisticFit.fit(x, y, w, LogisticFit.Options.defaults()).bias());
  }

  @Test
  void sameRowsSameResult() {
    Object[] d = data(5_000, 4);
    LogisticFit.Result a = LogisticFit.fit((double[][]) d[0], (boolean[]) d[1], (double[]) d[2],
        LogisticFit.Options.defaults());
    LogisticFit.Result b = LogisticFit.fit((double[][]) d[0], (boolean[]) d[1], (double[]) d[2],
        LogisticFit.Options.defaults());
    assertThat(b.bias()).isEqualTo(a.bias());
    assertThat(b.weights()).containsExactly(a.weights());
  }

  @Test
  void badInputIsRejected() {
    assertThatThrownBy(() -> LogisticFit.fit(new double[0][], new boolean[0], new double[0],
        LogisticFit.Options.defaults())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> LogisticFit.fit(new double[][] {{1}}, new boolean[] {true}, new double[] {-1},
        LogisticFit.Options.defaults())).hasMessageContaining("non-negative");
  }
}
