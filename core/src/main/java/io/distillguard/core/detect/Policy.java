package io.distillguard.core.detect;

import java.util.Map;
import java.util.Set;

/**
 * Turns a risk score into a level: score thresholds per level, the least evidence before an account may be
 * throttled or blocked, and accounts licensed to distill (scored and reported, never restricted).
 *
 * @param thresholds     lowest score for each level above {@code NONE}
 * @param minEvidence    least number of exchanges before each level may be reached
 * @param allowlist      account ids that are never moved above {@code WATCH}
 */
public record Policy(Map<RiskLevel, Double> thresholds, Map<RiskLevel, Long> minEvidence, Set<String> allowlist) {

  public Policy {
    thresholds = Map.copyOf(thresholds);
    minEvidence = Map.copyOf(minEvidence);
    allowlist = Set.copyOf(allowlist);
  }

  /** The level for a score, before the allowlist. */
  public RiskLevel levelFor(double score, long evidence) {
    RiskLevel best = RiskLevel.NONE;
    for (RiskLevel l : RiskLevel.values()) {
      if (l == RiskLevel.NONE) {
        continue;
      }
      Double t = thresholds.get(l);
      if (t != null && score >= t && evidence >= minEvidence.getOrDefault(l, 0L)) {
        best = l;
      }
    }
    return best;
  }

  /** The level for an account, with the allowlist applied. */
  public RiskLevel levelFor(String accountId, double score, long evidence) {
    RiskLevel l = levelFor(score, evidence);
    return allowlist.contains(accountId) && l.atLeast(RiskLevel.THROTTLE) ? RiskLevel.WATCH : l;
  }
}
