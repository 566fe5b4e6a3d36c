package io.distillguard.detection;

/**
 * Prepares traffic text for embedding: hostile or malformed input (unpaired surrogates from broken UTF-16, control
 * characters, megabyte prompts, whitespace only) becomes a bounded, well-formed string or nothing.
 */
public final class PromptText {
  /**
   * Characters kept from the start of a prompt. all-MiniLM-L6-v2 was trained on up to 128 word pieces and is used
   * with at most 256; LangChain4j would embed a longer text window by window, and attention costs grow with the
   * square of the length, so an unbounded prompt would cost unbounded time on the worker. 1,000 characters is about
   * 200–250 word pieces of English: what the model reads well, at a bounded cost.
   */
  public static final int MAX_CHARS = 1_000;

  private PromptText() {}

  /**
   * The text to embed: at most {@code maxChars} characters (never cutting a surrogate pair), unpaired surrogates
   * replaced by U+FFFD, control characters other than line breaks and tabs replaced by spaces, trimmed.
   *
   * @return null for null, empty or blank text (nothing to embed)
   */
  public static String clean(String text, int maxChars) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    int limit = Math.min(text.length(), Math.max(1, maxChars));
    StringBuilder sb = new StringBuilder(limit);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          if (i + 1 >= limit) {
            break; // the pair would straddle the cut
          }
          sb.append(c).append(text.charAt(++i));
        } else {
          sb.append('\uFFFD');
        }
      } else if (Character.isLowSurrogate(c)) {
        sb.append('\uFFFD');
      } else if (c == '\0' || (Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r')) {
        sb.append(' ');
      } else {
        sb.append(c);
      }
    }
    String s = sb.toString().strip();
    return s.isEmpty() ? null : s;
  }

  /** {@link #clean(String, int)} with {@link #MAX_CHARS}. */
  public static String clean(String text) {
    return clean(text, MAX_CHARS);
  }
}
