package io.distillguard.sim.run;

import java.nio.charset.StandardCharsets;

/**
 * Short stand-in answers for in-process runs, which have no upstream. Each answer is a fixed sentence chosen by the
 * prompt plus a tag derived from it, so equal prompts get equal answers and different prompts different ones; a
 * prompt that asks for reasoning gets step-by-step-looking text (unless the account is degraded, whose reasoning the
 * gateway strips). The token count reported is the request's {@code expectedOutputTokens}, not the text's length.
 */
public final class SyntheticAnswers {
  /**
   * Phrases of chain-of-thought elicitation, lower-case, in English and a few other languages campaigns use. Matched
   * case-insensitively anywhere in the prompt by a single scan (a regular expression with case-insensitive
   * alternatives costs far more than the rest of an in-process exchange).
   */
  static final String[] PHRASES = {"step by step", "step-by-step", "reasoning", "chain of thought",
      "chain-of-thought", "show your work", "show your steps", "think carefully", "think through", "explain your",
      "explain why", "explain how", "justify", "let's think", "lets think", "work it out", "rationale",
      "pas à pas", "schritt für schritt", "paso a paso", "逐步", "一步一步", "推理", "段階的", "단계별"};
  /** Bytes scanned: all of a short prompt, else its first and last {@value} bytes of UTF-8. */
  static final int SCAN_EDGE = 512;
  private static final byte[] LOWER = new byte[128];
  /** Bloom filter (4,096 bits) over the packed first four characters of the ASCII-led phrases. */
  private static final long[] BLOOM = new long[64];
  private static final int[] KEYS;
  private static final byte[][][] BY_KEY;
  /** Phrases whose first four characters are not all ASCII (CJK, Hangul), as UTF-8. */
  private static final byte[][] OTHER;

