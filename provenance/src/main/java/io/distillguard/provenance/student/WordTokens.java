package io.distillguard.provenance.student;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The student's words: runs of letters (with inner apostrophes, straight or typographic), numbers, single punctuation marks, and line breaks
 * as a token of their own, so that generated text keeps paragraphs and lists. {@link #join} writes them back with
 * the spacing prose uses, so the watermark detector reads the same words and neighbours the student saw.
 */
public final class WordTokens {
  public static final String NEWLINE = "\n";
  private static final Pattern TOKEN = Pattern.compile("\\n|[\\p{L}]+(?:['\u2019][\\p{L}]+)*|\\d+(?:[.,]\\d+)*|[^\\s\\p{L}\\d]");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\d]+");

  private WordTokens() {}

  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    String last = null;
    while (m.find()) {
      String t = m.group();
      if (t.equals(NEWLINE) && NEWLINE.equals(last)) {
        continue;
      }
      out.add(t);
      last = t;
    }
    return out;
  }

  /** Lowercase content words of a prompt, for retrieval. */
  public static List<String> terms(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  public static String join(List<String> tokens) {
    StringBuilder sb = new StringBuilder();
    String prev = null;
    for (String t : tokens) {
      boolean attach = prev == null || prev.equals(NEWLINE) || prev.equals("(") || t.equals(NEWLINE)
          || (t.length() == 1 && ".,;:!?)%".indexOf(t.charAt(0)) >= 0);
      if (!attach) {
        sb.append(' ');
      }
      sb.append(t);
      prev = t;
    }
    return sb.toString();
  }
}
