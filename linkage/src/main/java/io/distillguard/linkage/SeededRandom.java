package io.distillguard.linkage;

/**
 * The SplitMix64 generator of {@link java.util.SplittableRandom}, draw for draw (same seeds, same
 * {@code nextInt(bound)} and {@code nextLong(bound)} results; a test checks millions of draws against the JDK's), but
 * with its state settable, so that one instance is seeded afresh for each filing ({@link Sampling}) instead of one
 * being made per filing.
 */
final class SeededRandom {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private long seed;

  SeededRandom(long seed) {
    this.seed = seed;
  }

  /** The whole state: a generator made with this seed continues the sequence. */
  long state() {
    return seed;
  }

  /** Continues the sequence from a state {@link #state()} returned. */
  void state(long state) {
    seed = state;
  }

  /** A value in [0, bound), as {@code SplittableRandom.nextInt(bound)}. */
  int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive");
    }
    int r = mix32(nextSeed());
    int m = bound - 1;
    if ((bound & m) == 0) {
      return r & m;
    }
    for (int u = r >>> 1; u + m - (r = u % bound) < 0; u = mix32(nextSeed()) >>> 1) {
      // rejects values from the over-represented top of the range
    }
    return r;
  }

  /** A value in [0, bound), as {@code SplittableRandom.nextLong(bound)}. */
  long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive");
    }
    long r = mix64(nextSeed());
    long m = bound - 1;
    if ((bound & m) == 0L) {
      return r & m;
    }
    for (long u = r >>> 1; u + m - (r = u % bound) < 0L; u = mix64(nextSeed()) >>> 1) {
      // as above
    }
    return r;
  }

  private long nextSeed() {
    return seed += GOLDEN_GAMMA;
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static int mix32(long z) {
    z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
    return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
  }
}
