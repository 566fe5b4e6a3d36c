package io.distillguard.provenance.lexicon;

import java.util.List;

/**
 * Variants WordNet does not list as synonyms but that are interchangeable in running text: spelling variants
 * accepted side by side in American English, and function-word pairs that differ only in register. Each pair was
 * chosen so that either member is grammatical wherever the other is.
 */
final class CuratedVariants {
  private CuratedVariants() {}

  static List<Lexicon.Group> groups() {
    return List.of(
        g("function", "toward", "towards"),
        g("function", "afterward", "afterwards"),
        g("function", "among", "amongst"),
        g("function", "amid", "amidst"),
        g("function", "backward", "backwards"),
        g("function", "upward", "upwards"),
        g("function", "downward", "downwards"),
        g("function", "onward", "onwards"),
        g("spelling", "spelled", "spelt"),
        g("spelling", "dreamed", "dreamt"),
        g("spelling", "leaped", "leapt"),
        g("spelling", "spilled", "spilt"),
        g("spelling", "smelled", "smelt"),
        g("spelling", "acknowledgment", "acknowledgement"),
        g("spelling", "judgment", "judgement"),
        g("spelling", "judgments", "judgements"));
  }

  private static Lexicon.Group g(String kind, String... words) {
    return new Lexicon.Group(List.of(words), "curated:" + kind);
  }
}
