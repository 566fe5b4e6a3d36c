package io.distillguard.core.detect;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a risk score into a level: score thresholds per level, the least evidence before an account may be
 * throttled or blocked, per-tier overrides of both, and accounts licensed to distill (scored and reported, never
 * restricted).
 *
 * @param thresholds     lowest score for each level above {@code NONE}
 * @param minEvidence    least number of exchanges before each level may be reached
 * @param allowlist      account ids that are never moved above {@code WATCH}
 * @param tiers          tier name to the overrides its accounts get (levels not named keep the defaults above)
 */
public record Policy(Map<RiskLevel, Double> thresholds, Map<RiskLevel, Long> minEvidence, Set<String> allowlist,
    Map<String, TierOverride> tiers) {

  /**
   * Overrides of thresholds and minimum evidence for one account tier (levels not named keep the policy's).
   */
  public record TierOverride(Map<RiskLevel, Double> thresholds, Map<RiskLevel, Long> minEvidence) {
    public TierOverride {
      EnumMap<RiskLevel, Double> t = new EnumMap<>(RiskLevel.class);
      t.putAll(thresholds);
      EnumMap<RiskLevel, Long> m = new EnumMap<>(RiskLevel.class);
      m.putAll(minEvidence);
      thresholds = Collections.unmodifiableMap(t);
      minEvidence = Collections.unmodifiableMap(m);
    }
  }

  public Policy {
    thresholds = Map.copyOf(thresholds);
    minEvidence = Map.copyOf(minEvidence);
    allowlist = Set.copyOf(allowlist);
    tiers = Collections.unmodifiableMap(new TreeMap<>(tiers));
  }

  /** A policy without per-tier overrides. */
  public Policy(Map<RiskLevel, Double> thresholds, Map<RiskLevel, Long> minEvidence, Set<String> allowlist) {
    this(thresholds, minEvidence, allowlist, Map.of());
  }

  /**
   * The levels an account of {@code tier} gets: that tier's overrides over the defaults, no tier table left. A null
   * tier or one without overrides gets the defaults.
   */
  public Policy forTier(String tier) {
    TierOverride o = tier == null ? null : tiers.get(tier);
    if (o == null) {
      return tiers.isEmpty() ? this : new Policy(thresholds, minEvidence, allowlist);
    }
    EnumMap<RiskLevel, Double> t = new EnumMap<>(RiskLevel.class);
    t.putAll(thresholds);
    t.putAll(o.thresholds());
    EnumMap<RiskLevel, Long> m = new EnumMap<>(RiskLevel.class);
    m.putAll(minEvidence);
    m.putAll(o.minEvidence());
    return new Policy(t, m, allowlist);
  }

  /** The same policy with more accounts allow-listed. */
  public Policy withAllowlist(Set<String> more) {
    if (more.isEmpty()) {
      return this;
    }
    Set<String> allow = new HashSet<>(allowlist);
    allow.addAll(more);
    return new Policy(thresholds, minEvidence, allow, tiers);
  }

  /** The level for a score, before the allowlist, with the default levels (tier overrides: {@link #forTier}). */
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
