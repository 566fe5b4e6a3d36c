package io.distillguard.sim.scenario;

import java.util.List;

/**
 * The benign population of a scenario.
 *
 * @param accounts       ordinary benign accounts
 * @param medianPerDay   median of the per-account mean requests per day (log-normal across accounts)
 * @param sigma          log-normal shape of per-account activity (heavier tail when larger)
 * @param maxPerDay      cap on one ordinary account's mean requests per day
 * @param orgShare       share of accounts that are seats of a company (shared NAT, email domain, sometimes card)
 * @param sharedPayment  share of companies that pay for all their seats with one card
 * @param freeTier       share of individual accounts on the free tier (no payment method)
 * @param newSignups     share of accounts that sign up during the simulated period
 * @param heavy          legitimate heavy users
 * @param datasets       benign datasets to draw prompts from; empty means every allowed benign dataset
 */
public record PopulationSpec(int accounts, double medianPerDay, double sigma, double maxPerDay, double orgShare,
    double sharedPayment, double freeTier, double newSignups, Heavy heavy, List<String> datasets) {

  public PopulationSpec {
    datasets = List.copyOf(datasets);
  }

  /** Defaults for a population of the given size. */
  public static PopulationSpec defaults(int accounts) {
    return new PopulationSpec(accounts, 3.0, 1.9, 5000, 0.3, 0.5, 0.4, 0.05, Heavy.defaults(accounts), List.of());
  }

  /**
   * Legitimate heavy users (label {@code BENIGN_HEAVY}).
   *
   * @param batchEval          accounts that run a benchmark prompt set through the API, fast and templated
   * @param integration        product integrations: fixed system prompt, templated requests, steady volume
   * @param researcher         researchers: bursty, varied prompts and sampling sweeps
   * @param licensedDistiller  accounts licensed to distil (harvest-like traffic that is allowed)
   */
  public record Heavy(int batchEval, int integration, int researcher, int licensedDistiller) {
    public static Heavy defaults(int accounts) {
      return new Heavy(Math.max(1, accounts / 1000), Math.max(1, accounts / 1500), Math.max(1, accounts / 800), 0);
    }

    public int total() {
      return batchEval + integration + researcher + licensedDistiller;
    }
  }
}
