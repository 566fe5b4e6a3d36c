package io.distillguard.provenance.probe;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.text.ProseScanner;
import io.distillguard.provenance.text.WordWalker;
import io.distillguard.provenance.watermark.KeyedChoice;
import io.distillguard.provenance.watermark.WatermarkKey;

/**
 * Renders a text as HTML with the words a key scores marked: {@code <mark>} where the word is the key's preferred
 * variant, {@code <span class="miss">} where the key selected the pair but the
 * text chose otherwise. Everything is HTML-escaped: texts come from a suspect model and may be hostile.
 */
public final class Highlighter {
  private final Lexicon lexicon;
  private final WatermarkKey key;
  private final double strength;

  public Highlighter(Lexicon lexicon, WatermarkKey key, double strength) {
    this.lexicon = lexicon;
    this.key = key;
    this.strength = strength;
  }

  public String html(String text) {
    StringBuilder html = new StringBuilder();
    KeyedChoice choice = new KeyedChoice(key);
    int[] state = {0}; // 0 not scored, 1 hit, 2 miss
    WordWalker walker = new WordWalker(lexicon, (context, entry) -> {
      choice.at(context, entry.set().id());
      state[0] = choice.selected(strength) ? choice.preferred(entry.set().size()) == entry.variant() ? 1 : 2 : 0;
      return entry.variant();
    }, new WordWalker.Emitter() {
      @Override
      public void verbatim(CharSequence t) {
        html.append(escape(t));
      }

      @Override
      public void scored(CharSequence written) {
        String e = escape(written);
        html.append(state[0] == 1 ? "<mark>" + e + "</mark>" : state[0] == 2 ? "<span class=\"miss\">" + e
            + "</span>" : e);
      }
    });
    ProseScanner scanner = new ProseScanner(walker);
    scanner.push(text);
    scanner.finish();
    return html.toString();
  }

  public static String escape(CharSequence s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
