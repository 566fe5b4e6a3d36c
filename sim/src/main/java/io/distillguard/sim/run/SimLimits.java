package io.distillguard.sim.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request and token limits the in-process runner enforces, per tier and for throttled accounts: a copy of the
 * gateway's defaults ({@code GatewayConfig.Limits}). Each simulated account has one key, so a tier's effective limit
 * is the smaller of its account and key limits (this only matters for {@code enterprise}, whose key limit is half its
 * account limit).
 *
 * @param tiers     tier name to limits; accounts of an unknown tier get {@code default}
 * @param throttled limits of an account while it is throttled
 */
public record SimLimits(Map<String, Limit> tiers, Limit throttled) {

  /**
   * One limit set.
   *
   * @param requestsPerMinute bucket capacity and refill per minute; 0 = unlimited
   * @param tokensPerMinute   token budget capacity and refill per minute; 0 = unlimited
   */
  public record Limit(long requestsPerMinute, long tokensPerMinute) {}

  public static final String DEFAULT_TIER = "default";

  public SimLimits {
    tiers = Map.copyOf(tiers);
    if (!tiers.containsKey(DEFAULT_TIER)) {
      throw new IllegalArgumentException("limits need a 'default' tier");
    }
  }

  /** The gateway's default limits: free 60/min, default 600/min, enterprise 3,000/min (key), throttled 10/min. */
  public static SimLimits gatewayDefaults() {
    Map<String, Limit> t = new LinkedHashMap<>();
    t.put("free", new Limit(60, 40_000));
    t.put(DEFAULT_TIER, new Limit(600, 400_000));
    t.put("enterprise", new Limit(3_000, 2_000_000));
    return new SimLimits(t, new Limit(10, 10_000));
  }

  /** No limits at all (for tests that look at detection alone). */
  public static SimLimits none() {
    return new SimLimits(Map.of(DEFAULT_TIER, new Limit(0, 0)), new Limit(0, 0));
  }

  public Limit forTier(String tier) {
    Limit l = tier == null ? null : tiers.get(tier);
    return l == null ? tiers.get(DEFAULT_TIER) : l;
  }
}
