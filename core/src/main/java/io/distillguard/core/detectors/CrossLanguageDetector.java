package io.distillguard.core.detectors;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.text.TextFeatures;
import io.distillguard.core.text.Tokens;
import java.util.List;

/**
 * The same problem asked in different languages, one right after the other: a multilingual sweep sends each task in
 * language after language. A prompt is a cross-language repeat when one of the account's recent prompts is in
 * another language, has a different wrapper (first and last words), and carries the same content: the same figures
 * (at least 80% of each prompt's, one of them 10 or more; a translation keeps them, and list markers such as "1." at
 * the start of a line do not count), or the same rarest words apart from the account's common wording (an
 * untranslated problem in a wrapper of another language). People rarely ask about the same figures in two languages;
 * a sweep does it for most prompts. Sharing only some figures is not enough: different maths problems often share two
 * (an evaluation run drawing at random from a few hundred translated problems met such pairs for 7% to 19% of its
 * prompts, as often as a sweep's true repeats, when 60% of the smaller prompt's figures were enough).
 *
 * <p>State: for the last {@value #RING} prompts, up to {@value #K} numbers and the {@value #K} smallest word hashes
 * (as 32-bit fingerprints: the detector only asks whether two are equal, and a false match has odds of one in four
 * billion per pair), the language and the wrapper fingerprints; a 256-bucket count of the account's words; two
 * counters. About 1.9 KB per account: the ring was 32 prompts of 64-bit values (5.4 KB), which alone broke the
 * per-account budget of 4 KB; a sweep asks each problem in language after language, so its repeats sit well within
 * the last 16 prompts.
 */
public final class CrossLanguageDetector implements Detector<CrossLanguageDetector.State> {
  public static final String NAME = "cross-language";
  static final int RING = 16;
  static final int K = 8;
  /** Shared smallest word hashes (of {@value #K}) for "same words". */
  static final int SAME_WORDS = 3;
  private static final int SKETCH = 256;
  /** A word in at least this share of the account's prompts is its wrapper's, not content. */
  private static final double COMMON = 0.5;

  public static final class State {
    final int[] numbers = new int[RING * K];
    final byte[] numberCounts = new byte[RING];
    final int[] words = new int[RING * K];
    final byte[] wordCounts = new byte[RING];
    final byte[] languages = new byte[RING];
    final int[] prefixes = new int[RING];
    final int[] suffixes = new int[RING];
    final short[] wordCounts256 = new short[SKETCH];
    int next;
    int filled;
    long prompts;
    long repeats;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public State newState() {
    return new State();
  }

  @Override
  public void observe(State s, Exchange e) {
    if (!e.endpoint().endsWith("completions")) {
      return;
    }
    TextFeatures f = TextFeatures.of(e);
    Tokens t = f.tokens;
    if (t.size() < 4) {
      return;
    }
    s.prompts++;
    if (f.language < 0) {
      return;
    }
    long[] nums = new long[K];
    int nn = numbers(lastUserText(e.messages()), nums);
    int[] numFps = new int[K];
    for (int i = 0; i < nn; i++) {
      numFps[i] = fingerprint(nums[i]);
    }
    countWords(s, t);
    long[] words = new long[K];
    int common = s.prompts >= 10 ? (int) Math.ceil(COMMON * s.prompts) : Integer.MAX_VALUE;
    int nw = smallestWords(t, words, s.wordCounts256, common);
    int[] wordFps = new int[K];
    for (int i = 0; i < nw; i++) {
      wordFps[i] = fingerprint(words[i]);
    }
    int prefix = fingerprint(f.prefixHash);
    int suffix = fingerprint(f.suffixHash);
    for (int r = 0; r < s.filled; r++) {
      if (s.languages[r] == f.language || s.prefixes[r] == prefix || s.suffixes[r] == suffix) {
        continue;
      }
      int commonNumbers = common(numFps, nn, s.numbers, r * K, s.numberCounts[r]);
      // a translation keeps nearly all of the problem's figures, so most of each prompt's figures must be shared:
      // two different maths problems often share two of their figures (10, 20, 100), and a benchmark run over
      // translated problems meets such pairs in every language by chance
      boolean sameNumbers = commonNumbers >= 2 && commonNumbers * 5 >= 4 * Math.max(nn, s.numberCounts[r])
          && commonLarge(nums, numFps, nn, s.numbers, r * K, s.numberCounts[r]);
      boolean sameWords = common(wordFps, nw, s.words, r * K, s.wordCounts[r]) >= SAME_WORDS;
      if (sameNumbers || sameWords) {
        s.repeats++;
        break;
      }
    }
    int slot = s.next;
    System.arraycopy(numFps, 0, s.numbers, slot * K, K);
    s.numberCounts[slot] = (byte) nn;
    System.arraycopy(wordFps, 0, s.words, slot * K, K);
    s.wordCounts[slot] = (byte) nw;
    s.languages[slot] = (byte) f.language;
    s.prefixes[slot] = prefix;
    s.suffixes[slot] = suffix;
    s.next = (slot + 1) % RING;
    s.filled = Math.min(RING, s.filled + 1);
  }

