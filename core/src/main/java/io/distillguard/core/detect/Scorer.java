package io.distillguard.core.detect;

import java.util.List;

/** Combines the signals of one account into a score in [0, 1] with per-signal contributions. */
public interface Scorer {
  /** The score and its reasons; the level is left at {@code NONE} for the engine to set from the policy. */
  RiskScore score(List<Signal> signals);
}
