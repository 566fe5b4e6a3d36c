package io.distillguard.provenance.lexicon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LexiconTest {
  @Test
  void shippedResourceIsWhatWordNetYields() {
    List<Lexicon.Group> rebuilt = WordNetVariants.groups();
    List<Lexicon.Group> shipped = Lexicon.readResource(Lexicon.WORDNET_RESOURCE);
    assertThat(shipped).hasSize(rebuilt.size());
    for (int i = 0; i < shipped.size(); i++) {
      assertThat(shipped.get(i).words()).isEqualTo(rebuilt.get(i).words());
      assertThat(shipped.get(i).source()).isEqualTo(rebuilt.get(i).source());
    }
  }

  @Test
  void setsAreDisjointLowercaseAndFreeOfFunctionWords() {
    Lexicon lex = Lexicon.standard();
    assertThat(lex.sets().size()).isGreaterThan(1500);
    Set<String> seen = new HashSet<>();
    for (VariantSet s : lex.sets()) {
      assertThat(s.size()).isBetween(2, Lexicon.MAX_SET);
      for (String w : s.variants()) {
        assertThat(w).matches(s.source().startsWith("curated") ? "[a-z]+( [a-z]+|'[a-z]+)?" : "[a-z]+");
        assertThat(seen.add(w)).as(w).isTrue();
        if (s.source().startsWith("wordnet")) {
          assertThat(ClosedClass.contains(w)).as(w).isFalse();
        }
        assertThat(lex.lookup(w).set()).isSameAs(s);
      }
    }
    assertThat(lex.lookup("but")).isNull();
    assertThat(lex.lookup("not")).isNull();
    assertThat(lex.lookup("toward").set().variants()).containsExactly("toward", "towards");
    assertThat(lex.lookupPair("does", "not").set().variants()).containsExactly("does not", "doesn't");
    assertThat(lex.lookup("can't").set().variants()).containsExactly("can't", "cannot");
    assertThat(lex.lookup("does")).isNull();
  }

  @Test
  void archaicAndOddSynonymsAreLeftOut() {
    Lexicon lex = Lexicon.standard();
    for (String odd : List.of("mayhap", "belike", "ofttimes", "oftentimes", "seahorse", "fillip", "corsages")) {
      assertThat(lex.lookup(odd)).as(odd).isNull();
    }
    // ... while plain synonyms stay
    assertThat(lex.lookup("perhaps").set().variants()).contains("maybe");
  }

  @Test
  void setsKeepTheIndefiniteArticle() {
    for (VariantSet s : Lexicon.standard().sets()) {
      // verbs take no article (their -ing forms that are also nouns are left out of the lexicon)
      if (s.source().startsWith("wordnet") && !s.source().endsWith(":plural") && !s.source().contains(":v:")) {
        long vowels = s.variants().stream().filter(w -> "aeio".indexOf(w.charAt(0)) >= 0).count();
        assertThat(vowels == 0 || vowels == s.size()).as(s.toString()).isTrue();
      }
    }
  }
}
