package io.distillguard.upstream;

/**
 * A deliberately simple approximation of an LLM tokenizer, used for {@code usage} counts,
 * {@code max_tokens} truncation and the size of streamed chunks.
 *
 * <p>Rules, in order: leading whitespace belongs to the token that follows it (so concatenating
 * tokens reproduces the text exactly, as streamed deltas must); a token is then either a run of
 * letters/digits/underscores, a single ideographic character (CJK has no spaces), or a run of
 * other non-space characters (punctuation, symbols, emoji). Runs are cut every
 * {@value #MAX_RUN} code points so long identifiers and symbol soup count as several tokens.
 * Whitespace at the very end of the text is attached to the last token. Cuts never split a
 * surrogate pair, so every token is valid UTF-16 on its own.
 *
 * <p>Real BPE tokenizers give roughly 1.3 tokens per English word; this gives about 1.1. It is
 * not meant to match any model's counts, only to be deterministic and cheap.
 */
final class Tokenizer {
  static final int MAX_RUN = 12;
  private static final int[] NONE = new int[0];

  private Tokenizer() {}

  /**
   * Token end offsets (exclusive, in chars) of {@code text}, in order; the last equals
   * {@code text.length()}. An empty text has no tokens.
   */
  static int[] tokenEnds(String text) {
    int len = text.length();
    if (len == 0) {
      return NONE;
    }
    int[] ends = new int[Math.min(len, 16) + 1];
    int count = 0;
    int i = 0;
    while (i < len) {
      while (i < len && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i == len) {
        if (count == 0) {
          ends[count++] = len; // whitespace-only text is one token
        } else {
          ends[count - 1] = len; // trailing whitespace joins the last token
        }
        break;
      }
      int cp = text.codePointAt(i);
      int cls = classOf(cp);
      i += Character.charCount(cp);
      if (cls != IDEOGRAPH) {
        int run = 1;
        while (i < len && run < MAX_RUN) {
          int next = text.codePointAt(i);
          if (classOf(next) != cls) {
            break;
          }
          i += Character.charCount(next);
          run++;
        }
      }
      if (count == ends.length) {
        ends = java.util.Arrays.copyOf(ends, ends.length * 2);
      }
      ends[count++] = i;
    }
    return count == ends.length ? ends : java.util.Arrays.copyOf(ends, count);
  }

  /** Number of tokens in {@code text}. */
  static int count(String text) {
    return text == null ? 0 : tokenEnds(text).length;
  }

  private static final int WORD = 0;
  private static final int IDEOGRAPH = 1;
  private static final int OTHER = 2;
  private static final int SPACE = 3;

  private static int classOf(int cp) {
    if (Character.isIdeographic(cp)) {
      return IDEOGRAPH;
    }
    if (Character.isLetterOrDigit(cp) || cp == '_') {
      return WORD;
    }
    return Character.isWhitespace(cp) ? SPACE : OTHER;
  }
}
