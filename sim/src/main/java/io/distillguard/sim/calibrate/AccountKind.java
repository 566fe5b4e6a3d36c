package io.distillguard.sim.calibrate;

import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import java.util.Map;
import java.util.Set;

/** How calibration and measurement treat an account, from its ground-truth label. */
public enum AccountKind {
  /** An ordinary customer: a negative example; its scores set the thresholds. */
  ORDINARY,
  /** A legitimate heavy user (batch evaluation, product integration, researcher): a negative example. */
  HEAVY,
  /**
   * A licensed distiller: allow-listed by contract (never above watch), so it is neither a negative (it does harvest)
   * nor a positive.
   */
  LICENSED,
  /** A campaign account of a strategy per-account signals are built to see: a positive example. */
  CAMPAIGN,
  /**
   * A campaign account of a strategy that spreads itself so thin per account that only cross-account linkage can see
   * it (hydra, evasive): measured, but not a positive example for the per-account model.
   */
  CAMPAIGN_LINKAGE;

  /** Label group of licensed distillers. */
  public static final String LICENSED_GROUP = "licensed-distiller";
  /** Strategies left to cross-account linkage. */
  public static final Set<String> LINKAGE_STRATEGIES = Set.of("hydra", "evasive");

  /**
   * The kind of an account.
   *
   * @param strategies campaign id to strategy ({@code Simulation.campaignStrategies()})
   */
  public static AccountKind of(SimAccount a, Map<String, String> strategies) {
    Label l = a.label() == null ? Label.BENIGN : a.label();
    switch (l.kind()) {
      case BENIGN:
        return ORDINARY;
      case BENIGN_HEAVY:
        return LICENSED_GROUP.equals(l.group()) ? LICENSED : HEAVY;
      default:
        return LINKAGE_STRATEGIES.contains(strategies.get(l.group())) ? CAMPAIGN_LINKAGE : CAMPAIGN;
    }
  }

  public boolean benign() {
    return this == ORDINARY || this == HEAVY || this == LICENSED;
  }

  public boolean campaign() {
    return this == CAMPAIGN || this == CAMPAIGN_LINKAGE;
  }
}
