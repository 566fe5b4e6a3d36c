package io.distillguard.provenance.lexicon;

import java.util.List;

/**
 * Words that can replace one another anywhere they occur in lowercase prose without changing meaning or grammar.
 *
 * @param id       position of the set in its {@link Lexicon}; stable for a given lexicon version, and part of the
 *                 watermark's pseudo-random input, so changing the lexicon changes every key's preferences
 * @param variants the words, sorted, all lowercase ASCII letters
 * @param source   where the set comes from ({@code wordnet-3.1:<pos>:<offset>} or {@code curated:<kind>})
 */
public record VariantSet(int id, List<String> variants, String source) {
  public VariantSet {
    variants = List.copyOf(variants);
    if (variants.size() < 2) {
      throw new IllegalArgumentException("a variant set needs two words at least: " + variants);
    }
  }

  public int size() {
    return variants.size();
  }

  public String variant(int i) {
    return variants.get(i);
  }

  public int indexOf(String word) {
    return variants.indexOf(word);
  }
}
