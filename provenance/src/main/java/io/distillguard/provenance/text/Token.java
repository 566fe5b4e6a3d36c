package io.distillguard.provenance.text;

import java.util.Locale;

/**
 * A prose token taken apart: opening parentheses, the core, and closing punctuation ({@code .,;:!?)}), so that
 * "(however," is the word "however" between "(" and ",". The watermark only rewrites a core that is a word of
 * lowercase ASCII letters, with at most one inner apostrophe (straight or typographic: "doesn't", "doesn’t"); a
 * capital letter marks a name or an acronym (or a sentence start, where it may still be a name), and anything with
 * digits or symbols is a number, a URL, a path or markup.
 */
public final class Token {
  static final String TRAIL = ".,;:!?)";
  /** The typographic apostrophe; words are looked up with the straight one. */
  public static final char CURLY = '\u2019';

  private final String text;
  private final int coreStart;
  private final int coreEnd;

  public Token(String text) {
    this.text = text;
    int s = 0;
    while (s < text.length() && text.charAt(s) == '(') {
      s++;
    }
    int e = text.length();
    while (e > s && TRAIL.indexOf(text.charAt(e - 1)) >= 0) {
      e--;
    }
    this.coreStart = s;
    this.coreEnd = e;
  }

  public String text() {
    return text;
  }

  public String core() {
    return text.substring(coreStart, coreEnd);
  }

  public String lead() {
    return text.substring(0, coreStart);
  }

  public String trail() {
    return text.substring(coreEnd);
  }

  /**
   * The core when it is all lowercase ASCII letters, possibly with one apostrophe between letters (returned as
   * {@code '} whichever apostrophe the text used), else null.
   */
  public String word() {
    if (coreEnd - coreStart < 2) {
      return null;
    }
    char first = text.charAt(coreStart);
    // A capital at a sentence start may still be a name ("Harry has five apples": WordNet lists "harry" as a
    // verb); all sentence starts share one context, so leaving them alone costs few events.
    if (!(first >= 'a' && first <= 'z')) {
      return null;
    }
    int apostrophe = -1;
    for (int i = coreStart + 1; i < coreEnd; i++) {
      char c = text.charAt(i);
      if (c == '\'' || c == CURLY) {
        if (apostrophe >= 0 || i == coreEnd - 1) {
          return null;
        }
        apostrophe = i;
      } else if (c < 'a' || c > 'z') {
        return null;
      }
    }
    String core = core();
    return apostrophe >= 0 ? core.replace(CURLY, '\'') : core;
  }

  /** Whether the core uses the typographic apostrophe. */
  public boolean curly() {
    return core().indexOf(CURLY) >= 0;
  }

  public boolean capitalized() {
    char first = coreEnd > coreStart ? text.charAt(coreStart) : ' ';
    return first >= 'A' && first <= 'Z';
  }

  /** This token with its core replaced by {@code word} (capitalized if the core was). */
  public String replaceCore(String word) {
    String w = capitalized() ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word;
    return text.substring(0, coreStart) + w + text.substring(coreEnd);
  }

  /**
   * The context a following word sees: the last closing punctuation mark if there is one, else the core in lower
   * case, with numbers folded to {@code <num>} so that "48 apples" and "12 apples" share a context.
   */
  public String contextAfter() {
    if (coreEnd < text.length()) {
      return String.valueOf(text.charAt(text.length() - 1));
    }
    if (coreEnd == coreStart) {
      return text.substring(text.length() - 1);
    }
    return normalize(core());
  }

  /** The context a token's own core sees from its opening parentheses, or null when it has none. */
  public String contextInside() {
    return coreStart > 0 ? "(" : null;
  }

  static String normalize(String core) {
    for (int i = 0; i < core.length(); i++) {
      if (Character.isDigit(core.charAt(i))) {
        return "<num>";
      }
    }
    return core.toLowerCase(Locale.ROOT).replace(CURLY, '\'');
  }

  /** Whether a word after this token starts a sentence. */
  public boolean endsSentence() {
    if (text.isEmpty()) {
      return false;
    }
    char last = text.charAt(text.length() - 1);
    return last == '.' || last == '!' || last == '?' || last == ':';
  }
}
