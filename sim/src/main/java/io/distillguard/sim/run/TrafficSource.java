package io.distillguard.sim.run;

import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Requests in time order and a way to hand each answer back: what a runner needs from a simulation. The real
 * {@link io.distillguard.sim.Simulation} is adapted by {@link #of}; tests may implement it with a few hand-made
 * actors.
 */
public interface TrafficSource {

  /** The next request in time order, or null when the traffic is over. */
  SimRequest next();

  /** What the (simulated) gateway did with a request {@link #next()} returned. */
  void report(SimRequest request, SimResult result);

  /** Every account known so far (campaigns may open more while running). */
  Collection<SimAccount> accounts();

  /** Campaign id to strategy name, in scenario order; empty when there are no campaigns. */
  default Map<String, String> campaignStrategies() {
    return Map.of();
  }

  /** How many distinct prompts a campaign set out to harvest, or 0 when unknown. */
  default int campaignPromptSetSize(String campaignId) {
    return 0;
  }

  /**
   * How many distinct prompts of its set the campaign itself counts as harvested (at least one served answer), or
   * -1 when the source does not know; then the evaluation counts distinct attack prompt digests instead.
   */
  default int campaignPromptsHarvested(String campaignId) {
    return -1;
  }

  /** Start of the simulated period (for progress and the risk time axis), or null when unknown. */
  default Instant start() {
    return null;
  }

  /** End of the simulated period, or null when unknown. */
  default Instant end() {
    return null;
  }
}
