package io.distillguard.sim.http;

import io.distillguard.sim.Actor;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a runner drives: requests in time order, and the gateway's answer to each handed back. A {@link Simulation}
 * is one ({@link #of}); so is a plain list of actors ({@link #merge}).
 *
 * <p>A runner calls both methods from one thread. {@link #next()} may return null while answers are still
 * outstanding and requests again after they are reported (an actor that reacts to an answer); a runner stops when it
 * returns null with nothing outstanding.
 */
public interface TrafficSource {

  /** The next request in time order, or null when there is none (for now). */
  SimRequest next();

  /** The answer to a request {@link #next()} returned. */
  void report(SimRequest request, SimResult result);

  /** A simulation as a source. */
  static TrafficSource of(Simulation simulation) {
    return new TrafficSource() {
      @Override
      public SimRequest next() {
        return simulation.next();
      }

      @Override
      public void report(SimRequest request, SimResult result) {
        simulation.report(request, result);
      }
    };
  }

  /** Merges actors by the time of their next request (earliest first; ties in list order). */
  static TrafficSource merge(List<? extends Actor> actors) {
    List<Actor> list = List.copyOf(actors);
    Map<SimRequest, Actor> owners = new IdentityHashMap<>();
    return new TrafficSource() {
      @Override
      public SimRequest next() {
        Actor best = null;
        Instant bestTime = null;
        for (Actor a : list) {
          Instant t = a.peek();
          if (t != null && (bestTime == null || t.isBefore(bestTime))) {
            best = a;
            bestTime = t;
          }
        }
        if (best == null) {
          return null;
        }
        SimRequest r = best.next();
        owners.put(r, best);
        return r;
      }

      @Override
      public void report(SimRequest request, SimResult result) {
        Actor a = owners.remove(request);
        if (a != null) {
          a.onResult(request, result);
        }
      }
    };
  }
}
