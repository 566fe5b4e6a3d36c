package io.distillguard.provenance.text;

import io.distillguard.provenance.lexicon.Lexicon;

/**
 * Walks prose tokens in order, keeping each word's context (the token before it, see {@link Token#contextAfter})
 * and hands every word of the lexicon to a {@link Visitor}, which may replace it.
 * The watermark and its detector share this walk, so they agree on every context by construction.
 */
public final class WordWalker implements ProseScanner.Sink {
  /** Context at the start of a text. */
  public static final String START = "<s>";
  /** Context right after a protected span (code, quote, structure). */
  public static final String BOUNDARY = "<b>";

  /** Sees each lexicon word with its context. */
  public interface Visitor {
    /**
     * @param context the normalized token before the word
     * @param entry   the word's variant set and its position in it
     * @return the variant to write instead, or {@code entry.variant()} to keep the word
     */
    int word(String context, Lexicon.Entry entry);
  }

  private final Lexicon lexicon;
  private final Visitor visitor;
  private final StringBuilder out;
  private String context = START;
  private int words;
  private int changed;

  /**
   * @param out receives the text with replacements, or null when only the visits matter
   */
  public WordWalker(Lexicon lexicon, Visitor visitor, StringBuilder out) {
    this.lexicon = lexicon;
    this.visitor = visitor;
    this.out = out;
  }

  @Override
  public void verbatim(CharSequence text) {
    if (out != null) {
      out.append(text);
    }
  }

  @Override
  public void boundary() {
    context = BOUNDARY;
  }

  @Override
  public boolean mayRewrite(CharSequence prefix) {
    int s = 0;
    while (s < prefix.length() && prefix.charAt(s) == '(') {
      s++;
    }
    int e = prefix.length();
    while (e > s && Token.TRAIL.indexOf(prefix.charAt(e - 1)) >= 0) {
      e--;
    }
    if (e - s < 1) {
      return true;
    }
    if (e < prefix.length()) {
      // closing punctuation ends the core: it must be a whole lexicon word now
      String core = prefix.subSequence(s, e).toString();
      return new Token(prefix.toString()).word() != null
          && lexicon.lookup(core.toLowerCase(java.util.Locale.ROOT)) != null;
    }
    for (int i = s; i < e; i++) {
      char c = prefix.charAt(i);
      boolean lower = c >= 'a' && c <= 'z';
      if (!lower) {
        return false;
      }
    }
    return lexicon.hasPrefix(prefix.subSequence(s, e).toString().toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public void passed(String text) {
    Token tk = new Token(text);
    if (!tk.core().isEmpty() && Character.isLetter(tk.core().charAt(0))) {
      words++;
    }
    context = tk.contextAfter();
  }

  @Override
  public void token(String text) {
    Token tk = new Token(text);
    String inside = tk.contextInside();
    if (inside != null) {
      context = inside;
    }
    String written = text;
    String word = tk.word();
    if (!tk.core().isEmpty() && Character.isLetter(tk.core().charAt(0))) {
      words++;
    }
    if (word != null) {
      Lexicon.Entry entry = lexicon.lookup(word);
      if (entry != null) {
        int chosen = visitor.word(context, entry);
        if (chosen != entry.variant()) {
          written = tk.replaceCore(entry.set().variant(chosen));
          tk = new Token(written);
          changed++;
        }
      }
    }
    if (out != null) {
      out.append(written);
    }
    context = tk.contextAfter();
  }

  /** Resets the context for a new, unrelated text. */
  public void reset() {
    context = START;
  }

  /** Prose tokens that start with a letter, seen so far. */
  public int words() {
    return words;
  }

  /** Words replaced so far. */
  public int changed() {
    return changed;
  }
}
