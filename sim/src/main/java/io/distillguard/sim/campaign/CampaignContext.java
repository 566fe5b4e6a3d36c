package io.distillguard.sim.campaign;

import io.distillguard.sim.data.PromptPool;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.population.Seeds;
import io.distillguard.sim.population.SimContext;
import io.distillguard.sim.scenario.CampaignSpec;
import io.distillguard.sim.scenario.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** What a strategy needs to build a campaign: the shared simulation context and the resolved campaign spec. */
public final class CampaignContext {
  private final SimContext sim;
  private final CampaignSpec spec;
  private final CampaignStrategy strategy;
  private final SplittableRandom rng;
  private final long start;
  private final long end;
  private final Split templates;
  private final List<PromptPool> pools = new ArrayList<>();
  private final int accounts;
  private final int replacements;
  private final String model;

  public CampaignContext(SimContext sim, CampaignSpec spec) {
    this.sim = sim;
    this.spec = spec;
    this.strategy = CampaignStrategies.get(spec.strategy());
    this.rng = Seeds.rng(sim.seed(), "campaign:" + spec.id(), 0);
    this.start = sim.startMillis() + spec.start().toMillis();
    long e = spec.duration() == null ? sim.endMillis() : start + spec.duration().toMillis();
    this.end = Math.min(sim.endMillis(), e);
    this.templates = spec.templates() != null ? spec.templates() : sim.templates();
    List<String> names = CampaignStrategies.datasets(spec, sim.scenario().data());
    if (names.isEmpty()) {
      throw new IllegalArgumentException(sim.scenario().source() + ": campaign " + spec.id() + ": none of the "
          + "default datasets of strategy " + strategy.name() + " is allowed by the scenario's data ("
          + sim.scenario().data().describe() + "); name datasets explicitly");
    }
    for (String n : names) {
      pools.add(sim.data().pool(n));
    }
    this.accounts = spec.accounts() > 0 ? spec.accounts() : strategy.defaultAccounts();
    this.replacements = spec.replacements() >= 0 ? spec.replacements() : strategy.defaultReplacements(accounts);
    this.model = spec.model() != null ? spec.model() : sim.flagshipModel();
  }

  public SimContext sim() {
    return sim;
  }

  public CampaignSpec spec() {
    return spec;
  }

  public String id() {
    return spec.id();
  }

  public Params params() {
    return spec.params();
  }

  public CampaignStrategy strategy() {
    return strategy;
  }

  public SplittableRandom rng() {
    return rng;
  }

  /** Epoch millis the campaign starts. */
  public long startMillis() {
    return start;
  }

  /** Epoch millis the campaign stops (its duration or the scenario's end). */
  public long endMillis() {
    return end;
  }

  public Split templates() {
    return templates;
  }

  /** The datasets harvested, resolved. */
  public List<PromptPool> pools() {
    return pools;
  }

  public PromptPool pool(String name) {
    for (PromptPool p : pools) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  public int accounts() {
    return accounts;
  }

  public int replacements() {
    return replacements;
  }

  public String model() {
    return model;
  }
}
