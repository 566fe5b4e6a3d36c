package io.distillguard.core.detect;

import java.time.Instant;

/**
 * A change of an account's risk level decided by detection, to be applied by every gateway node's enforcement cache.
 *
 * @param at       event time of the exchange that triggered it
 * @param previous the level before this verdict
 */
public record Verdict(String accountId, Instant at, RiskLevel previous, RiskScore risk) {

  public RiskLevel level() {
    return risk.level();
  }

  public boolean escalation() {
    return risk.level().compareTo(previous) > 0;
  }
}
