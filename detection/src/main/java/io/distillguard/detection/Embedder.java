package io.distillguard.detection;

/**
 * Turns a text into a sentence embedding: a unit-length vector of {@link #dimension()} floats, close (in Euclidean or
 * cosine distance) for texts of similar meaning.
 *
 * <p>Implementations accept any text (empty, huge, with control characters or broken surrogate pairs) without
 * throwing for its content; callers normally pass text through {@link PromptText#clean} first, which also bounds the
 * cost of one call. Thread-safety is the implementation's to state.
 */
public interface Embedder extends AutoCloseable {

  /** Stable name of the model, recorded beside references built with it (e.g. {@code all-MiniLM-L6-v2}). */
  String name();

  int dimension();

  /** The embedding of {@code text}, of length {@link #dimension()} and unit norm (all zeros for a text with none). */
  float[] embed(String text);

  /** Releases native resources; the default holds none. */
  @Override
  default void close() {}
}
