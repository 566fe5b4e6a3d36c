package io.distillguard.detection;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Maximum mean discrepancy between a sample and a fixed reference sample, with a Gaussian (RBF) kernel
 * {@code k(x, y) = exp(-|x - y|² / (2σ²))}: the unbiased estimate MMD²_u of Gretton et al. ("A Kernel
 * Two-Sample Test", JMLR 13, 2012) and its permutation test.
 *
 * <p>The bandwidth σ is fixed once, from the reference (the median heuristic: the median distance between reference
 * points), rather than re-chosen per sample: the same kernel for every account makes MMD² values comparable across
 * accounts, so a threshold calibrated on benign accounts means the same for all, and the reference's own kernel
 * matrix is computed once.
 *
 * <p>Immutable and thread-safe; {@link #test} allocates its working arrays.
 */
public final class Mmd {
  private final float[][] reference;
  private final double sigma;
  private final double gamma;
  /** Kernel values among reference points, row-major, {@code m × m}. */
  private final double[] kyy;
  private final double kyyOffDiagonalMean;

  /**
   * The result of a test.
   *
   * @param mmd2         unbiased MMD² estimate (may be slightly negative when the sample looks like the reference)
   * @param pValue       permutation p-value, {@code (1 + #{permuted ≥ observed}) / (1 + permutations)}; 1 when no
   *                     permutation was run
   * @param n            sample size
   * @param permutations how many permutations the p-value rests on
   */
  public record Result(double mmd2, double pValue, int n, int permutations) {}

  /**
   * @param reference reference points (at least 2), all of one dimension; not copied, must not change
   * @param sigma     kernel bandwidth, positive; see {@link #medianBandwidth}
   */
  public Mmd(float[][] reference, double sigma) {
    if (reference.length < 2) {
      throw new IllegalArgumentException("a reference needs at least 2 points");
    }
    if (!(sigma > 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("bandwidth must be positive: " + sigma);
    }
    this.reference = reference;
    this.sigma = sigma;
    this.gamma = 1 / (2 * sigma * sigma);
    int m = reference.length;
    this.kyy = new double[m * m];
    double sum = 0;
    for (int i = 0; i < m; i++) {
      kyy[i * m + i] = 1;
      for (int j = i + 1; j < m; j++) {
        double k = kernel(reference[i], reference[j]);
        kyy[i * m + j] = k;
        kyy[j * m + i] = k;
        sum += 2 * k;
      }
    }
    this.kyyOffDiagonalMean = sum / ((double) m * (m - 1));
  }

  /** An instance whose bandwidth is the reference's {@link #medianBandwidth}. */
  public static Mmd withMedianBandwidth(float[][] reference) {
    return new Mmd(reference, medianBandwidth(reference));
  }

  public double sigma() {
    return sigma;
  }

  public int referenceSize() {
    return reference.length;
  }

  /**
   * The median heuristic: the median Euclidean distance between distinct points of a sample (at least 2 points).
   * Falls back to 1 when every point is the same, so a degenerate sample still gives a usable kernel.
   */
  public static double medianBandwidth(float[][] sample) {
    int m = sample.length;
    if (m < 2) {
      throw new IllegalArgumentException("the median heuristic needs at least 2 points");
    }
    double[] d = new double[m * (m - 1) / 2];
    int k = 0;
    for (int i = 0; i < m; i++) {
      for (int j = i + 1; j < m; j++) {
        d[k++] = Math.sqrt(Vectors.squaredDistance(sample[i], sample[j]));
      }
    }
    Arrays.sort(d);
    double median = d.length % 2 == 1 ? d[d.length / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
    return median > 0 ? median : 1;
  }

  /** The unbiased MMD² between {@code sample} (at least 2 points) and the reference. */
  public double mmd2(float[][] sample) {
    return test(sample, 0, 0).mmd2();
  }

  /**
   * MMD² of {@code sample} (at least 2 points) against the reference and its permutation p-value: the pooled points
   * are split at random into a sample-sized and a reference-sized part {@code permutations} times, and the p-value
   * is the share of splits whose MMD² reaches the observed one. Deterministic for a given seed.
   */
  public Result test(float[][] sample, int permutations, long seed) {
    int n = sample.length;
    if (n < 2) {
      throw new IllegalArgumentException("MMD needs at least 2 sample points: " + n);
    }
    int m = reference.length;
    int total = n + m;
    // Pooled kernel matrix: sample points first, then the reference.
    double[] k = new double[total * total];
    for (int i = 0; i < n; i++) {
      k[i * total + i] = 1;
      for (int j = i + 1; j < n; j++) {
        double v = kernel(sample[i], sample[j]);
        k[i * total + j] = v;
        k[j * total + i] = v;
      }
      for (int j = 0; j < m; j++) {
        double v = kernel(sample[i], reference[j]);
        k[i * total + n + j] = v;
        k[(n + j) * total + i] = v;
      }
    }
    for (int i = 0; i < m; i++) {
      System.arraycopy(kyy, i * m, k, (n + i) * total + n, m);
    }
    double observed = observed(k, n, m, total);
    if (permutations <= 0) {
      return new Result(observed, 1, n, 0);
    }
    int[] order = new int[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    int reached = 0;
    for (int p = 0; p < permutations; p++) {
      for (int i = total - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      if (permuted(k, order, n, total) >= observed) {
        reached++;
      }
    }
    return new Result(observed, (1.0 + reached) / (1.0 + permutations), n, permutations);
  }

  private double observed(double[] k, int n, int m, int total) {
    double xx = 0;
    double xy = 0;
    for (int i = 0; i < n; i++) {
      int row = i * total;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          xx += k[row + j];
        }
      }
      for (int j = n; j < total; j++) {
        xy += k[row + j];
      }
    }
    return xx / ((double) n * (n - 1)) + kyyOffDiagonalMean - 2 * xy / ((double) n * m);
  }

  /** MMD²_u when the pooled points {@code order[0..n)} play the sample and the rest the reference. */
  private static double permuted(double[] k, int[] order, int n, int total) {
    int m = total - n;
    double xx = 0;
    double yy = 0;
    double xy = 0;
    for (int a = 0; a < total; a++) {
      int row = order[a] * total;
      boolean aIsX = a < n;
      for (int b = a + 1; b < total; b++) {
        double v = k[row + order[b]];
        boolean bIsX = b < n;
        if (aIsX && bIsX) {
          xx += v;
        } else if (!aIsX && !bIsX) {
          yy += v;
        } else {
          xy += v;
        }
      }
    }
    return 2 * xx / ((double) n * (n - 1)) + 2 * yy / ((double) m * (m - 1)) - 2 * xy / ((double) n * m);
  }

  private double kernel(float[] a, float[] b) {
    return Math.exp(-gamma * Vectors.squaredDistance(a, b));
  }
}
