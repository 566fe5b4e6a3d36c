package io.distillguard.provenance.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatticeSumTailTest {
  /** log10 P(Bin(n, 1/2) >= x), summed exactly. */
  static double binomialUpper(int n, int x) {
    double[] logTerms = new double[n - x + 1];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = x; k <= n; k++) {
      double l = logChoose(n, k) - n * Math.log(2);
      logTerms[k - x] = l;
      max = Math.max(max, l);
    }
    double s = 0;
    for (double l : logTerms) {
      s += Math.exp(l - max);
    }
    return (max + Math.log(s)) / Math.log(10);
  }

  static double logChoose(int n, int k) {
    double s = 0;
    for (int i = 1; i <= k; i++) {
      s += Math.log(n - k + i) - Math.log(i);
    }
    return s;
  }

  static List<int[]> signs(int n) {
    return new ArrayList<>(Collections.nCopies(n, new int[] {-8, 8}));
  }

  @Test
  void signTestIsTheBinomialTail() {
    // 300 pairs of +-1 (on the 1/8 grid): the statistic is 16 hits - 2400; small enough to be convolved exactly
    LatticeSumTail t = new LatticeSumTail(signs(300));
    assertThat(t.log10Upper(16L * 200 - 2400)).isCloseTo(binomialUpper(300, 200), within(1e-9));
    assertThat(t.log10Upper(-2400)).isEqualTo(0);
    assertThat(t.log10Upper(2401)).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void saddlepointFollowsTheExactTailDeepIntoIt() {
    // 5,000 pairs are beyond the exact limit: Lugannani-Rice with the lattice correction
    LatticeSumTail t = new LatticeSumTail(signs(5000));
    for (int hits : new int[] {2600, 2700, 2800, 3000}) {
      double exact = binomialUpper(5000, hits);
      double approx = t.log10Upper(16L * hits - 8L * 5000);
      assertThat(approx).as("hits %d", hits).isCloseTo(exact, within(0.01 * Math.abs(exact) + 0.01));
    }
  }

  @Test
  void unevenVariablesKeepMeanAndVariance() {
    List<int[]> v = List.of(new int[] {-11, 3, 8}, new int[] {-8, 8}, new int[] {5, -2, -3});
    LatticeSumTail t = new LatticeSumTail(v);
    assertThat(t.mean()).isCloseTo(0, within(1e-9));
    double var = (121 + 9 + 64) / 3.0 + 64 + (25 + 4 + 9) / 3.0;
    assertThat(t.variance()).isCloseTo(var, within(1e-9));
    // every one of the 3 x 2 x 3 combinations is equally likely
    int atLeast = 0;
    for (int a : v.get(0)) {
      for (int b : v.get(1)) {
        for (int c : v.get(2)) {
          atLeast += a + b + c >= 9 ? 1 : 0;
        }
      }
    }
    assertThat(Math.pow(10, t.log10Upper(9))).isCloseTo(atLeast / 18.0, within(1e-12));
  }
}
