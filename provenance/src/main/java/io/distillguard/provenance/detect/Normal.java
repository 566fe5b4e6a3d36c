package io.distillguard.provenance.detect;

/** The standard normal upper tail and Mills ratio, accurate to the far tail. */
final class Normal {
  private Normal() {}

  /** P(Z > z). */
  static double upper(double z) {
    if (z < 0) {
      return 1 - upper(-z);
    }
    return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) * millsRatio(z);
  }

  /**
   * (1 - Phi(z)) / phi(z) for z >= 0: a continued fraction (Lentz) for z above 2, where it converges fast, and
   * the complementary error function's series below.
   */
  static double millsRatio(double z) {
    if (z < 2) {
      return erfc(z / Math.sqrt(2)) / 2 * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * z * z);
    }
    // R(z) = 1 / (z + 1 / (z + 2 / (z + 3 / (z + ...))))
    double f = z;
    double c = z;
    double d = 0;
    for (int k = 1; k < 500; k++) {
      d = z + k * d;
      d = d == 0 ? 1e-300 : 1 / d;
      c = z + k / c;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-15) {
        break;
      }
    }
    return 1 / f;
  }

  /** erfc for 0 <= x < 1.5 from the Taylor series of erf (ample precision there). */
  private static double erfc(double x) {
    double sum = 0;
    double term = x;
    for (int n = 0; n < 100; n++) {
      double add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) {
        break;
      }
      term *= -x * x / (n + 1);
    }
    return 1 - 2 / Math.sqrt(Math.PI) * sum;
  }
}
