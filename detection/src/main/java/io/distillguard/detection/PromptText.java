package io.distillguard.detection;

/**
 * Prepares traffic text for embedding: hostile or malformed input (unpaired surrogates from broken UTF-16, control
 * characters, megabyte prompts, whitespace only) becomes a bounded, well-formed string or nothing.
 */
public final class PromptText {
  /**
   * Characters kept from the start of a prompt. The model reads at most 256 word pieces; LangChain4j would split a
   * longer text into windows and embed each, so an unbounded prompt would cost unbounded time on the worker.
   * 2,000 characters is several hundred word pieces of English, enough for what the model reads.
   */
  public static final int MAX_CHARS = 2_000;

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
