package io.distillguard.provenance.detect;

/**
 * The upper tail P(X >= x) of a sum of independent Bernoulli variables whose success probabilities take a few
 * values (1/2, 1/3, ... for variant sets of 2, 3, ... words), as log10.
 *
 * <p>Up to {@value #EXACT_LIMIT} trials the distribution is computed exactly by convolving the binomials of each
 * probability; beyond that with the Lugannani-Rice saddlepoint approximation with Daniels' lattice correction,
 * whose relative error stays small deep into the tail, where a normal approximation would understate p-values by
 * orders of magnitude (the binomial tail is heavier than the normal's).
 */
public final class PoissonBinomialTail {
  static final int EXACT_LIMIT = 600;
  private static final double LN10 = Math.log(10);

  private final int[] counts;
  private final double[] probs;
  private final int n;
  private double[] upper; // log10 P(X >= k), k = 0..n, when exact

  /**
   * @param counts trials per probability
   * @param probs  the probabilities, each in (0, 1)
   */
  public PoissonBinomialTail(int[] counts, double[] probs) {
    this.counts = counts.clone();
    this.probs = probs.clone();
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    this.n = total;
  }

  public int trials() {
    return n;
  }

  public double mean() {
    double m = 0;
    for (int i = 0; i < counts.length; i++) {
      m += counts[i] * probs[i];
    }
    return m;
  }

  public double variance() {
    double v = 0;
    for (int i = 0; i < counts.length; i++) {
      v += counts[i] * probs[i] * (1 - probs[i]);
    }
    return v;
  }

  /** log10 P(X >= x). */
  public double log10Upper(int x) {
    if (x <= 0) {
      return 0;
    }
    if (x > n) {
      return Double.NEGATIVE_INFINITY;
    }
    if (n <= EXACT_LIMIT) {
      if (upper == null) {
        upper = exactUpper();
      }
      return upper[x];
    }
    return saddlepoint(x);
  }

  private double[] exactUpper() {
    double[] pmf = {1.0};
    for (int i = 0; i < counts.length; i++) {
      pmf = convolve(pmf, binomial(counts[i], probs[i]));
    }
    // Sum from the top so tiny tails keep their precision; log10 of a sum of doubles as small as 1e-300 is fine,
    // and anything smaller is floored at the smallest double.
    double[] out = new double[n + 2];
    double acc = 0;
    out[n + 1] = Double.NEGATIVE_INFINITY;
    for (int k = n; k >= 0; k--) {
      acc += pmf[k];
      out[k] = Math.log10(Math.max(acc, Double.MIN_VALUE));
    }
    out[0] = 0;
    return out;
  }

  private static double[] binomial(int trials, double p) {
    double[] pmf = new double[trials + 1];
    double lp = Math.log(p);
    double lq = Math.log1p(-p);
    double lchoose = 0;
    for (int k = 0; k <= trials; k++) {
      if (k > 0) {
        lchoose += Math.log(trials - k + 1) - Math.log(k);
      }
      pmf[k] = Math.exp(lchoose + k * lp + (trials - k) * lq);
    }
    return pmf;
  }

  private static double[] convolve(double[] a, double[] b) {
    double[] out = new double[a.length + b.length - 1];
    for (int i = 0; i < a.length; i++) {
      if (a[i] == 0) {
        continue;
      }
      for (int j = 0; j < b.length; j++) {
        out[i + j] += a[i] * b[j];
      }
    }
    return out;
  }

  double saddlepoint(int x) {
    double mean = mean();
    if (x <= mean + 0.5) {
      // At or below the mean the tail is at least about a half; the normal approximation is accurate there.
      double z = (x - 0.5 - mean) / Math.sqrt(variance());
      return Math.log10(Normal.upper(z));
    }
    double t = solve(x);
    double k = cgf(t);
    double w = Math.sqrt(2 * (t * x - k));
    double u = (1 - Math.exp(-t)) * Math.sqrt(cgf2(t));
    // P = phi(w) * (R(w) + 1/u - 1/w), with R the Mills ratio; in logs so deep tails do not underflow.
    double bracket = Normal.millsRatio(w) + 1 / u - 1 / w;
    double logP = -0.5 * w * w - 0.5 * Math.log(2 * Math.PI) + Math.log(Math.max(bracket, 1e-300));
    return Math.min(0, logP / LN10);
  }

  private double cgf(double t) {
    double s = 0;
    for (int i = 0; i < counts.length; i++) {
      s += counts[i] * Math.log1p(probs[i] * Math.expm1(t));
    }
    return s;
  }

  private double cgf1(double t) {
    double s = 0;
    double e = Math.exp(t);
    for (int i = 0; i < counts.length; i++) {
      s += counts[i] * probs[i] * e / (1 - probs[i] + probs[i] * e);
    }
    return s;
  }

  private double cgf2(double t) {
    double s = 0;
    double e = Math.exp(t);
    for (int i = 0; i < counts.length; i++) {
      double d = 1 - probs[i] + probs[i] * e;
      s += counts[i] * probs[i] * (1 - probs[i]) * e / (d * d);
    }
    return s;
  }

  /** Solves K'(t) = x for t > 0 by Newton's method, bracketed by bisection. */
  private double solve(int x) {
    double lo = 0;
    double hi = 1;
    while (cgf1(hi) < x) {
      hi *= 2;
      if (hi > 1e4) {
        break;
      }
    }
    double t = (lo + hi) / 2;
    for (int i = 0; i < 200; i++) {
      double f = cgf1(t) - x;
      if (Math.abs(f) < 1e-10) {
        break;
      }
      if (f > 0) {
        hi = t;
      } else {
        lo = t;
      }
      double next = t - f / cgf2(t);
      t = next > lo && next < hi ? next : (lo + hi) / 2;
    }
    return t;
  }
}
