package io.distillguard.provenance.lexicon;

import java.util.List;

/**
 * Variants WordNet does not list as synonyms but that are interchangeable in running text: negative contractions
 * ("does not" / "doesn't"), pronoun contractions of "be" ("they are" / "they're"), spelling variants accepted side
 * by side in American English, function-word pairs that differ only in register, a few fixed phrases ("for
 * example" / "for instance", "kind of" / "sort of") and "bought" / "purchased" (an irregular past WordNet's verb
 * sets leave out). Each pair was chosen so that either member is grammatical wherever the other is;
 * the contractions only in a statement, which the walker checks (see {@link VariantSet#contraction()}).
 *
 * <p>Contractions left out on purpose: "can not" (it may mean "is able not to"), the {@code 's} ones ("it's",
 * "he's": they may stand for "has", and "it's been" cannot become "it is been"), {@code 'd} (would or had),
 * {@code 've} ("I've a car" is not American English), and dated ones ("needn't", "mightn't", "shan't").
 */
final class CuratedVariants {
  private CuratedVariants() {}

  static List<Lexicon.Group> groups() {
    return List.of(
        g("negation", "is not", "isn't"),
        g("negation", "are not", "aren't"),
        g("negation", "was not", "wasn't"),
        g("negation", "were not", "weren't"),
        g("negation", "do not", "don't"),
        g("negation", "does not", "doesn't"),
        g("negation", "did not", "didn't"),
        g("negation", "has not", "hasn't"),
        g("negation", "have not", "haven't"),
        g("negation", "had not", "hadn't"),
        g("negation", "will not", "won't"),
        g("negation", "would not", "wouldn't"),
        g("negation", "could not", "couldn't"),
        g("negation", "should not", "shouldn't"),
        g("negation", "must not", "mustn't"),
        g("negation", "cannot", "can't"),
        g("pronoun-be", "they are", "they're"),
        g("pronoun-be", "you are", "you're"),
        g("pronoun-be", "we are", "we're"),
        g("pronoun-be", "i am", "i'm"),
        g("phrase", "for example", "for instance"),
        g("phrase", "each other", "one another"),
        g("phrase", "kind of", "sort of"),
        g("phrase", "kinds of", "sorts of"),
        g("synonym", "bought", "purchased"),
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
