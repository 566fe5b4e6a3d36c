package io.distillguard.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.provenance.detect.KeyScore;
import io.distillguard.provenance.detect.KeyedTest;
import io.distillguard.provenance.detect.ScoredEvents;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionTest {
  final Lexicon lexicon = Lexicon.standard();
  final KeyedTest test = new KeyedTest(1.0);

  @Test
  void cleanTextIsCalibrated() {
    // Each text is scored under its own key: fraction with p < 0.01 must be near 1%, and z near N(0, 1).
    List<String> texts = Texts.random(lexicon, 1500, 150, 21);
    int below = 0;
    double sumZ = 0;
    double sumZ2 = 0;
    for (int i = 0; i < texts.size(); i++) {
      KeyScore s = test.score(new ScoredEvents(lexicon).add(texts.get(i)),
          WatermarkKey.account(WatermarkerTest.MASTER, "k" + i));
      if (s.p() < 0.01) {
        below++;
      }
      sumZ += s.z();
      sumZ2 += s.z() * s.z();
    }
    double frac = below / (double) texts.size();
    double mean = sumZ / texts.size();
    double sd = Math.sqrt(sumZ2 / texts.size() - mean * mean);
    assertThat(frac).isBetween(0.002, 0.02);
    assertThat(mean).isBetween(-0.1, 0.1);
    assertThat(sd).isBetween(0.9, 1.1);
  }

  @Test
  void repeatedTextDoesNotLookWatermarked() {
    // Without de-duplication, one key-consistent phrase repeated many times would be overwhelming evidence.
    WatermarkKey key = WatermarkKey.account(WatermarkerTest.MASTER, "acct-1");
    String phrase = new Watermarker(lexicon, key, 1.0).apply("the city is probably famous and often busy.");
    List<String> repeated = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      repeated.add(phrase);
    }
    KeyScore s = test.score(ScoredEvents.of(lexicon, repeated), key);
    assertThat(s.events()).isLessThanOrEqualTo(5);
    assertThat(s.p()).isGreaterThan(1e-3);
  }

  @Test
  void watermarkedTextNamesItsKeyAmongMany() {
    WatermarkKey leaker = WatermarkKey.account(WatermarkerTest.MASTER, "acct-17");
    Watermarker wm = new Watermarker(lexicon, leaker, 1.0);
    List<String> served = Texts.random(lexicon, 40, 150, 5).stream().map(wm::apply).toList();
    List<WatermarkKey> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      keys.add(WatermarkKey.account(WatermarkerTest.MASTER, "acct-" + i));
    }
    List<KeyScore> ranked = test.scoreAll(ScoredEvents.of(lexicon, served), keys);
    assertThat(ranked.get(0).key()).isEqualTo(leaker);
    assertThat(ranked.get(0).log10PAdjusted()).isLessThan(-6);
    assertThat(ranked.get(1).pAdjusted()).isGreaterThan(0.01);
  }

  @Test
  void partialWatermarkIsStillFound() {
    WatermarkKey key = WatermarkKey.account(WatermarkerTest.MASTER, "acct-3");
    Watermarker wm = new Watermarker(lexicon, key, 0.5);
    List<String> texts = Texts.random(lexicon, 40, 150, 6);
    List<String> mixed = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      mixed.add(i % 3 == 0 ? wm.apply(texts.get(i)) : texts.get(i));
    }
    KeyScore s = new KeyedTest(0.5).score(ScoredEvents.of(lexicon, mixed), key);
    assertThat(s.log10P()).isLessThan(-4);
  }

  /**
   * A teacher with strong word preferences that differ from context to context: each of 300 contexts is followed by
   * a word of a two-word set, and the teacher says its preferred variant there 90% of the time.
   */
  static final class Teacher {
    final List<String> contexts = new ArrayList<>();
    final List<io.distillguard.provenance.lexicon.VariantSet> sets = new ArrayList<>();
    final List<Integer> natural = new ArrayList<>();

    Teacher(Lexicon lexicon, long seed) {
      java.util.Random r = new java.util.Random(seed);
      List<io.distillguard.provenance.lexicon.VariantSet> two = lexicon.sets().stream()
          .filter(v -> v.size() == 2 && !v.contraction() && v.variants().stream().noneMatch(w -> w.contains(" ")))
          .toList();
      for (int i = 0; i < 300; i++) {
        contexts.add("zq" + (char) ('a' + i % 26) + (char) ('a' + i / 26 % 26) + "x");
        sets.add(two.get(r.nextInt(two.size())));
        natural.add(r.nextInt(2));
      }
    }

    /** {@code n} answers of 40 (context, word) steps each. */
    List<String> answers(int n, long seed) {
      java.util.Random r = new java.util.Random(seed);
      List<String> out = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < 40; j++) {
          int c = r.nextInt(contexts.size());
          int v = r.nextDouble() < 0.9 ? natural.get(c) : 1 - natural.get(c);
          sb.append(contexts.get(c)).append(' ').append(sets.get(c).variant(v)).append(j % 8 == 7 ? ". " : " ");
        }
        out.add(sb.toString().trim());
      }
      return out;
    }
  }

  @Test
  void cleanTextIsCalibratedAgainstAReference() {
    Teacher teacher = new Teacher(lexicon, 1);
    ScoredEvents reference = ScoredEvents.of(lexicon, teacher.answers(400, 2));
    int below = 0;
    double sumZ = 0;
    double sumZ2 = 0;
    int n = 600;
    for (int i = 0; i < n; i++) {
      ScoredEvents ev = ScoredEvents.of(lexicon, teacher.answers(3, 100 + i)).against(reference);
      KeyScore s = test.score(ev, WatermarkKey.account(WatermarkerTest.MASTER, "r" + i));
      below += s.p() < 0.01 ? 1 : 0;
      sumZ += s.z();
      sumZ2 += s.z() * s.z();
    }
    double mean = sumZ / n;
    assertThat(below / (double) n).isBetween(0.0, 0.025);
    assertThat(mean).isBetween(-0.15, 0.15);
    assertThat(Math.sqrt(sumZ2 / n - mean * mean)).isBetween(0.85, 1.15);
  }

  @Test
  void aReferenceFindsATenPercentWatermarkTheSetBaselineMisses() {
    Teacher teacher = new Teacher(lexicon, 3);
    WatermarkKey key = WatermarkKey.account(WatermarkerTest.MASTER, "acct-10");
    Watermarker wm = new Watermarker(lexicon, key, 1.0);
    List<String> suspect = new ArrayList<>(teacher.answers(360, 4));
    for (String a : teacher.answers(40, 5)) {
      suspect.add(wm.apply(a)); // a tenth of the suspect's answers carry the watermark
    }
    ScoredEvents plain = ScoredEvents.of(lexicon, suspect);
    ScoredEvents withReference = ScoredEvents.of(lexicon, suspect).against(ScoredEvents.of(lexicon,
        teacher.answers(400, 6)));
    KeyScore without = test.score(plain, key);
    KeyScore with = test.score(withReference, key);
    assertThat(with.log10P()).isLessThan(-4).isLessThan(without.log10P() - 2);
    assertThat(test.score(withReference, WatermarkKey.account(WatermarkerTest.MASTER, "acct-11")).p())
        .isGreaterThan(1e-3);
  }
}
