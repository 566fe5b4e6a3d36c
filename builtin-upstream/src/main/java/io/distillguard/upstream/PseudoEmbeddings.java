package io.distillguard.upstream;

import java.util.List;

/**
 * Deterministic stand-in embeddings: NOT a model, just signed feature hashing of lower-cased word
 * unigrams (weight 1) and bigrams (weight 0.5) into {@value #DIMENSIONS} buckets, L2-normalised.
 * Texts sharing words get a positive cosine similarity, identical texts identical vectors, which
 * is all the gateway's tests and benchmarks need. An input without words maps to a fixed unit
 * vector rather than NaNs.
 */
final class PseudoEmbeddings {
  static final int DIMENSIONS = 384;

  private PseudoEmbeddings() {}

  /** The embedding of {@code text}, of length {@code dimensions} (1..{@value #DIMENSIONS}). */
  static float[] embed(String text, int dimensions) {
    double[] v = new double[DIMENSIONS];
    List<String> words = Corpus.words(text, Integer.MAX_VALUE);
    for (int i = 0; i < words.size(); i++) {
      add(v, Corpus.hash64(words.get(i)), 1.0);
      if (i > 0) {
        add(v, Corpus.hash64(words.get(i - 1) + ' ' + words.get(i)), 0.5);
      }
    }
    if (words.isEmpty()) {
      v[0] = 1.0;
    }
    // Truncating before normalising keeps shortened vectors unit length, as OpenAI's
    // "dimensions" parameter does.
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      norm += v[i] * v[i];
    }
    float[] out = new float[dimensions];
    if (norm == 0) {
      out[0] = 1f; // all words hashed beyond the requested dimensions
      return out;
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < dimensions; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  private static void add(double[] v, long hash, double weight) {
    int bucket = (int) Math.floorMod(hash, (long) DIMENSIONS);
    v[bucket] += (hash >>> 63) == 0 ? weight : -weight; // the sign bit keeps collisions unbiased
  }
}
