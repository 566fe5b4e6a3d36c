package io.distillguard.linkage;

import io.distillguard.core.detect.RiskLevel;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Settings of cross-account linkage. {@link #defaults()} is what the gateway and the evaluation run; every number is
 * explained in {@code docs/linkage.md}.
 *
 * @param recent             most recent members of a key a newly filed account is compared with
 * @param sampled            members of a key kept as a uniform random sample (reservoir), so that big keys still
 *                           propose long-range pairs and a campaign's accounts do not form a chain
 * @param fromSample         members drawn from that sample for each newly filed account
 * @param signupWindow       sign-ups closer than this with similar attributes are a burst
 * @param familyMinimum      least evidence (sum of contributions) for a family to count towards corroboration
 * @param minFamilies        families that must agree for a confident edge
 * @param anchored           whether one of them must be {@link Family#IDENTITY} or {@link Family#NETWORK}: behaviour
 *                           alone (client, content, timing, prompt structure) is what users of the same public tool
 *                           share; operating accounts together leaves a trace in who pays, who signs up or where from
 * @param confidentWeight    least total edge weight for a confident edge
 * @param commonMinAccounts  keys shared by fewer accounts are never discounted as common
 * @param coherenceFloor     key coherence (share of sampled member pairs that also share another family) at or
 *                           below which a key counts for nothing
 * @param coherenceFull      key coherence from which a key counts in full
 * @param splitMinMembers    components of at least this many members are checked for communities
 * @param splitModularity    least modularity of a community split to accept it
 * @param splitConductance   most conductance (share of its edge ends that leave it) of a community split off
 * @param thresholds         cluster score for each level
 * @param minMembers         least members for each level (a pair is never blocked as a cluster)
 * @param minExchanges       least exchanges of the cluster's members together for each level
 * @param threads            threads scoring candidate pairs during a recomputation (1: the engine's own thread)
 */
public record LinkageConfig(int recent, int sampled, int fromSample, Duration signupWindow, double familyMinimum,
    int minFamilies, boolean anchored, double confidentWeight, int commonMinAccounts, double coherenceFloor,
    double coherenceFull, int splitMinMembers, double splitModularity, double splitConductance,
    Map<RiskLevel, Double> thresholds, Map<RiskLevel, Integer> minMembers, Map<RiskLevel, Long> minExchanges,
    int threads) {

  public LinkageConfig {
    if (recent < 1 || sampled < 1 || fromSample < 0 || fromSample > sampled) {
      throw new IllegalArgumentException("linkage: recent and sampled must be positive, fromSample in [0, sampled]");
    }
    if (minFamilies < 1 || minFamilies > Family.values().length) {
      throw new IllegalArgumentException("linkage: minFamilies must be 1-" + Family.values().length);
    }
    if (!(coherenceFloor >= 0 && coherenceFloor < coherenceFull && coherenceFull <= 1)) {
      throw new IllegalArgumentException("linkage: need 0 <= coherenceFloor < coherenceFull <= 1");
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("linkage: threads must be 1-64");
    }
    thresholds = Map.copyOf(thresholds);
    minMembers = Map.copyOf(minMembers);
    minExchanges = Map.copyOf(minExchanges);
    double last = 0;
    for (RiskLevel l : RiskLevel.values()) {
      if (l == RiskLevel.NONE) {
        continue;
      }
      Double t = thresholds.get(l);
      if (t == null || !(t > last && t < 1)) {
        throw new IllegalArgumentException("linkage: thresholds must rise with the level, within (0, 1)");
      }
      last = t;
    }
  }

  public static LinkageConfig defaults() {
    Map<RiskLevel, Double> t = new EnumMap<>(RiskLevel.class);
    t.put(RiskLevel.WATCH, 0.40);
    t.put(RiskLevel.THROTTLE, 0.60);
    t.put(RiskLevel.DEGRADE, 0.75);
    t.put(RiskLevel.BLOCK, 0.85);
    Map<RiskLevel, Integer> m = new EnumMap<>(RiskLevel.class);
    m.put(RiskLevel.WATCH, 2);
    m.put(RiskLevel.THROTTLE, 5);
    m.put(RiskLevel.DEGRADE, 5);
    m.put(RiskLevel.BLOCK, 8);
    Map<RiskLevel, Long> x = new EnumMap<>(RiskLevel.class);
    x.put(RiskLevel.WATCH, 10L);
    x.put(RiskLevel.THROTTLE, 20L);
    x.put(RiskLevel.DEGRADE, 20L);
    x.put(RiskLevel.BLOCK, 30L);
    return new LinkageConfig(4, 8, 2, Duration.ofMinutes(30), 0.35, 2, true, 1.0, 3, 0.1, 0.5, 24, 0.3, 0.05, t, m, x,
        1);
  }

  /** The same settings with {@code n} threads scoring pairs during recomputations. */
  public LinkageConfig withThreads(int n) {
    return new LinkageConfig(recent, sampled, fromSample, signupWindow, familyMinimum, minFamilies, anchored,
        confidentWeight, commonMinAccounts, coherenceFloor, coherenceFull, splitMinMembers, splitModularity,
        splitConductance, thresholds, minMembers, minExchanges, n);
  }

  /** The level for a cluster score, its size and its traffic. */
  public RiskLevel levelFor(double score, int members, long exchanges) {
    RiskLevel best = RiskLevel.NONE;
    for (RiskLevel l : RiskLevel.values()) {
      if (l == RiskLevel.NONE) {
        continue;
      }
      if (score >= thresholds.get(l) && members >= minMembers.getOrDefault(l, 0)
          && exchanges >= minExchanges.getOrDefault(l, 0L)) {
        best = l;
      }
    }
    return best;
  }
}
