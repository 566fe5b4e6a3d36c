package io.distillguard.core.detect;

import java.util.Map;

/**
 * One account's detection state: its detectors' states (in the engine's detector order), its exchange count, its
 * current level and score, and any external findings. The {@link DetectionEngine} keeps one per account in memory;
 * a keyed stream operator keeps each in its per-key state instead, creates it with
 * {@link DetectionEngine#newState}, folds exchanges in with {@link DetectionEngine#accept(AccountState,
 * io.distillguard.core.Exchange)} and checkpoints it with the engine's {@link AccountStateCodec}.
 *
 * <p>Mutable and not thread-safe, like the detector states it holds.
 */
public final class AccountState {
  final String accountId;
  final Object[] states;
  /** The tier the account's levels come from, as the engine's {@link AccountTiers} said at creation; may be null. */
  final String tier;
  /** The tier's levels; null after a state was read back until the engine next touches it. */
  DetectionEngine.Levels levels;
  long exchanges;
  RiskLevel level = RiskLevel.NONE;
  double score;
  /** The detectors' combined score, before external findings. */
  double cheapScore;
  /** Findings from outside the engine by signal name; null until the first (most accounts never get one). */
  Map<String, DetectionEngine.External> externals;

  AccountState(String accountId, Object[] states, String tier) {
    this.accountId = accountId;
    this.states = states;
    this.tier = tier;
  }

  public String accountId() {
    return accountId;
  }

  /** Exchanges folded in so far. */
  public long exchanges() {
    return exchanges;
  }

  /** The level the account has reached (levels only rise automatically). */
  public RiskLevel level() {
    return level;
  }

  /** The latest score, external findings included. */
  public double score() {
    return score;
  }

  /** The tier whose levels apply, or null for the policy's defaults. */
  public String tier() {
    return tier;
  }

  /** Sets the level from outside (an analyst's override), so detection continues from there. */
  public void override(RiskLevel newLevel) {
    level = java.util.Objects.requireNonNull(newLevel, "level");
  }

  @Override
  public String toString() {
    return "AccountState[exchanges=" + exchanges + ", level=" + level + ", score=" + score + "]";
  }
}
