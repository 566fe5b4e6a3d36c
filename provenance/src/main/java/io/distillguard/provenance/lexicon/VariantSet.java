package io.distillguard.provenance.lexicon;

import java.util.List;

/**
 * Words that can replace one another anywhere they occur in lowercase prose without changing meaning or grammar.
 * A variant is one lowercase word ({@code famous}), a word with an inner apostrophe ({@code doesn't}) or two words
 * separated by one space ({@code does not}); the walker reads a two-word variant across its two tokens.
 *
 * @param id       position of the set in its {@link Lexicon}; stable for a given lexicon version, and part of the
 *                 watermark's pseudo-random input, so changing the lexicon changes every key's preferences
 * @param variants the words, sorted, lowercase ASCII letters (with at most one apostrophe or one space)
 * @param source   where the set comes from ({@code wordnet-3.1:<pos>:<offset>} or {@code curated:<kind>})
 */
public record VariantSet(int id, List<String> variants, String source) {
  public VariantSet {
    variants = List.copyOf(variants);
    if (variants.size() < 2) {
      throw new IllegalArgumentException("a variant set needs two words at least: " + variants);
    }
  }

  /** Source of the negative contraction sets ({@code does not} / {@code doesn't}). */
  public static final String NEGATION = "curated:negation";
  /** Source of the pronoun and "be" contraction sets ({@code they are} / {@code they're}). */
  public static final String PRONOUN_BE = "curated:pronoun-be";

  /**
   * Whether this is a contraction set. Its variants are interchangeable only where the walker checks the context
   * (see {@link io.distillguard.provenance.text.WordWalker}): a negative contraction only in a statement ("why
   * doesn't it" cannot become "why does not it"), a pronoun one only where "be" is not stressed ("than they are"
   * has no contracted form); and its words are read with a capital too ("They're"), since they are never names.
   */
  public boolean contraction() {
    return NEGATION.equals(source) || PRONOUN_BE.equals(source);
  }

  public boolean negation() {
    return NEGATION.equals(source);
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
