package io.distillguard.provenance.lexicon;

import java.util.Set;

/**
 * Function words that WordNet files under an open class (it has no conjunctions, prepositions, pronouns or
 * determiners, and lists some of them as adverbs or nouns), indefinite pronouns WordNet groups with nouns
 * ("person", "someone"), and unit nouns whose synonyms do not follow a number ("20 percent"). Substituting them
 * changes syntax, not just wording.
 */
final class ClosedClass {
  private static final Set<String> WORDS = Set.of(
      "about", "above", "across", "after", "again", "against", "almost", "alone", "along", "already", "also",
      "although", "always", "among", "another", "anymore", "around", "away", "back", "because", "before", "behind",
      "below", "beside", "besides", "between", "beyond", "both", "despite", "down", "during", "each", "either",
      "else", "enough", "even", "ever", "every", "except", "farther", "first", "forth", "from", "further", "hence",
      "here", "however", "inside", "instead", "into", "just", "last", "least", "less", "like", "many", "more",
      "most", "much", "near", "neither", "never", "next", "none", "nonetheless", "nothing", "once", "only",
      "other", "otherwise", "outside", "over", "past", "quite", "rather", "same", "since", "some", "somehow",
      "soon", "still", "such", "than", "that", "then", "there", "therefore", "these", "they", "this", "those",
      "though", "through", "thus", "till", "together", "under", "unless", "until", "upon", "very", "well", "what",
      "when", "where", "someone", "somebody", "anyone", "anybody", "everyone", "everybody", "nobody",
      "something", "anything", "everything", "whatever", "whatsoever", "anywhere", "everywhere", "somewhere",
      "nowhere", "anyplace", "percent", "percentage", "whether", "which", "while", "whom", "whose", "within", "without", "worth", "would", "your");

  private ClosedClass() {}

  static boolean contains(String word) {
    return WORDS.contains(word);
  }
}
