package io.distillguard.provenance.watermark;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.text.ProseScanner;
import io.distillguard.provenance.text.WordWalker;

/**
 * Applies a key's word choices to text: wherever a word of the lexicon stands in a (context, set) the key selects
 * at this strength, it is replaced by the key's preferred variant. Thread-safe; each {@link #session} is not.
 */
public final class Watermarker {
  private final Lexicon lexicon;
  private final WatermarkKey key;
  private final double strength;

  /**
   * @param strength share of (context, set) pairs the key rewrites, 0 (off) to 1 (every one)
   */
  public Watermarker(Lexicon lexicon, WatermarkKey key, double strength) {
    if (!(strength >= 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in [0, 1]: " + strength);
    }
    this.lexicon = lexicon;
    this.key = key;
    this.strength = strength;
  }

  public WatermarkKey key() {
    return key;
  }

  public double strength() {
    return strength;
  }

  /** The whole text watermarked; the same as one {@link Session} fed the text in any pieces. */
  public String apply(String text) {
    Session s = session();
    return s.push(text) + s.finish();
  }

  public Session session() {
    return new Session();
  }

  /**
   * One text in pieces, as a stream delivers it. {@link #push} returns what can be sent now; it holds back at most
   * the word in progress and, when that word may be the second of a two-word variant ("does not"), the word and
   * space before it (see {@link ProseScanner} and {@link WordWalker}).
   */
  public final class Session {
    private final StringBuilder out = new StringBuilder();
    private final KeyedChoice choice = new KeyedChoice(key);
    private final WordWalker walker = new WordWalker(lexicon, this::choose, out);
    private final ProseScanner scanner = new ProseScanner(walker);

    private int choose(String context, Lexicon.Entry entry) {
      choice.at(context, entry.set().id());
      return choice.selected(strength) ? choice.preferred(entry.set().size()) : entry.variant();
    }

    public String push(CharSequence text) {
      scanner.push(text);
      return drain();
    }

    /** Ends the text and returns what was held back. */
    public String finish() {
      scanner.finish();
      return drain();
    }

    /** Words (prose tokens starting with a letter) seen so far. */
    public int words() {
      return walker.words();
    }

    /** Words replaced so far. */
    public int changed() {
      return walker.changed();
    }

    private String drain() {
      if (out.length() == 0) {
        return "";
      }
      String s = out.toString();
      out.setLength(0);
      return s;
    }
  }
}
