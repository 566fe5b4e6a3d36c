package io.distillguard.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WatermarkerTest {
  static final byte[] MASTER = "test-master-secret-0123456789".getBytes(StandardCharsets.UTF_8);
  final Lexicon lexicon = Lexicon.standard();
  final Watermarker wm = new Watermarker(lexicon, WatermarkKey.account(MASTER, "acct-1"), 1.0);

  @Test
  void rewritesPlainProse() {
    String text = "It is probably a famous city, and the student often visits it. Maybe the salary was fairly low.";
    String out = wm.apply(text);
    assertThat(out).isNotEqualTo(text);
    assertThat(out.split(" ")).hasSameSizeAs(text.split(" "));
    // Idempotent: watermarked text already carries the key's choices.
    assertThat(wm.apply(out)).isEqualTo(out);
  }

  @Test
  void leavesProtectedSpansAlone() {
    String[] untouched = {
        "```\nprobably famous often maybe fairly\n```",
        "`probably famous often`",
        "\"probably a famous city\"",
        "“probably a famous city”",
        "'probably a famous city'",
        "{\"note\": \"probably famous\", \"often\": [1, 2]}",
        "[probably, famous, often]",
        "https://example.com/probably/famous?often=maybe",
        "www.probably-famous.org/often",
        "Probably.Famous.Often",
        "42 3.14 1e6 0x1F 12,000",
        "Famous Often Maybe",
    };
    for (String u : untouched) {
      String text = "x " + u + " y";
      assertThat(wm.apply(text)).as(u).isEqualTo(text);
    }
  }

  @Test
  void namesAndMidSentenceCapitalsStay() {
    String text = "we met Famous Amos and Perhaps Inc. in the city";
    assertThat(wm.apply(text)).contains("Famous Amos", "Perhaps Inc.");
  }

  @Test
  void streamingEqualsWholeTextForAnySplit() {
    Random r = new Random(7);
    List<String> texts = Texts.random(lexicon, 30, 120, 3);
    texts = new java.util.ArrayList<>(texts);
    texts.add("Intro ```java\nint probably = 1;\n``` then `often` and \"maybe\" famous {\"a\": [1]} "
        + "fairly https://x.org/famous probably, (maybe) often... 'quoted famous' don't famous");
    for (String text : texts) {
      String whole = wm.apply(text);
      for (int trial = 0; trial < 5; trial++) {
        Watermarker.Session s = wm.session();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
          int j = Math.min(text.length(), i + 1 + r.nextInt(9));
          String piece = s.push(text.substring(i, j));
          out.append(piece);
          // Holds back at most the word in progress.
          assertThat(j - out.length() + (whole.length() - text.length())).isLessThanOrEqualTo(80);
          i = j;
        }
        out.append(s.finish());
        assertThat(out.toString()).isEqualTo(whole);
      }
    }
  }

  @Test
  void holdsBackOnlyAWordThatMayStillBeRewritten() {
    Watermarker.Session s = wm.session();
    // "is " may still become "isn't": held with its space until the next word shows it is not "not"
    assertThat(s.push("we think it is ")).isEqualTo("we think it ");
    // "famo" may become "famous": held until the word ends
    assertThat(s.push("famo")).isEmpty();
    String rest = s.push("us qqq");
    assertThat(rest).matches("is [a-z]+ qqq"); // "qq..." starts no lexicon word: sent at once
    assertThat(s.push("x, 42")).isEqualTo("x, 42");
    assertThat(s.finish()).isEmpty();
  }

  @Test
  void differentKeysChooseDifferently() {
    Watermarker other = new Watermarker(lexicon, WatermarkKey.account(MASTER, "acct-2"), 1.0);
    String text = String.join(" ", Texts.random(lexicon, 5, 200, 11));
    assertThat(wm.apply(text)).isNotEqualTo(other.apply(text));
  }

  @Test
  void strengthZeroChangesNothingAndLowerStrengthChangesLess() {
    String text = String.join(" ", Texts.random(lexicon, 5, 300, 12));
    WatermarkKey key = WatermarkKey.account(MASTER, "acct-1");
    assertThat(new Watermarker(lexicon, key, 0).apply(text)).isEqualTo(text);
    Watermarker.Session half = new Watermarker(lexicon, key, 0.5).session();
    half.push(text);
    half.finish();
    Watermarker.Session full = wm.session();
    full.push(text);
    full.finish();
    assertThat(half.changed()).isPositive().isLessThan(full.changed());
  }

  @Test
  void keysAreDerivedDeterministicallyAndNeverPrinted() {
    WatermarkKey a = WatermarkKey.account(MASTER, "acct-1");
    assertThat(a).isEqualTo(WatermarkKey.account(MASTER, "acct-1"));
    assertThat(a).isNotEqualTo(WatermarkKey.account(MASTER, "acct-2"));
    assertThat(a.toString()).isEqualTo("account:acct-1");
  }
}
