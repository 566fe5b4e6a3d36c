package io.distillguard.detection;

/**
 * A fixed number of slots for unit vectors stored as signed bytes with one float scale each: 4 times smaller than
 * floats, and for unit vectors of 384 dimensions distances come back within about 1% (each component is rounded to
 * 1/254 of the vector's largest component).
 *
 * <p>Memory: {@code capacity × (dimension + 4)} bytes plus two array headers. Not thread-safe.
 */
final class QuantizedVectors {
  private final int dimension;
  private final byte[] codes;
  private final float[] scales;

  QuantizedVectors(int capacity, int dimension) {
    this.dimension = dimension;
    this.codes = new byte[capacity * dimension];
    this.scales = new float[capacity];
  }

  int capacity() {
    return scales.length;
  }

  int dimension() {
    return dimension;
  }

  /** Bytes held by the arrays (not counting object headers). */
  long bytes() {
    return codes.length + 4L * scales.length;
  }

  void set(int slot, float[] v) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    float scale = max > 0 ? max / 127f : 0f;
    scales[slot] = scale;
    int base = slot * dimension;
    for (int i = 0; i < dimension; i++) {
      codes[base + i] = scale == 0 ? 0 : (byte) Math.round(v[i] / scale);
    }
  }

  /** Squared Euclidean distance between {@code v} and the vector in {@code slot}. */
  double squaredDistance(float[] v, int slot) {
    float scale = scales[slot];
    int base = slot * dimension;
    double s = 0;
    for (int i = 0; i < dimension; i++) {
      double d = v[i] - scale * codes[base + i];
      s += d * d;
    }
    return s;
  }

  /** The vector in {@code slot}, decoded and scaled back to unit length. */
  float[] get(int slot) {
    float[] v = new float[dimension];
    float scale = scales[slot];
    int base = slot * dimension;
    for (int i = 0; i < dimension; i++) {
      v[i] = scale * codes[base + i];
    }
    return Vectors.normalize(v);
  }

  float scale(int slot) {
    return scales[slot];
  }

  byte code(int slot, int i) {
    return codes[slot * dimension + i];
  }

  void setRaw(int slot, float scale, byte[] code) {
    scales[slot] = scale;
    System.arraycopy(code, 0, codes, slot * dimension, dimension);
  }
}
