package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.text.TextFeatures;

/**
 * Template repetition: prompts reduced to skeletons (numbers and literals masked) whose first or last words repeat —
 * the constant wrapper a harvesting script puts around varying content — and near-duplicate prompts (SimHash within
 * a few bits of a recent one). Products with a fixed template also score here, which is why this signal alone never
 * decides.
 */
public final class TemplateDetector implements Detector<TemplateDetector.State> {
  public static final String NAME = "templates";
  private static final int RING = 32;
  private static final int NEAR_BITS = 4;

  public static final class State {
    final TopK prefixes = new TopK(8);
    final TopK suffixes = new TopK(8);
    final long[] recent = new long[RING];
    int next;
    long prompts;
    long nearDuplicates;
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
    if (f.tokens.size() < 4) {
      return;
    }
    s.prompts++;
    s.prefixes.add(f.prefixHash);
    s.suffixes.add(f.suffixHash);
    int filled = (int) Math.min(RING, s.prompts - 1);
    for (int i = 0; i < filled; i++) {
      if (Long.bitCount(s.recent[i] ^ f.simHash) <= NEAR_BITS) {
        s.nearDuplicates++;
        break;
      }
    }
    s.recent[s.next] = f.simHash;
    s.next = (s.next + 1) % RING;
  }

  @Override
  public Signal evaluate(State s) {
    if (s.prompts < 20) {
      return Signal.none(NAME, s.prompts);
    }
    double wrapped = Math.max(s.prefixes.topShare(3), s.suffixes.topShare(3));
    double near = (double) s.nearDuplicates / s.prompts;
    double share = Math.max(wrapped, near);
    double v = Suspicion.withEvidence(Suspicion.ramp(share, 0.35, 0.85), s.prompts, 20, 100);
    return new Signal(NAME, v, s.prompts, Suspicion.percent(wrapped) + " of " + s.prompts
        + " prompts share 3 templates; " + Suspicion.percent(near) + " are near-duplicates of a recent prompt");
  }
}
