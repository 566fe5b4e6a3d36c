package io.distillguard.detection;

import java.util.SplittableRandom;

/**
 * One suspect account's expensive-tier state, of fixed size: a uniform reservoir of its prompt embeddings
 * (Vitter's algorithm R, quantized to bytes) and a ring of the latest nearest-neighbour distances, with the latest
 * test results. Bytes held: {@code reservoir × (dimension + 4) + 4 × distances} plus about 150 of headers and fields;
 * with the defaults (64 prompts of 384 dimensions, 128 distances) 25,344 + 150 ≈ 25.5 KB.
 *
 * <p>Not thread-safe; owned by the expensive tier's worker.
 */
final class AccountEmbeddings {
  final QuantizedVectors reservoir;
  final float[] distances;
  private final SplittableRandom rng;
  int size;
  long seen;
  int distanceCount;
  int distanceNext;
  int sinceShiftTest;
  Mmd.Result shift;
  NearestNeighbourTest.Result nn;
  /** The suspicions last reported to detection, to report only changes. */
  double reportedShift = -1;
  double reportedNn = -1;

  AccountEmbeddings(int reservoir, int dimension, int distances, long seed) {
    this.reservoir = new QuantizedVectors(reservoir, dimension);
    this.distances = new float[distances];
    this.rng = new SplittableRandom(seed);
  }

  /** The state's size in bytes as documented above. */
  long bytes() {
    return reservoir.bytes() + 4L * distances.length + 150;
  }

  /**
   * Adds one prompt: records its distance to the nearest prompt in the reservoir (when there is one), then offers it
   * to the reservoir.
   */
  void add(float[] v) {
    if (size > 0) {
      distances[distanceNext] = (float) NearestNeighbourTest.nearest(v, reservoir, size);
      distanceNext = (distanceNext + 1) % distances.length;
      distanceCount = Math.min(distanceCount + 1, distances.length);
    }
    seen++;
    if (size < reservoir.capacity()) {
      reservoir.set(size++, v);
    } else {
      long j = rng.nextLong(seen);
      if (j < reservoir.capacity()) {
        reservoir.set((int) j, v);
      }
    }
    sinceShiftTest++;
  }

  float[][] sample() {
    float[][] out = new float[size][];
    for (int i = 0; i < size; i++) {
      out[i] = reservoir.get(i);
    }
    return out;
  }

  double[] recentDistances() {
    double[] out = new double[distanceCount];
    for (int i = 0; i < distanceCount; i++) {
      out[i] = distances[i];
    }
    return out;
  }
}
