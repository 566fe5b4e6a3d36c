package io.distillguard.detection;

import java.util.SplittableRandom;

/**
 * One suspect account's expensive-tier state, of fixed size: a uniform reservoir of its prompt embeddings
 * (Vitter's algorithm R, quantized to bytes) and a ring of the latest nearest-neighbour distances, with the latest
 * test results. Bytes held: {@code reservoir × (dimension + 4) + 4 × distances} plus about 150 of headers and fields;
 * with the defaults (32 prompts of 384 dimensions, 64 distances) 12,416 + 256 + 150 = 12,822 bytes.
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
   * Counts one more sampled prompt and decides, before it is embedded, whether the reservoir keeps it (algorithm R:
   * the n-th prompt with probability capacity / n) and in which slot. A prompt the reservoir would not keep is not
   * embedded at all, so an account costs about {@code capacity × (1 + ln(n / capacity))} embeddings for n sampled
   * prompts instead of n: with 32 slots, a busy suspect's thousandth prompt is embedded with probability 32/1000.
   *
   * @return the slot for the prompt, or -1 when it is not kept
   */
  int admit() {
    seen++;
    if (size < reservoir.capacity()) {
      return size;
    }
    long j = rng.nextLong(seen);
    return j < reservoir.capacity() ? (int) j : -1;
  }

  /**
   * Adds an admitted prompt: records its distance to the nearest prompt in the reservoir (when there is one, before
   * the slot is overwritten), then stores it in {@code slot}.
   */
  void add(float[] v, int slot) {
    if (size > 0) {
      distances[distanceNext] = (float) NearestNeighbourTest.nearest(v, reservoir, size);
      distanceNext = (distanceNext + 1) % distances.length;
      distanceCount = Math.min(distanceCount + 1, distances.length);
    }
    reservoir.set(slot, v);
    if (slot == size) {
      size++;
    }
    sinceShiftTest++;
  }

  /** {@link #admit} and, when admitted, {@link #add}. */
  void add(float[] v) {
    int slot = admit();
    if (slot >= 0) {
      add(v, slot);
    }
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
