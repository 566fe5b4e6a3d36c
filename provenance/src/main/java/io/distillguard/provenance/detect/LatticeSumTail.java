package io.distillguard.provenance.detect;

import java.util.List;

/**
 * The upper tail of a sum of independent variables, each uniform over a few integers (a pair's standardized tilt
 * towards whichever variant a key prefers, see {@link ScoredEvents}), as log10.
 *
 * <p>Each variable is shifted to start at zero and the sum divided by the greatest common divisor of all values,
 * so it lives on the integers. When the support is small the distribution is computed exactly by convolution;
 * beyond that with the Lugannani-Rice saddlepoint approximation with Daniels' lattice correction, whose relative
 * error stays small deep into the tail, where a normal approximation would understate p-values by orders of
 * magnitude.
 */
public final class LatticeSumTail {
  /** Largest pairs-times-range for which the distribution is convolved exactly. */
  static final long EXACT_WORK = 3_000_000;
  private static final double LN10 = Math.log(10);

  private final int[][] values; // shifted and divided: each row starts at 0
  private final long offset;
  private final int span;
  private final int range;
  private double[] upper; // log10 P(X >= k), k = 0..range+1, when exact

  /** @param variables each variable's equally likely values */
  public LatticeSumTail(List<int[]> variables) {
    int g = 0;
    long off = 0;
    for (int[] v : variables) {
      int min = min(v);
      off += min;
      for (int x : v) {
        g = gcd(g, x - min);
      }
    }
    this.span = Math.max(1, g);
    this.offset = off;
    this.values = new int[variables.size()][];
    long r = 0;
    for (int i = 0; i < values.length; i++) {
      int[] v = variables.get(i);
      int min = min(v);
      int[] s = new int[v.length];
      for (int j = 0; j < v.length; j++) {
        s[j] = (v[j] - min) / span;
      }
      values[i] = s;
      r += max(s);
    }
    this.range = (int) Math.min(Integer.MAX_VALUE - 2, r);
  }

  public double mean() {
    double m = offset;
    for (int[] v : values) {
      double s = 0;
      for (int x : v) {
        s += x;
      }
      m += span * s / v.length;
    }
    return m;
  }

  public double variance() {
    double var = 0;
    for (int[] v : values) {
      double s = 0;
      double s2 = 0;
      for (int x : v) {
        s += x;
        s2 += (double) x * x;
      }
      double m = s / v.length;
      var += span * (double) span * (s2 / v.length - m * m);
    }
    return var;
  }

  /** log10 P(X >= t). */
  public double log10Upper(long t) {
    long x = ceilDiv(t - offset, span);
    if (x <= 0) {
      return 0;
    }
    if (x > range) {
      return Double.NEGATIVE_INFINITY;
    }
    if ((long) values.length * range <= EXACT_WORK) {
      if (upper == null) {
        upper = exactUpper();
      }
      return upper[(int) x];
    }
    if (x == range) {
      double l = 0;
      for (int[] v : values) {
        int top = max(v);
        int at = 0;
        for (int y : v) {
          at += y == top ? 1 : 0;
        }
        l += Math.log10((double) at / v.length);
      }
      return l;
    }
    return saddlepoint(x);
  }

  /**
   * log10 of the mid-p-value P(X > t) + P(X = t) / 2: for a discrete statistic with few values the plain p-value
   * is conservative (below 0.01 less often than 1% of the time under the null); the mid-p-value is closer to
   * uniform, at the price of being no longer a strict bound.
   */
  public double log10MidP(long t) {
    double a = Math.pow(10, log10Upper(t));
    double b = Math.pow(10, log10Upper(t + span));
    return Math.log10(Math.max((a + b) / 2, Double.MIN_VALUE));
  }

  private double[] exactUpper() {
    double[] pmf = new double[range + 1];
    pmf[0] = 1;
    int reach = 0;
    double[] next = new double[range + 1];
    for (int[] v : values) {
      int top = max(v);
      java.util.Arrays.fill(next, 0, Math.min(range, reach + top) + 1, 0);
      double w = 1.0 / v.length;
      for (int i = 0; i <= reach; i++) {
        if (pmf[i] == 0) {
          continue;
        }
        double p = pmf[i] * w;
        for (int y : v) {
          next[i + y] += p;
        }
      }
      reach += top;
      double[] t = pmf;
      pmf = next;
      next = t;
    }
    double[] out = new double[range + 2];
    out[range + 1] = Double.NEGATIVE_INFINITY;
    double acc = 0;
    for (int k = range; k >= 0; k--) {
      acc += pmf[k];
      out[k] = Math.log10(Math.max(acc, Double.MIN_VALUE));
    }
    out[0] = 0;
    return out;
  }

  private double saddlepoint(long x) {
    double mean = 0;
    double var = 0;
    for (int[] v : values) {
      double s = 0;
      double s2 = 0;
      for (int y : v) {
        s += y;
        s2 += (double) y * y;
      }
      mean += s / v.length;
      var += s2 / v.length - (s / v.length) * (s / v.length);
    }
    if (x <= mean + 0.5) {
      // At or below the mean the tail is at least about a half; the normal approximation is accurate there.
      return Math.log10(Normal.upper((x - 0.5 - mean) / Math.sqrt(var)));
    }
    double t = solve(x);
    double[] k = cgf(t);
    double w = Math.sqrt(Math.max(0, 2 * (t * x - k[0])));
    double u = (1 - Math.exp(-t)) * Math.sqrt(k[2]);
    if (w < 1e-6) {
      return Math.log10(0.5);
    }
    // P = phi(w) * (R(w) + 1/u - 1/w), with R the Mills ratio; in logs so deep tails do not underflow.
    double bracket = Normal.millsRatio(w) + 1 / u - 1 / w;
    double logP = -0.5 * w * w - 0.5 * Math.log(2 * Math.PI) + Math.log(Math.max(bracket, 1e-300));
    return Math.min(0, logP / LN10);
  }

  /** K(t), K'(t), K''(t) of the sum, with each variable's exponentials scaled by its largest for stability. */
  private double[] cgf(double t) {
    double k0 = 0;
    double k1 = 0;
    double k2 = 0;
    for (int[] v : values) {
      int top = max(v);
      double z = 0;
      double m1 = 0;
      double m2 = 0;
      for (int y : v) {
        double e = Math.exp(t * (y - top));
        z += e;
        m1 += y * e;
        m2 += (double) y * y * e;
      }
      m1 /= z;
      m2 /= z;
      k0 += t * top + Math.log(z / v.length);
      k1 += m1;
      k2 += m2 - m1 * m1;
    }
    return new double[] {k0, k1, k2};
  }

  /** Solves K'(t) = x for t > 0 by Newton's method, bracketed by bisection. */
  private double solve(long x) {
    double lo = 0;
    double hi = 1;
    while (cgf(hi)[1] < x && hi < 1e4) {
      hi *= 2;
    }
    double t = (lo + hi) / 2;
    for (int i = 0; i < 200; i++) {
      double[] k = cgf(t);
      double f = k[1] - x;
      if (Math.abs(f) < 1e-9 * Math.max(1, x)) {
        break;
      }
      if (f > 0) {
        hi = t;
      } else {
        lo = t;
      }
      double next = t - f / k[2];
      t = next > lo && next < hi ? next : (lo + hi) / 2;
    }
    return t;
  }

  private static int min(int[] v) {
    int m = Integer.MAX_VALUE;
    for (int x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static int max(int[] v) {
    int m = Integer.MIN_VALUE;
    for (int x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return Math.abs(a);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
