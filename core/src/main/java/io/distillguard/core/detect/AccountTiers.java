package io.distillguard.core.detect;

/**
 * Tells the detection engine which tier an account is on, so a {@link Policy}'s per-tier overrides apply to it. The
 * core does no I/O: the caller answers from what it already holds in memory (the gateway from its account directory,
 * the simulator from its accounts' attributes). Asked once per account, on its first exchange.
 */
@FunctionalInterface
public interface AccountTiers {
  /** No tier known for any account: every account gets the policy's default levels. */
  AccountTiers NONE = accountId -> null;

  /** The account's tier, or null when unknown (the policy's default levels then apply). Must not block. */
  String tierOf(String accountId);
}
