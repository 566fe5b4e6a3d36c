package io.distillguard.detection;

import java.util.Arrays;

/**
 * The Shapiro–Wilk test of normality with Royston's approximations (Applied Statistics algorithm AS R94, 1995): the
 * statistic W in (0, 1], near 1 for a sample that looks normal and lower the less it does, and the p-value of W
 * under normality. Valid for 3 to 5,000 observations.
 *
 * <p>No library on the project's classpath offers this test (Commons Math and Hipparchus do not), so it is written
 * here from the published algorithm, for complete (uncensored) samples only. Checked against R's
 * {@code shapiro.test} and SciPy's {@code shapiro} in {@code ShapiroWilkTest}.
 */
public final class ShapiroWilk {
  private static final double[] C1 = {0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056};
  private static final double[] C2 = {0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633};
  private static final double[] C3 = {0.5440, -0.39978, 0.025054, -6.714e-4};
  private static final double[] C4 = {1.3822, -0.77857, 0.062767, -0.0020322};
  private static final double[] C5 = {-1.5861, -0.31082, -0.083751, 0.0038915};
  private static final double[] C6 = {-0.4803, -0.082676, 0.0030302};
  private static final double[] G = {-2.273, 0.459};
  /** The p-value reported when W lies beyond the small-sample approximation's range. */
  private static final double SMALLEST_P = 1e-19;

  private ShapiroWilk() {}

  /**
   * The result of a test.
   *
   * @param w      the statistic, in (0, 1]
   * @param pValue probability of a W this low or lower for a normal sample of this size
   * @param n      the sample size
   */
  public record Result(double w, double pValue, int n) {}

  /**
   * Tests a sample (not modified).
   *
   * @throws IllegalArgumentException for fewer than 3 or more than 5,000 values, a value that is not finite, or a
   *     sample whose values are all equal (W is undefined there)
   */
  public static Result test(double[] sample) {
    int n = sample.length;
    if (n < 3 || n > 5000) {
      throw new IllegalArgumentException("Shapiro-Wilk needs 3 to 5000 values: " + n);
    }
    double[] x = sample.clone();
    Arrays.sort(x);
    if (!Double.isFinite(x[0]) || !Double.isFinite(x[n - 1])) {
      throw new IllegalArgumentException("sample has a value that is not finite");
    }
    double range = x[n - 1] - x[0];
    if (!(range > 0)) {
      throw new IllegalArgumentException("all values are equal: W is undefined");
    }
    double[] a = coefficients(n);
    // W as the squared correlation of the ordered sample with the antisymmetric coefficients, on range-scaled
    // values, and 1 - W computed directly, which keeps W close to 1 accurate.
    double meanX = 0;
    for (double v : x) {
      meanX += v / range;
    }
    meanX /= n;
    double ssa = 0;
    double ssx = 0;
    double sax = 0;
    for (int i = 0; i < n; i++) {
      int j = n - 1 - i;
      double c = i < j ? -a[i] : i > j ? a[j] : 0; // coefficients sum to 0, so their mean is 0
      double dx = x[i] / range - meanX;
      ssa += c * c;
      ssx += dx * dx;
      sax += c * dx;
    }
    double root = Math.sqrt(ssa * ssx);
    double oneMinusW = Math.max(0, (root - sax) * (root + sax) / (ssa * ssx));
    double w = 1 - oneMinusW;
    return new Result(w, pValue(w, oneMinusW, n), n);
  }

  /** The coefficients a_1..a_{n/2} (for the largest minus smallest, second largest minus second smallest, ...). */
  static double[] coefficients(int n) {
    int half = n / 2;
    double[] a = new double[half];
    if (n == 3) {
      a[0] = Math.sqrt(0.5);
      return a;
    }
    double[] m = new double[half];
    double summ2 = 0;
    for (int i = 0; i < half; i++) {
      m[i] = Normal.quantile((i + 1 - 0.375) / (n + 0.25)); // negative: the lower half of normal scores
      summ2 += m[i] * m[i];
    }
    summ2 *= 2;
    double ssumm2 = Math.sqrt(summ2);
    double rsn = 1 / Math.sqrt(n);
    double a1 = poly(C1, rsn) - m[0] / ssumm2;
    int first;
    double fac;
    if (n > 5) {
      double a2 = -m[1] / ssumm2 + poly(C2, rsn);
      fac = Math.sqrt((summ2 - 2 * m[0] * m[0] - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
      a[1] = a2;
      first = 2;
    } else {
      fac = Math.sqrt((summ2 - 2 * m[0] * m[0]) / (1 - 2 * a1 * a1));
      first = 1;
    }
    a[0] = a1;
    for (int i = first; i < half; i++) {
      a[i] = -m[i] / fac;
    }
    return a;
  }

  private static double pValue(double w, double oneMinusW, int n) {
    if (n == 3) {
      double p = 6 / Math.PI * (Math.asin(Math.sqrt(w)) - Math.asin(Math.sqrt(0.75)));
      return Math.max(0, Math.min(1, p));
    }
    if (oneMinusW <= 0) {
      return 1;
    }
    double y = Math.log(oneMinusW);
    double mean;
    double sd;
    if (n <= 11) {
      double gamma = poly(G, n);
      if (y >= gamma) {
        return SMALLEST_P;
      }
      y = -Math.log(gamma - y);
      mean = poly(C3, n);
      sd = Math.exp(poly(C4, n));
    } else {
      double ln = Math.log(n);
      mean = poly(C5, ln);
      sd = Math.exp(poly(C6, ln));
    }
    return Normal.upperTail((y - mean) / sd);
  }

  /** c[0] + c[1]·x + c[2]·x² + ... */
  private static double poly(double[] c, double x) {
    double p = 0;
    for (int i = c.length - 1; i >= 0; i--) {
      p = p * x + c[i];
    }
    return p;
  }
}
