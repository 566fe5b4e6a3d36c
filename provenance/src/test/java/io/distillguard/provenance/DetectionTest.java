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
}
