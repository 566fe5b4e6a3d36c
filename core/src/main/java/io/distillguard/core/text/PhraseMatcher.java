package io.distillguard.core.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds phrases (token sequences) in a {@link Tokens} list in one pass: a map from a phrase's first token to the
 * phrases starting with it. Works the same for spaced and unspaced scripts because both are tokens.
 */
public final class PhraseMatcher {
  private final Map<Long, List<long[]>> byFirst = new HashMap<>();
  private final Map<long[], Integer> category = new java.util.IdentityHashMap<>();

  /** Adds a phrase under a category bit (an {@code int} with one bit set). */
  public PhraseMatcher add(String phrase, int categoryBit) {
    Tokens t = Tokens.of(phrase, phrase.length());
    if (t.size() == 0) {
      throw new IllegalArgumentException("phrase without words: " + phrase);
    }
    long[] seq = new long[t.size()];
    for (int i = 0; i < seq.length; i++) {
      seq[i] = t.hash(i);
    }
    byFirst.computeIfAbsent(seq[0], k -> new ArrayList<>(2)).add(seq);
    category.put(seq, categoryBit);
    return this;
  }

  /** The bit-or of the categories of every phrase that occurs. */
  public int match(Tokens t) {
    int found = 0;
    int n = t.size();
    for (int i = 0; i < n; i++) {
      List<long[]> candidates = byFirst.get(t.hash(i));
      if (candidates == null) {
        continue;
      }
      for (long[] seq : candidates) {
        if (i + seq.length > n) {
          continue;
        }
        boolean ok = true;
        for (int j = 1; j < seq.length && ok; j++) {
          ok = t.hash(i + j) == seq[j];
        }
        if (ok) {
          found |= category.get(seq);
        }
      }
    }
    return found;
  }
}
