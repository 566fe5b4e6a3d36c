package io.distillguard.sim.run;

import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link Simulation} as a {@link TrafficSource}. */
public final class SimulationSource implements TrafficSource {
  private final Simulation sim;
  private final Map<String, SimAccount> population = new LinkedHashMap<>();

  public SimulationSource(Simulation sim) {
    this.sim = sim;
    // Population accounts exist from the start (an operator's allow-list is decided on them); campaign accounts
    // become known as they send their first request.
    for (SimAccount a : sim.populationAccounts()) {
      population.put(a.id(), a);
    }
  }

  public Simulation simulation() {
    return sim;
  }

  @Override
  public SimRequest next() {
    return sim.next();
  }

  @Override
  public void report(SimRequest request, SimResult result) {
    sim.report(request, result);
  }

  /** Population accounts (from the start) and every account that has sent a request. */
  @Override
  public Collection<SimAccount> accounts() {
    Map<String, SimAccount> all = new LinkedHashMap<>(population);
    for (SimAccount a : sim.accounts()) {
      all.putIfAbsent(a.id(), a);
    }
    return Collections.unmodifiableCollection(all.values());
  }

  @Override
  public Map<String, String> campaignStrategies() {
    return sim.campaignStrategies();
  }

  @Override
  public int campaignPromptSetSize(String campaignId) {
    return sim.campaignPromptSetSize(campaignId);
  }

  /** The campaign's own count of distinct prompts (tasks) with at least one served answer. */
  @Override
  public int campaignPromptsHarvested(String campaignId) {
    return sim.campaignStats(campaignId).promptsHarvested();
  }

  @Override
  public Instant start() {
    return sim.scenario().start();
  }

  @Override
  public Instant end() {
    return sim.scenario().end();
  }
}
