package io.distillguard.gateway.limits;

import io.distillguard.store.RateUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits across gateway nodes that share a PostgreSQL store (docs/scale.md, "Rate limits across nodes"). Each
 * node keeps enforcing with its own local buckets on the event loop, without a database round trip; on its own thread,
 * every sync interval, this writes what the node admitted per subject since the last sync (one batched upsert into
 * {@code rate_usage}, with the node's heartbeat), reads what the other nodes admitted for the subjects this node holds,
 * and takes that out of the local buckets. The cluster then admits about what one bucket would, plus what other nodes
 * admitted that this node has not read yet.
 *
 * <p>When the store cannot be reached the node goes on enforcing its local limits alone (fail-open to local limits),
 * keeps what it admitted in the meantime, counts the failed syncs, and sends it all with the first sync that works.
 */
public final class LimitSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LimitSync.class);
  /** Usage is counted per minute of event time, the unit of the limits. */
  static final long WINDOW_MILLIS = 60_000;
  /** Windows kept in the store; older ones no longer change anything. */
  private static final long KEEP_MILLIS = 5 * WINDOW_MILLIS;

  private final Limiter limiter;
  private final RateUsage usage;
  private final String node;
  private final Duration interval;
  private final Clock clock;
  private final Map<String, long[]> seen = new HashMap<>();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean healthy = true;
  private volatile int liveNodes = 1;
  private long consecutiveFailures;
  private Instant nextPrune = Instant.MIN;
  private ScheduledExecutorService timer;

  /**
   * @param node     this node's name among those sharing the store
   * @param interval how often {@link #start() started} syncs run
   */
  public LimitSync(Limiter limiter, RateUsage usage, String node, Duration interval, Clock clock) {
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.usage = Objects.requireNonNull(usage, "usage");
    this.node = Objects.requireNonNull(node, "node");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Syncs every interval on a thread of its own until {@link #close()}. */
  public synchronized LimitSync start() {
    if (timer == null) {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "limits-sync");
        t.setDaemon(true);
        return t;
      });
      long ms = interval.toMillis();
      timer.scheduleWithFixedDelay(this::syncQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void syncQuietly() {
    try {
      syncNow();
    } catch (RuntimeException | Error e) {
      // Never let the scheduler drop the task.
      LOG.error("rate-limit sync failed unexpectedly", e);
    }
  }

  /**
   * One sync: write this node's consumption, read the others', apply it. Called by the timer; tests call it to step
   * deterministically.
   *
   * @return false when the store could not be reached (nothing is lost: the consumption is sent next time)
   */
  public synchronized boolean syncNow() {
    List<Drained> drained = new ArrayList<>();
    Map<String, RateUsage.Delta> deltas = new HashMap<>();
    limiter.forEachState((subject, state) -> {
      long[] p = state.drainPending();
      if (p[0] != 0 || p[1] != 0) {
        drained.add(new Drained(state, p[0], p[1]));
        long window = window(state.eventNanos() / 1_000_000);
        deltas.merge(subject + "\n" + window, new RateUsage.Delta(subject, window, p[0], p[1]),
            (x, y) -> new RateUsage.Delta(subject, window, x.requests() + y.requests(), x.tokens() + y.tokens()));
      }
    });
    Instant now = clock.instant();
    try {
      usage.add(node, deltas.values(), now);
    } catch (RuntimeException e) {
      for (Drained d : drained) {
        d.state.returnPending(d.requests, d.tokens);
      }
      return failed(e);
    }
    long latest = limiter.latestEventMillis();
    if (latest == Long.MIN_VALUE) {
      return succeeded(now);
    }
    long current = window(latest);
    long from = current - WINDOW_MILLIS;
    List<String> subjects = new ArrayList<>();
    List<LimitState> states = new ArrayList<>();
    limiter.forEachState((subject, state) -> {
      subjects.add(subject);
      states.add(state);
    });
    List<RateUsage.Usage> others;
    try {
      others = usage.others(node, subjects, from);
    } catch (RuntimeException e) {
      return failed(e);
    }
    apply(others, current, latest);
    for (LimitState s : states) {
      s.markSynced();
    }
    seen.values().removeIf(v -> v[2] < from);
    return succeeded(now);
  }

  /**
   * Takes each other node's growth since the last read out of the local buckets. A subject read for the first time
   * takes all of the current window and the part of the previous window that would not have refilled yet (the
   * sliding-window estimate: its share of the minute still ahead).
   */
  private void apply(List<RateUsage.Usage> others, long current, long latest) {
    Map<LimitState, long[]> take = new HashMap<>();
    double previousShare = 1.0 - (double) (latest - current) / WINDOW_MILLIS;
    for (RateUsage.Usage u : others) {
      LimitState state = limiter.stateOf(u.subject());
      String key = u.subject() + "\n" + u.windowStart() + "\n" + u.node();
      long[] prev = state != null && state.synced() ? seen.get(key) : null;
      seen.put(key, new long[] {u.requests(), u.tokens(), u.windowStart()});
      if (state == null) {
        continue;
      }
      // Totals only grow, except by a refund that crossed a sync: a shrinking total takes nothing back.
      long dr = Math.max(0, prev == null ? u.requests() : u.requests() - prev[0]);
      long dt = Math.max(0, prev == null ? u.tokens() : u.tokens() - prev[1]);
      if (prev == null && !state.synced() && u.windowStart() < current) {
        dr = Math.round(dr * previousShare);
        dt = Math.round(dt * previousShare);
      }
      long[] t = take.computeIfAbsent(state, s -> new long[2]);
      t[0] += dr;
      t[1] += dt;
    }
    take.forEach((state, t) -> state.absorb(t[0], t[1]));
  }

  private boolean succeeded(Instant now) {
    syncs.incrementAndGet();
    if (!healthy) {
      LOG.info("rate-limit sync with the other gateway nodes works again after {} failed attempts",
          consecutiveFailures);
    }
    healthy = true;
    consecutiveFailures = 0;
    try {
      liveNodes = Math.max(1, usage.liveNodes(now.minus(interval.multipliedBy(4))).size());
      if (!now.isBefore(nextPrune)) {
        nextPrune = now.plus(Duration.ofMinutes(1));
        long latest = limiter.latestEventMillis();
        usage.prune(latest == Long.MIN_VALUE ? Long.MIN_VALUE : window(latest) - KEEP_MILLIS,
            now.minus(Duration.ofMinutes(10)));
      }
    } catch (RuntimeException e) {
      LOG.debug("rate-limit bookkeeping failed; retried next sync", e);
    }
    return true;
  }

  private boolean failed(RuntimeException e) {
    failures.incrementAndGet();
    if (consecutiveFailures++ == 0) {
      LOG.warn("rate-limit sync with the other gateway nodes failed; enforcing this node's local limits alone until "
          + "the store is back: {}", e.getMessage());
    }
    healthy = false;
    return false;
  }

  static long window(long epochMillis) {
    return Math.floorDiv(epochMillis, WINDOW_MILLIS) * WINDOW_MILLIS;
  }

  /** Syncs that reached the store. */
  public long syncs() {
    return syncs.get();
  }

  /** Syncs that could not reach the store (each one enforced local limits only until the next). */
  public long failures() {
    return failures.get();
  }

  /** False from a failed sync until the next one that works. */
  public boolean healthy() {
    return healthy;
  }

  /** Nodes with a recent heartbeat, this one included (as of the last sync). */
  public int liveNodes() {
    return liveNodes;
  }

  /** Stops the timer after a last sync, so what this node admitted reaches the others. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
      syncQuietly();
    }
  }

  private record Drained(LimitState state, long requests, long tokens) {}
}