  static {
    for (int c = 0; c < 128; c++) {
      LOWER[c] = (byte) (c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    java.util.TreeMap<Integer, java.util.List<byte[]>> byKey = new java.util.TreeMap<>();
    java.util.List<byte[]> other = new java.util.ArrayList<>();
    for (String p : PHRASES) {
      byte[] utf8 = p.getBytes(StandardCharsets.UTF_8);
      int key = 0;
      boolean ascii = utf8.length >= 4;
      for (int k = 0; k < 4 && ascii; k++) {
        ascii = utf8[k] >= 0;
        key = (key << 8) | (ascii ? LOWER[utf8[k]] : 0);
      }
      if (!ascii) {
        other.add(utf8);
        continue;
      }
      byKey.computeIfAbsent(key, x -> new java.util.ArrayList<>()).add(utf8);
      int h = bloomIndex(key);
      BLOOM[h >>> 6] |= 1L << h;
    }
    KEYS = new int[byKey.size()];
    BY_KEY = new byte[byKey.size()][][];
    int n = 0;
    for (java.util.Map.Entry<Integer, java.util.List<byte[]>> e : byKey.entrySet()) {
      KEYS[n] = e.getKey();
      BY_KEY[n++] = e.getValue().toArray(new byte[0][]);
    }
    OTHER = other.toArray(new byte[0][]);
  }

  private static int bloomIndex(int key) {
    return (key * 0x9E3779B1) >>> 20;
  }

  private static final String[] PLAIN = {
      "Here is a concise answer to your question.",
      "Sure. The short version is below.",
      "Good question; the key points follow.",
      "In brief, this is how it works.",
      "The answer depends on a few factors, summarized here.",
      "Below is a direct response.",
      "Here is what I would suggest.",
      "This is a common question; the usual answer follows.",
  };
  private static final String[] STEPS = {
      "Let's work through this step by step.\nStep 1: Restate what is asked.\nStep 2: Identify the known "
          + "quantities.\nStep 3: Apply the relevant rule.\nStep 4: Check the result.\nTherefore, the final answer is ",
      "Reasoning:\n1. First, consider the definitions involved.\n2. Next, break the problem into parts.\n3. Solve "
          + "each part and combine them.\n4. Verify against the original question.\nFinal answer: ",
      "Let me think about this carefully.\nFirst, the question asks for a specific result.\nThen we compute the "
          + "intermediate values.\nFinally, we put them together.\nSo the answer is ",
  };

  private SyntheticAnswers() {}

  /**
   * True when the prompt text asks the model to show its reasoning: one of {@link #PHRASES}, ASCII letters in any
   * case, in the prompt (in the first or last {@value #SCAN_EDGE} bytes of its UTF-8 when it is longer than twice
   * that, where such instructions sit).
   */
  public static boolean elicitsReasoning(String userText) {
    return elicitsReasoning(userText.getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #elicitsReasoning(String)} on the text's UTF-8 bytes. */
  public static boolean elicitsReasoning(byte[] utf8) {
    int n = utf8.length;
    if (n <= 2 * SCAN_EDGE) {
      return scan(utf8, 0, n);
    }
    return scan(utf8, 0, SCAN_EDGE) || scan(utf8, n - SCAN_EDGE, n);
  }

  /**
   * One pass keeping the last four bytes (ASCII lower-cased, others as 0x80) packed in an int; a window whose Bloom
   * bit is set is checked against the phrases starting with those four characters. Branches are rarely taken, so
   * the loop costs about a nanosecond a byte.
   */
  private static boolean scan(byte[] s, int from, int to) {
    int key = 0;
    boolean wide = false;
    for (int i = from; i < to; i++) {
      int c = s[i];
      int b;
      if (c >= 0) {
        b = LOWER[c];
      } else {
        b = 0x80;
        wide |= (c & 0xff) >= 0xe2;  // lead byte of a character from U+2000 up (CJK, Hangul)
      }
      key = (key << 8) | b;
      int h = bloomIndex(key);
      if ((BLOOM[h >>> 6] & (1L << h)) != 0 && i - 3 >= from) {
        int k = java.util.Arrays.binarySearch(KEYS, key);
        if (k >= 0) {
          for (byte[] p : BY_KEY[k]) {
            if (matches(s, i + 1, to, p, 4)) {
              return true;
            }
          }
        }
      }
    }
    if (wide) {
      for (byte[] p : OTHER) {
        for (int i = from; i + p.length <= to; i++) {
          if (s[i] == p[0] && matches(s, i + 1, to, p, 1)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** {@code p[pFrom..]} at {@code s[at..]}: ASCII letters in any case, other bytes exactly. */
  private static boolean matches(byte[] s, int at, int to, byte[] p, int pFrom) {
    int len = p.length - pFrom;
    if (at + len > to) {
      return false;
    }
    for (int j = 0; j < len; j++) {
      byte x = s[at + j];
      byte y = p[pFrom + j];
      if (x != y && (x < 0 || y < 0 || LOWER[x] != LOWER[y])) {
        return false;
      }
    }
    return true;
  }

  /**
   * The answer to a prompt.
   *
   * @param promptHash a hash of the prompt (the same prompt must give the same hash)
   * @param degraded   true when the account is degraded: reasoning is left out
   */
  public static String answer(String userText, long promptHash, boolean degraded) {
    return answer(!degraded && elicitsReasoning(userText), promptHash);
  }

  /**
   * Characters of step-by-step reasoning in an answer written here: the reasoning walk-through of a reasoning
   * answer, 0 for a plain one (and for any text not written here).
   */
  public static int reasoningChars(String answer) {
    if (answer == null) {
      return 0;
    }
    for (String s : STEPS) {
      if (answer.startsWith(s)) {
        return s.length();
      }
    }
    return 0;
  }

  /**
   * The reasoning characters an account that is not degraded gets for this prompt: what degrading withholds from
   * it. 0 when the prompt does not ask for reasoning.
   *
   * @param promptHash the hash {@link #answer(boolean, long)} is given for the prompt
   */
  public static int reasoningCharsFor(String lastUserText, long promptHash) {
    if (lastUserText == null || !elicitsReasoning(lastUserText)) {
      return 0;
    }
    return STEPS[(int) Math.floorMod(promptHash >>> 32, 24L) % STEPS.length].length();
  }

  /** The answer to a prompt whose reasoning request is already known ({@code reasoning} false when degraded). */
  static String answer(boolean reasoning, long promptHash) {
    String tag = Long.toHexString(promptHash & 0xffffffffL);
    int pick = (int) Math.floorMod(promptHash >>> 32, 24L);
    if (reasoning) {
      return STEPS[pick % STEPS.length] + "[" + tag + "].";
    }
    return PLAIN[pick % PLAIN.length] + " [" + tag + "]";
  }
}
