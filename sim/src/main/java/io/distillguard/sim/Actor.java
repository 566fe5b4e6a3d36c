package io.distillguard.sim;

import java.time.Instant;

/**
 * A source of simulated requests: one benign customer, one legitimate heavy user, or one campaign operator driving
 * many accounts. Deterministic from its own seeded random source. The {@link Simulation} merges all actors' requests
 * in time order and hands each result back, so an actor can react (back off, stop, open new accounts).
 */
public interface Actor {

  /** Time of the next request, or null when this actor is finished. Stable until {@link #next()} is called. */
  Instant peek();

  /** The next request; its time equals what {@link #peek()} returned. */
  SimRequest next();

  /** The gateway's answer to a request this actor sent. */
  void onResult(SimRequest request, SimResult result);
}
