package io.distillguard.sim.scenario;

import io.distillguard.sim.data.Split;
import java.time.Duration;
import java.util.List;

/**
 * One distillation campaign of a scenario.
 *
 * @param id           unique within the scenario (also the {@code group} of its accounts' labels)
 * @param strategy     strategy name: naive, low-and-slow, hydra, mixed-proxy, reasoning-harvest,
 *                     multilingual-sweep, evasive
 * @param start        offset from the scenario start
 * @param duration     how long it runs at most; null = until the scenario ends
 * @param accounts     accounts operated at the start (0 = the strategy's default)
 * @param datasets     attack datasets to harvest with; empty = the strategy's defaults for the scenario's split
 * @param templates    template bank (tuning/holdout); null = the scenario's
 * @param prompts      cap on the prompt set size; 0 = every prompt the datasets give
 * @param passes       how many times each prompt of the set is harvested (answers sampled per prompt)
 * @param replacements how many replacement accounts the operator may open when accounts die; -1 = strategy default
 * @param model        model requested; null = the scenario's first model
 * @param params       strategy-specific parameters, checked against the strategy's schema
 */
public record CampaignSpec(String id, String strategy, Duration start, Duration duration, int accounts,
    List<String> datasets, Split templates, int prompts, int passes, int replacements, String model,
    Params params) {

  public CampaignSpec {
    datasets = List.copyOf(datasets);
    params = params == null ? Params.EMPTY : params;
    start = start == null ? Duration.ZERO : start;
    passes = Math.max(1, passes);
  }

  /** A spec with defaults for everything but id and strategy. */
  public static CampaignSpec of(String id, String strategy) {
    return new CampaignSpec(id, strategy, Duration.ZERO, null, 0, List.of(), null, 0, 1, -1, null, Params.EMPTY);
  }

  public CampaignSpec withParams(Params p) {
    return new CampaignSpec(id, strategy, start, duration, accounts, datasets, templates, prompts, passes,
        replacements, model, p);
  }

  public CampaignSpec withAccounts(int n) {
    return new CampaignSpec(id, strategy, start, duration, n, datasets, templates, prompts, passes, replacements,
        model, params);
  }

  public CampaignSpec withStart(Duration s, Duration d) {
    return new CampaignSpec(id, strategy, s, d, accounts, datasets, templates, prompts, passes, replacements,
        model, params);
  }

  public CampaignSpec withPrompts(int n) {
    return new CampaignSpec(id, strategy, start, duration, accounts, datasets, templates, n, passes, replacements,
        model, params);
  }

  public CampaignSpec withReplacements(int n) {
    return new CampaignSpec(id, strategy, start, duration, accounts, datasets, templates, prompts, passes, n,
        model, params);
  }

  public CampaignSpec withDatasets(List<String> ds) {
    return new CampaignSpec(id, strategy, start, duration, accounts, ds, templates, prompts, passes, replacements,
        model, params);
  }
}
