package io.distillguard.detection;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the embeddings of recently seen texts (least recently used out first): harvesting repeats templates
 * and whole prompts across accounts, and a repeat costs a hash lookup instead of a model run. An entry holds the
 * vector ({@code dimension × 4} bytes, 1.5 KB for 384 dimensions) and its key, the cleaned text (at most
 * {@link PromptText#MAX_CHARS} characters): at most about 3.7 KB.
 *
 * <p>Keys are the exact cleaned text, so two texts never share an entry. Not thread-safe: one worker owns it.
 */
public final class CachingEmbedder implements Embedder {
  private final Embedder delegate;
  private final Map<String, float[]> cache;
  private long hits;
  private long misses;

  public CachingEmbedder(Embedder delegate, int capacity) {
    this.delegate = delegate;
    int cap = Math.max(0, capacity);
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
        return size() > cap;
      }
    };
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  /** The embedding; callers must not modify the returned array (it may be shared with the cache). */
  @Override
  public float[] embed(String text) {
    String clean = PromptText.clean(text);
    if (clean == null) {
      return new float[dimension()];
    }
    float[] v = cache.get(clean);
    if (v != null) {
      hits++;
      return v;
    }
    misses++;
    v = delegate.embed(clean);
    cache.put(clean, v);
    return v;
  }

  /** Texts served from the cache. */
  public long hits() {
    return hits;
  }

  /** Texts the model embedded. */
  public long misses() {
    return misses;
  }

  @Override
  public void close() {
    delegate.close();
  }
}
