package io.distillguard.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.provenance.detect.ScoredEvents;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.text.ProseScanner;
import io.distillguard.provenance.text.WordWalker;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Contractions: two-word variants read across two tokens, where they count, and how a stream holds them back. */
class ContractionTest {
  final Lexicon lexicon = Lexicon.standard();

  /** Every scored word is written as the other variant of its (two-word) set. */
  String flipped(String text) {
    StringBuilder out = new StringBuilder();
    ProseScanner scanner = new ProseScanner(new WordWalker(lexicon,
        (context, entry) -> (entry.variant() + 1) % entry.set().size(), out));
    scanner.push(text);
    scanner.finish();
    return out.toString();
  }

  /** The (context, word) pairs the detector scores in a text. */
  List<String> visits(String text) {
    List<String> seen = new ArrayList<>();
    ProseScanner scanner = new ProseScanner(new WordWalker(lexicon, (context, entry) -> {
      seen.add(context + "|" + entry.set().variant(entry.variant()));
      return entry.variant();
    }, (StringBuilder) null));
    scanner.push(text);
    scanner.finish();
    return seen;
  }

  @Test
  void negativeContractionsGoBothWaysKeepingPunctuation() {
    assertThat(flipped("the cat does not eat.")).isEqualTo("the cat doesn't eat.");
    assertThat(flipped("the cat doesn't eat.")).isEqualTo("the cat does not eat.");
    assertThat(flipped("no, it is not.")).isEqualTo("no, it isn't.");
    assertThat(flipped("it won't, and we cannot (sadly) go")).isEqualTo("it will not, and we can't (sadly) go");
    assertThat(flipped("he did not; she didn't")).isEqualTo("he didn't; she did not");
    assertThat(visits("the cat does not eat")).containsExactly("cat|does not");
    assertThat(visits("the cat doesn't eat")).containsExactly("cat|doesn't");
    assertThat(visits("of the 48 are not enough")).containsExactly("<num>|are not");
  }

  @Test
  void negativeContractionsAreLeftAloneWhereTheyMayBeAQuestion() {
    String[] questions = {
        "Why doesn't it work?", "why isn't it here", "Isn't it fine?", "Don't you think so?", "it works, doesn't it?",
        "how can't you see", "Do not touch that.", "(does not) matter", "\"does not\" is quoted",
        "it does  not", "it does\nnot", "it does, not", "it does (not)", "it does `not`",
        "it Does not", "it DOES NOT", "it does Not",
    };
    for (String q : questions) {
      assertThat(flipped(q)).as(q).isEqualTo(q);
    }
  }

  @Test
  void pronounContractionsOnlyWhereBeIsNotStressed() {
    assertThat(flipped("They are here and you are right")).isEqualTo("They're here and you're right");
    assertThat(flipped("I am sure that I'm right")).isEqualTo("I'm sure that I am right");
    assertThat(flipped("so we're done")).isEqualTo("so we are done");
    assertThat(visits("I am sure")).containsExactly("<s>|i am");
    String[] stressed = {
        "bigger than they are now", "I know what you are doing", "here you are then", "as they are today",
        "yes, they are.", "we know they are; so", "I am.", "They are, in fact", "they\u2019re.",
    };
    for (String s : stressed) {
      assertThat(flipped(s)).as(s).isEqualTo(s);
    }
  }

  @Test
  void phrasesSwapAsAWholeButNotWithACapital() {
    assertThat(flipped("a kind of bird, for example a crow")).isEqualTo("a sort of bird, for instance a crow");
    assertThat(flipped("they help one another")).isEqualTo("they help each other");
    assertThat(flipped("For example, kind")).isEqualTo("For example, kind");
  }

  @Test
  void typographicApostrophesAreReadAndKept() {
    assertThat(visits("it doesn\u2019t matter")).containsExactly("it|doesn't");
    assertThat(flipped("it doesn\u2019t matter")).isEqualTo("it does not matter");
    // once the text has used the typographic apostrophe, new contractions use it too
    assertThat(flipped("it doesn\u2019t matter and it is not big")).isEqualTo("it does not matter and it isn\u2019t big");
    assertThat(flipped("it is not big")).isEqualTo("it isn't big");
    // the context after a contraction is the same whichever apostrophe it has
    assertThat(visits("it doesn\u2019t often rain")).isEqualTo(visits("it doesn't often rain"));
  }

  @Test
  void detectorCountsBothFormsAsOneSetInOneContext() {
    ScoredEvents ev = ScoredEvents.of(lexicon, List.of("the cat does not eat", "the cat doesn't eat",
        "the cat doesn\u2019t eat"));
    assertThat(ev.pairs()).isEqualTo(1);
    ScoredEvents.Event e = ev.events().isEmpty() ? null : ev.events().get(0);
    // a single pair is measured against its own set: the counts are kept, the tilt is informative or not
    assertThat(ev.occurrences()).isEqualTo(3);
    if (e != null) {
      assertThat(e.counts()).containsExactly(1, 2); // variants are sorted: "does not", "doesn't"
    }
  }

