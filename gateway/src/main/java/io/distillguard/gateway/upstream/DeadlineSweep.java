package io.distillguard.gateway.upstream;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Checks the upstream deadlines of every call in flight on one event loop with one periodic timer, instead of a
 * timer armed and cancelled per call. Lives in the event loop's context and is only touched from its thread. The
 * periodic timer stops after a while without calls and starts again with the next one, so an idle gateway does not
 * wake up for nothing.
 */
final class DeadlineSweep {
  /** How often deadlines are checked: the most a timeout can fire late. */
  static final long PERIOD_MS = 50;
  private static final int IDLE_SWEEPS_BEFORE_STOP = 200;
  private static final String KEY = DeadlineSweep.class.getName();

  private final Vertx vertx;
  private final Set<UpstreamTimer> watched = Collections.newSetFromMap(new IdentityHashMap<>());
  private final List<UpstreamTimer> scratch = new ArrayList<>();
  private long periodicId = -1;
  private int idleSweeps;

  private DeadlineSweep(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The sweep of the calling event loop's context. */
  static DeadlineSweep current(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    DeadlineSweep sweep = ctx.get(KEY);
    if (sweep == null) {
      sweep = new DeadlineSweep(vertx);
      ctx.put(KEY, sweep);
    }
    return sweep;
  }

  void watch(UpstreamTimer timer) {
    watched.add(timer);
    idleSweeps = 0;
    if (periodicId < 0) {
      periodicId = vertx.setPeriodic(PERIOD_MS, id -> sweep());
    }
  }

  void unwatch(UpstreamTimer timer) {
    watched.remove(timer);
  }

  private void sweep() {
    if (watched.isEmpty()) {
      if (++idleSweeps >= IDLE_SWEEPS_BEFORE_STOP) {
        vertx.cancelTimer(periodicId);
        periodicId = -1;
      }
      return;
    }
    idleSweeps = 0;
    long now = System.nanoTime();
    // A timeout's handler unwatches its timer (and may finish other work): iterate over a copy.
    scratch.addAll(watched);
    try {
      for (UpstreamTimer t : scratch) {
        t.check(now);
      }
    } finally {
      scratch.clear();
    }
  }
}
