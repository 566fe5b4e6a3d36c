package io.distillguard.sim.population;

import io.distillguard.sim.Actor;
import java.time.Instant;

/**
 * An {@link Actor} that reports its next request time as epoch milliseconds, so the simulation's merge needs no
 * {@link Instant} per comparison. Every actor the simulator builds is one.
 */
public abstract class TimedActor implements Actor {
  /** Returned by {@link #peekMillis()} when the actor has nothing more to send. */
  public static final long NONE = Long.MAX_VALUE;

  /** Epoch milliseconds of the next request, or {@link #NONE}. Stable until {@link #next()} or a result. */
  public abstract long peekMillis();

  @Override
  public final Instant peek() {
    long t = peekMillis();
    return t == NONE ? null : Instant.ofEpochMilli(t);
  }
}
