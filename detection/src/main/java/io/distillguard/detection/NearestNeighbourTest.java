package io.distillguard.detection;

/**
 * The PRADA test (Juuti et al., "PRADA: Protecting against DNN Model Stealing Attacks", EuroS&amp;P 2019) on prompt
 * embeddings: for each new prompt of an account, the distance to its nearest earlier prompt; natural queries give
 * distances whose distribution is close to normal, while generated or templated queries (variations of a few seeds,
 * synthetic sweeps) give a skewed or clumped one. Normality is judged by the {@link ShapiroWilk} statistic W; PRADA
 * flags an account when W falls below a threshold δ.
 */
public final class NearestNeighbourTest {
  private NearestNeighbourTest() {}

  /**
   * The outcome.
   *
   * @param w      Shapiro–Wilk W of the distances; 0 when all distances are equal (a point mass: every prompt at the
   *               same distance from its nearest earlier one, e.g. all exact repeats), which is as far from normal as
   *               a sample can be
   * @param pValue p-value of W under normality (0 for a point mass)
   * @param n      number of distances
   */
  public record Result(double w, double pValue, int n) {}

  /**
   * Tests the distances (at least 3, finite).
   *
   * @throws IllegalArgumentException for fewer than 3 distances or a non-finite one
   */
  public static Result test(double[] distances) {
    if (distances.length < 3) {
      throw new IllegalArgumentException("the nearest-neighbour test needs at least 3 distances");
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double d : distances) {
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("distance is not finite: " + d);
      }
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    if (max - min <= 1e-9) {
      return new Result(0, 0, distances.length);
    }
    ShapiroWilk.Result r = ShapiroWilk.test(distances);
    return new Result(r.w(), r.pValue(), r.n());
  }

  /** Distance from {@code v} to its nearest vector among the first {@code count} slots; +∞ when count is 0. */
  static double nearest(float[] v, QuantizedVectors earlier, int count) {
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      best = Math.min(best, earlier.squaredDistance(v, i));
    }
    return Math.sqrt(Math.max(0, best));
  }
}
