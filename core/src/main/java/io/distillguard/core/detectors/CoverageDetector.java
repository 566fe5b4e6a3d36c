package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.text.TextFeatures;
import io.distillguard.core.text.Tokens;

/**
 * Coverage of the topic space: real users and products circle a few subjects and come back to them; a harvest
 * sweeps a dataset and rarely touches the same subject twice. Each prompt gets a small MinHash signature of its
 * words, leaving out the account's own common words (a count sketch finds the words in most of its prompts: template
 * wrappers, stop words); a prompt "revisits" when it shares half its signature with one of the account's recent
 * prompts. Low revisiting over many prompts is wide coverage.
 */
public final class CoverageDetector implements Detector<CoverageDetector.State> {
  public static final String NAME = "coverage";
  private static final int COMPONENTS = 4;
  private static final int RING = 32;
  private static final int SKETCH = 256;
  /** A word in at least this share of the account's prompts is wording, not subject. */
  private static final double COMMON = 0.5;
  private static final long[] SEEDS = {0x9E3779B97F4A7C15L, 0xC2B2AE3D27D4EB4FL, 0x165667B19E3779F9L,
      0xD6E8FEB86659FD93L};

  public static final class State {
    final short[] wordCounts = new short[SKETCH];
    final int[] signatures = new int[RING * COMPONENTS];
    int next;
    int filled;
    long prompts;
    long revisits;
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
    Tokens t = TextFeatures.of(e).tokens;
    if (t.size() < 3) {
      return;
    }
    // Count each word bucket once per prompt, then sign the prompt with the words that are not common for it.
    boolean[] seen = new boolean[SKETCH];
    for (int i = 0; i < t.size(); i++) {
      int b = bucket(t.hash(i));
      if (!seen[b]) {
        seen[b] = true;
        if (s.wordCounts[b] < Short.MAX_VALUE) {
          s.wordCounts[b]++;
        }
      }
    }
    int common = s.prompts >= 10 ? (int) Math.ceil(COMMON * (s.prompts + 1)) : Integer.MAX_VALUE;
    int[] sig = new int[COMPONENTS];
    java.util.Arrays.fill(sig, Integer.MAX_VALUE);
    boolean any = false;
    for (int i = 0; i < t.size(); i++) {
      if (t.kind(i) == Tokens.NUMERIC || s.wordCounts[bucket(t.hash(i))] >= common) {
        continue;
      }
      long h = t.hash(i);
      any = true;
      for (int c = 0; c < COMPONENTS; c++) {
        int v = (int) (mix(h ^ SEEDS[c]) >>> 33);
        if (v < sig[c]) {
          sig[c] = v;
        }
      }
    }
    if (!any) {
      return;
    }
    s.prompts++;
    for (int r = 0; r < s.filled; r++) {
      int same = 0;
      for (int c = 0; c < COMPONENTS; c++) {
        if (s.signatures[r * COMPONENTS + c] == sig[c]) {
          same++;
        }
      }
      if (same * 2 >= COMPONENTS) {
        s.revisits++;
        break;
      }
    }
    System.arraycopy(sig, 0, s.signatures, s.next * COMPONENTS, COMPONENTS);
    s.next = (s.next + 1) % RING;
    s.filled = Math.min(RING, s.filled + 1);
  }

  @Override
  public Signal evaluate(State s) {
    if (s.prompts < 30) {
      return Signal.none(NAME, s.prompts);
    }
    double revisit = (double) s.revisits / s.prompts;
    double v = Suspicion.withEvidence(1 - Suspicion.ramp(revisit, 0.05, 0.35), s.prompts, 30, 150);
    return new Signal(NAME, v, s.prompts, "only " + Suspicion.percent(revisit) + " of " + s.prompts
        + " prompts return to a recent subject");
  }

  private static int bucket(long hash) {
    return (int) (mix(hash) >>> 56) & (SKETCH - 1);
  }

  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
