package io.distillguard.core.detect;

import java.util.List;

/**
 * An account's combined risk: a score in [0, 1], the level it maps to under the policy, and the reasons, largest
 * contribution first.
 */
public record RiskScore(double score, RiskLevel level, long evidence, List<Reason> reasons) {

  public static final RiskScore NONE = new RiskScore(0, RiskLevel.NONE, 0, List.of());

  public RiskScore {
    reasons = List.copyOf(reasons);
  }
}