  /** 32 bits of a value's mixed hash: equal values always agree, different ones almost never. */
  static int fingerprint(long v) {
    long k = mix(v) * 0xc4ceb9fe1a85ec53L;
    return (int) (k ^ (k >>> 32));
  }

  private static int common(int[] a, int na, int[] b, int offset, int nb) {
    int c = 0;
    for (int i = 0; i < na; i++) {
      for (int j = 0; j < nb; j++) {
        if (b[offset + j] == a[i]) {
          c++;
          break;
        }
      }
    }
    return c;
  }

  /** Whether a number of 10 or more is among the common ones (small ones are too often list items or counts). */
  private static boolean commonLarge(long[] values, int[] a, int na, int[] b, int offset, int nb) {
    for (int i = 0; i < na; i++) {
      if (values[i] < 10) {
        continue;
      }
      for (int j = 0; j < nb; j++) {
        if (b[offset + j] == a[i]) {
          return true;
        }
      }
    }
    return false;
  }

  /** Counts each word bucket once per prompt in the account's sketch. */
  private static void countWords(State s, Tokens t) {
    boolean[] seen = new boolean[SKETCH];
    for (int i = 0; i < t.size(); i++) {
      int b = bucket(t.hash(i));
      if (!seen[b]) {
        seen[b] = true;
        if (s.wordCounts256[b] < Short.MAX_VALUE) {
          s.wordCounts256[b]++;
        }
      }
    }
  }

  private static int bucket(long hash) {
    return (int) (mix(hash) >>> 56) & (SKETCH - 1);
  }

  /** The prompt text the features are computed on (the last user message). */
  static String lastUserText(List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      ChatMessage m = messages.get(i);
      String role = m.role();
      if (!"assistant".equals(role) && !"system".equals(role) && !"developer".equals(role) && !"tool".equals(role)) {
        return m.content() == null ? "" : m.content();
      }
    }
    return "";
  }

  /**
   * Up to {@value #K} distinct digit runs of the text's first {@link TextFeatures#MAX_CHARS} characters, as values
   * (runs over 18 digits are cut); a run at the start of a line followed by "." or ")" is a list marker and skipped.
   */
  static int numbers(String text, long[] out) {
    int n = 0;
    int len = Math.min(text.length(), TextFeatures.MAX_CHARS);
    boolean lineStart = true;
    for (int i = 0; i < len && n < K; ) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        long h = 0;
        int j = i;
        while (j < len && text.charAt(j) >= '0' && text.charAt(j) <= '9') {
          if (j - i < 18) {
            h = h * 10 + (text.charAt(j) - '0');
          }
          j++;
        }
        boolean marker = lineStart && j < len && (text.charAt(j) == '.' || text.charAt(j) == ')');
        if (!marker) {
          boolean dup = false;
          for (int k = 0; k < n && !dup; k++) {
            dup = out[k] == h;
          }
          if (!dup) {
            out[n++] = h;
          }
        }
        lineStart = false;
        i = j;
        continue;
      }
      if (c == '\n') {
        lineStart = true;
      } else if (!Character.isWhitespace(c)) {
        lineStart = false;
      }
      i++;
    }
    return n;
  }

  /**
   * The {@value #K} smallest distinct (re-mixed) hashes of the text's word and ideograph tokens, ascending, leaving
   * out words the account uses in at least {@code common} prompts.
   */
  static int smallestWords(Tokens t, long[] out, short[] counts, int common) {
    int n = 0;
    for (int i = 0; i < t.size(); i++) {
      byte kind = t.kind(i);
      if ((kind != Tokens.WORD && kind != Tokens.IDEOGRAPH) || counts[bucket(t.hash(i))] >= common) {
        continue;
      }
      long h = mix(t.hash(i));
      int pos = n;
      while (pos > 0 && out[pos - 1] > h) {
        pos--;
      }
      if ((pos > 0 && out[pos - 1] == h) || pos >= K) {
        continue;
      }
      int end = Math.min(n, K - 1);
      System.arraycopy(out, pos, out, pos + 1, end - pos);
      out[pos] = h;
      n = Math.min(K, n + 1);
    }
    return n;
  }

  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    return k;
  }

  @Override
  public Signal evaluate(State s) {
    if (s.prompts < 10) {
      return Signal.none(NAME, s.prompts);
    }
    double share = (double) s.repeats / s.prompts;
    double v = Suspicion.withEvidence(Suspicion.ramp(share, 0.03, 0.15), s.prompts, 10, 40);
    return new Signal(NAME, v, s.prompts, Suspicion.percent(share) + " of " + s.prompts
        + " prompts repeat the content of a recent prompt in another language");
  }
}
