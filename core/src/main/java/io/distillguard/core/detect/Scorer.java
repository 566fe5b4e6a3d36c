package io.distillguard.core.detect;

import java.util.List;

/** Combines the signals of one account into a score in [0, 1] with per-signal contributions. */
public interface Scorer {
  /** The score and its reasons; the level is left at {@code NONE} for the engine to set from the policy. */
  RiskScore score(List<Signal> signals);

  /**
   * The score alone, from suspicions in the order of {@code detectors}; equals {@link #score}'s score. Scorers on
   * the hot path override it to skip building signals.
   */
  default double combine(String[] detectors, double[] suspicions) {
    List<Signal> signals = new java.util.ArrayList<>(detectors.length);
    for (int i = 0; i < detectors.length; i++) {
      signals.add(new Signal(detectors[i], suspicions[i], 0, ""));
    }
    return score(signals).score();
  }
}
