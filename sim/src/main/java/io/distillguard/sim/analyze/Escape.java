package io.distillguard.sim.analyze;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Escaping for text that came from logs (hostile: account ids, user agents and prompts are whatever a client sent)
 * before it goes into a Markdown report, a terminal or a JSON report another tool may embed in HTML.
 */
public final class Escape {
  private Escape() {}

  /** Longest untrusted string a report shows; longer ones are cut with an ellipsis. */
  public static final int MAX = 200;

  /**
   * Safe inside Markdown text and table cells: HTML-significant characters become entities, Markdown punctuation
   * is backslash-escaped, line breaks and control, zero-width and bidirectional-override characters become visible
   * {@code \\u{...}} escapes, autolinks are broken, and the text is cut to {@link #MAX} characters.
   */
  public static String markdown(String s) {
    if (s == null) {
      return "";
    }
    String t = cut(s);
    StringBuilder sb = new StringBuilder(t.length() + 16);
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\\', '`', '*', '_', '[', ']', '(', ')', '#', '|', '!', '~', '{', '}', '+', '=' ->
            sb.append('\\').append(c);
        case ':' -> sb.append(t.startsWith("//", i + 1) ? "&#58;" : ":");
        case '.' -> sb.append(i >= 3 && t.regionMatches(true, i - 3, "www", 0, 3) ? "&#46;" : ".");
        case '@' -> sb.append("&#64;");
        default -> {
          if (invisible(c)) {
            sb.append(String.format("\\u{%04X}", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /** Safe on a terminal: control characters (escape sequences included) and invisible characters shown as {@code ?}. */
  public static String terminal(String s) {
    if (s == null) {
      return "";
    }
    String t = cut(s);
    StringBuilder sb = new StringBuilder(t.length());
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      sb.append(invisible(c) ? '?' : c);
    }
    return sb.toString();
  }

  /** Cut to {@link #MAX} characters (not splitting a surrogate pair). */
  public static String cut(String s) {
    if (s.length() <= MAX) {
      return s;
    }
    int end = MAX;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "…";
  }

  /** Control characters, zero-width characters, bidirectional controls, BOM, line and paragraph separators. */
  static boolean invisible(char c) {
    return Character.isISOControl(c) || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF || c == 0x2028 || c == 0x2029 || c == 0x00AD
        || c == 0x061C;
  }

  /**
   * JSON escapes for reports: besides what JSON requires, {@code < > & '} and the invisible characters are written as
   * {@code \\uXXXX}, so the JSON is safe to embed in HTML and shows tricks plainly.
   */
  public static final class JsonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] table;

    public JsonEscapes() {
      table = CharacterEscapes.standardAsciiEscapesForJSON();
      for (char c : new char[] {'<', '>', '&', '\''}) {
        table[c] = CharacterEscapes.ESCAPE_STANDARD;
      }
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return table;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if (ch < 0x10000 && invisible((char) ch)) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }
}
