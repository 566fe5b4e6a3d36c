package io.distillguard.sim.population;

import java.util.SplittableRandom;

/** Deterministic seed derivation (SplitMix64 finalizer) and small sampling helpers. */
public final class Seeds {
  private Seeds() {}

  public static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Seed for the {@code index}-th thing of kind {@code tag} under the scenario seed. */
  public static long derive(long seed, String tag, long index) {
    long h = 1125899906842597L;
    for (int i = 0; i < tag.length(); i++) {
      h = 31 * h + tag.charAt(i);
    }
    return mix(mix(seed ^ mix(h)) + index);
  }

  public static SplittableRandom rng(long seed, String tag, long index) {
    return new SplittableRandom(derive(seed, tag, index));
  }

  /** Index drawn from cumulative weights (last entry = total). */
  public static int pick(double[] cumulative, SplittableRandom rng) {
    double x = rng.nextDouble() * cumulative[cumulative.length - 1];
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  public static double[] cumulative(double... weights) {
    double[] c = new double[weights.length];
    double s = 0;
    for (int i = 0; i < weights.length; i++) {
      s += weights[i];
      c[i] = s;
    }
    return c;
  }

  public static <T> T pick(T[] items, SplittableRandom rng) {
    return items[rng.nextInt(items.length)];
  }

  /** Exponential with the given mean. */
  public static double exp(SplittableRandom rng, double mean) {
    return -mean * Math.log(1.0 - rng.nextDouble());
  }

  /** Log-normal: exp(mu + sigma Z). */
  public static double logNormal(SplittableRandom rng, double mu, double sigma) {
    return Math.exp(mu + sigma * rng.nextGaussian());
  }

  /** Geometric number of extra trials: P(k) = (1-p) p^k. */
  public static int geometric(SplittableRandom rng, double p) {
    int k = 0;
    while (k < 1000 && rng.nextDouble() < p) {
      k++;
    }
    return k;
  }

  /** Hex of the low {@code digits*4} bits. */
  public static String hex(long v, int digits) {
    char[] out = new char[digits];
    for (int i = digits - 1; i >= 0; i--) {
      out[i] = Character.forDigit((int) (v & 0xF), 16);
      v >>>= 4;
    }
    return new String(out);
  }
}
