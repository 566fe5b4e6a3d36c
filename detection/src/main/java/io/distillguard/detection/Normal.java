package io.distillguard.detection;

/**
 * The standard normal distribution's upper tail and quantile, to the accuracy the Shapiro–Wilk approximation needs
 * (about 1e-7): Hill's algorithm AS 66 for the tail and Beasley–Springer AS 111 for the quantile, both from
 * Applied Statistics, the algorithms Royston's AS R94 was published with.
 */
final class Normal {
  private Normal() {}

  /** P(Z > z) for a standard normal Z. */
  static double upperTail(double z) {
    boolean upper = true;
    double x = z;
    if (x < 0) {
      upper = false;
      x = -x;
    }
    double tail;
    if (x > 38) {
      tail = 0;
    } else {
      double y = 0.5 * x * x;
      if (x <= 1.28) {
        tail = 0.5 - x * (0.398942280444 - 0.399903438504 * y
            / (y + 5.75885480458 - 29.8213557808 / (y + 2.62433121679 + 48.6959930692 / (y + 5.92885724438))));
      } else {
        tail = 0.398942280385 * Math.exp(-y) / (x - 3.8052e-8 + 1.00000615302 / (x + 3.98064794e-4
            + 1.98615381364 / (x - 0.151679116635 + 5.29330324926 / (x + 4.8385912808 - 15.1508972451
            / (x + 0.742380924027 + 30.789933034 / (x + 3.99019417011))))));
      }
    }
    return upper ? tail : 1 - tail;
  }

  /**
   * The z with P(Z < z) = p.
   *
   * @throws IllegalArgumentException unless 0 &lt; p &lt; 1
   */
  static double quantile(double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p must be in (0, 1): " + p);
    }
    double q = p - 0.5;
    if (Math.abs(q) <= 0.42) {
      double r = q * q;
      return q * (((-25.44106049637 * r + 41.39119773534) * r - 18.61500062529) * r + 2.50662823884)
          / ((((3.13082909833 * r - 21.06224101826) * r + 23.08336743743) * r - 8.47351093090) * r + 1);
    }
    double r = q > 0 ? 1 - p : p;
    r = Math.sqrt(-Math.log(r));
    double z = (((2.32121276858 * r + 4.85014127135) * r - 2.29796479134) * r - 2.78718931138)
        / ((1.63706781897 * r + 3.54388924762) * r + 1);
    return q < 0 ? -z : z;
  }
}