  @Test
  void watermarkIsIdempotentAndNamedByItsKey() {
    byte[] master = WatermarkerTest.MASTER;
    Watermarker wm = new Watermarker(lexicon, WatermarkKey.account(master, "acct-9"), 1.0);
    List<String> texts = new ArrayList<>();
    String[] subjects = {"the cat", "my car", "the river", "this plan", "the report", "a garden", "our team",
        "the printer", "his code", "the answer", "their house", "the table", "her brother", "the model"};
    String[] verbs = {"does not", "doesn't", "did not", "didn't", "is not", "isn't", "will not", "won't",
        "cannot", "can't", "would not", "wouldn't"};
    Random r = new Random(3);
    for (int i = 0; i < 60; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 12; j++) {
        sb.append(subjects[r.nextInt(subjects.length)]).append(' ').append(verbs[r.nextInt(verbs.length)])
            .append(" work. ");
      }
      texts.add(sb.toString().trim());
    }
    List<String> marked = texts.stream().map(wm::apply).toList();
    for (String m : marked) {
      assertThat(wm.apply(m)).isEqualTo(m);
    }
    List<WatermarkKey> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      keys.add(WatermarkKey.account(master, "acct-" + i));
    }
    var ranked = new io.distillguard.provenance.detect.KeyedTest(1.0).scoreAll(ScoredEvents.of(lexicon, marked),
        keys);
    assertThat(ranked.get(0).key().id()).isEqualTo("acct-9");
    assertThat(ranked.get(0).pAdjusted()).isLessThan(1e-4);
  }

  @Test
  void streamHoldsBackAtMostAWordAndASpace() {
    Watermarker wm = new Watermarker(lexicon, WatermarkKey.account(WatermarkerTest.MASTER, "acct-1"), 1.0);
    Watermarker.Session s = wm.session();
    assertThat(s.push("qq it does")).isEqualTo("qq it ");
    assertThat(s.push(" ")).isEmpty();          // "does " may still become "doesn't"
    assertThat(s.push("no")).isEmpty();
    String rest = s.push("thing qq");           // "noth..." is no "not": "does" goes out unchanged
    assertThat(rest).isEqualTo("does nothing qq");
    assertThat(s.push(" they")).isEqualTo(" ");
    assertThat(s.push(" are")).isEmpty();
    assertThat(s.push(" qq")).matches("(they are|they're) qq");
    assertThat(s.push(" it does")).isEqualTo(" it ");
    assertThat(s.finish()).isEqualTo("does");
  }

  @Test
  void streamEqualsWholeTextAtEveryChunkBoundary() {
    Watermarker wm = new Watermarker(lexicon, WatermarkKey.account(WatermarkerTest.MASTER, "acct-5"), 1.0);
    String[] texts = {
        "They are sure it does not work, and we can't say I am wrong; it isn't.",
        "the plan doesn\u2019t fit. He didn't\nnot (does not) \"is not\" `are not` it is  not x won't",
        "I'm here. You're late, they aren't! so we are done does",
    };
    for (String text : texts) {
      String whole = wm.apply(text);
      for (int a = 0; a <= text.length(); a++) {
        for (int b = a; b <= text.length(); b += 3) {
          Watermarker.Session s = wm.session();
          String out = s.push(text.substring(0, a)) + s.push(text.substring(a, b)) + s.push(text.substring(b))
              + s.finish();
          assertThat(out).as("split at %d, %d", a, b).isEqualTo(whole);
        }
      }
    }
  }

  @Test
  void hostileAndUnicodeInputSurvivesUnchangedOutsideWords() {
    String alphabet = "abcdeinostu '\u2019`\"{}[]()\n.,;:!?-_/\\<>&0123456789\u00e9\u0301\u200b\u202e\uD83D\uDE00"
        + "\u4e2d\u0000\t";
    String[] words = {"does", "not", "doesn't", "doesn\u2019t", "they", "are", "they're", "I", "am", "I'm",
        "cannot", "can't", "is", "isn't", "famous", "often"};
    Watermarker wm = new Watermarker(lexicon, WatermarkKey.account(WatermarkerTest.MASTER, "acct-7"), 1.0);
    Random r = new Random(11);
    for (int t = 0; t < 300; t++) {
      StringBuilder sb = new StringBuilder();
      int n = 1 + r.nextInt(60);
      for (int i = 0; i < n; i++) {
        if (r.nextInt(3) == 0) {
          sb.append(words[r.nextInt(words.length)]).append(' ');
        } else {
          sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
      String text = sb.toString();
      String whole = wm.apply(text);
      assertThat(wm.apply(whole)).as(text).isEqualTo(whole);
      assertThat(symbols(whole)).as(text).isEqualTo(symbols(text));
      Watermarker.Session s = wm.session();
      StringBuilder streamed = new StringBuilder();
      int i = 0;
      while (i < text.length()) {
        int j = Math.min(text.length(), i + 1 + r.nextInt(5));
        streamed.append(s.push(text.substring(i, j)));
        i = j;
      }
      streamed.append(s.finish());
      assertThat(streamed.toString()).as(text).isEqualTo(whole);
    }
  }

  /** The characters a watermark must never change: all but letters, apostrophes and spaces. */
  static String symbols(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().filter(c -> !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && c != '\'' && c != '\u2019'
        && c != ' ').forEach(sb::appendCodePoint);
    return sb.toString();
  }

  @Test
  void lexiconKeepsTwoWordVariantsApartFromSingleWords() {
    Lexicon lex = Lexicon.of(List.of(new Lexicon.Group(List.of("does not", "doesn't"), "curated:negation"),
        new Lexicon.Group(List.of("does", "makes"), "test"), new Lexicon.Group(List.of("famous", "renowned"), "t"),
        new Lexicon.Group(List.of("famous now", "known now"), "test")), "t");
    assertThat(lex.startsPair("does")).isTrue();
    assertThat(lex.lookup("does")).isNull();              // it starts "does not": it cannot stand alone too
    assertThat(lex.lookupPair("does", "not").set().contraction()).isTrue();
    assertThat(lex.lookupPair("famous", "now")).isNull(); // "famous" is a word of its own already
    assertThat(lex.lookupPair("known", "now")).isNull();  // its set was left with one variant
    assertThat(lex.hasPrefix("does n")).isTrue();
    assertThat(lex.hasPrefix("doesn'")).isTrue();
    assertThat(lex.sets()).hasSize(2);
  }
}
