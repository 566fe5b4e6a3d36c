package io.distillguard.sim.run;

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
  /** Prompt text scanned for the phrases: all of a short prompt, else its first and last {@value} characters. */
  static final int SCAN_EDGE = 512;
  private static final byte[] LOWER = new byte[128];
  /** Bloom filter (4,096 bits) over the packed first four characters of the ASCII-led phrases. */
  private static final long[] BLOOM = new long[64];
  private static final int[] KEYS;
  private static final String[][] BY_KEY;
  /** Phrases whose first four characters are not all ASCII (CJK, Hangul): found with {@code contains}. */
  private static final String[] OTHER;

  static {
    for (int c = 0; c < 128; c++) {
      LOWER[c] = (byte) (c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    java.util.TreeMap<Integer, java.util.List<String>> byKey = new java.util.TreeMap<>();
    java.util.List<String> other = new java.util.ArrayList<>();
    for (String p : PHRASES) {
      int key = 0;
      boolean ascii = p.length() >= 4;
      for (int k = 0; k < 4 && ascii; k++) {
        char c = p.charAt(k);
        ascii = c < 128;
        key = (key << 8) | (ascii ? LOWER[c] : 0);
      }
      if (!ascii) {
        other.add(p);
        continue;
      }
      byKey.computeIfAbsent(key, x -> new java.util.ArrayList<>()).add(p);
      int h = bloomIndex(key);
      BLOOM[h >>> 6] |= 1L << h;
    }
    KEYS = new int[byKey.size()];
    BY_KEY = new String[byKey.size()][];
    int n = 0;
    for (java.util.Map.Entry<Integer, java.util.List<String>> e : byKey.entrySet()) {
      KEYS[n] = e.getKey();
      BY_KEY[n++] = e.getValue().toArray(new String[0]);
    }
    OTHER = other.toArray(new String[0]);
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
   * True when the prompt text asks the model to show its reasoning: one of {@link #PHRASES}, any case, in the
   * prompt (in its first or last {@value #SCAN_EDGE} characters when it is longer than twice that, where such
   * instructions sit).
   */
  public static boolean elicitsReasoning(String userText) {
    int n = userText.length();
    if (n <= 2 * SCAN_EDGE) {
      return scan(userText, 0, n);
    }
    return scan(userText, 0, SCAN_EDGE) || scan(userText, n - SCAN_EDGE, n);
  }

  /**
   * One pass over the text keeping its last four characters (ASCII lower-cased, packed in an int); a window whose
   * Bloom bit is set is checked against the phrases starting with those four characters. Branches are rarely
   * taken, so the loop costs about a nanosecond a character.
   */
  private static boolean scan(String s, int from, int to) {
    int key = 0;
    boolean wide = false;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int b;
      if (c < 128) {
        b = LOWER[c];
      } else {
        b = 0x80;
        wide |= c >= 0x2E80;
      }
      key = (key << 8) | b;
      int h = bloomIndex(key);
      if ((BLOOM[h >>> 6] & (1L << h)) != 0 && i - 3 >= from) {
        int k = java.util.Arrays.binarySearch(KEYS, key);
        if (k >= 0) {
          for (String p : BY_KEY[k]) {
            if (s.regionMatches(true, i + 1, p, 4, p.length() - 4)) {
              return true;
            }
          }
        }
      }
    }
    if (wide) {
      String part = from == 0 && to == s.length() ? s : s.substring(from, to);
      for (String p : OTHER) {
        if (part.contains(p)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The answer to a prompt.
   *
   * @param promptHash a hash of the prompt (the same prompt must give the same hash)
   * @param degraded   true when the account is degraded: reasoning is left out
   */
  public static String answer(String userText, long promptHash, boolean degraded) {
    String tag = Long.toHexString(promptHash & 0xffffffffL);
    int pick = (int) Math.floorMod(promptHash >>> 32, 24L);
    if (!degraded && elicitsReasoning(userText)) {
      return STEPS[pick % STEPS.length] + "[" + tag + "].";
    }
    return PLAIN[pick % PLAIN.length] + " [" + tag + "]";
  }
}
