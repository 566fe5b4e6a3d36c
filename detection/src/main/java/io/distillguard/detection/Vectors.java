package io.distillguard.detection;

/** Small vector arithmetic on embeddings (float arrays of one dimension). */
public final class Vectors {
  private Vectors() {}

  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  public static double squaredDistance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  public static double distance(float[] a, float[] b) {
    return Math.sqrt(squaredDistance(a, b));
  }

  /**
   * Scales {@code v} to unit length in place and returns it; a zero or non-finite vector becomes all zeros, so a
   * broken embedding is at distance 1 from every unit vector instead of poisoning sums with NaN.
   */
  public static float[] normalize(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    if (!(s > 0) || !Double.isFinite(s)) {
      java.util.Arrays.fill(v, 0f);
      return v;
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
