package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each model became available, as one engine sees it: shared by all accounts of a {@link PivotDetector} (like a
 * broadcast state in a stream job), not per account. Release times are either stated ({@link #listed}, e.g. by an
 * operator who publishes a model) or learned from traffic: a model first served after a warm-up period counts as
 * released at that moment; models served during the warm-up were there before the catalog started (their release
 * time is unknown, so they never count as new — a restarted gateway must not take its whole catalog for new).
 *
 * <p>Bounded: at most {@link #MAX_MODELS} models; later names are ignored. Only served exchanges teach it, so names
 * that the upstream refused (typos, probes) cannot fill it. Thread-safe.
 */
public final class ModelCatalog {
  public static final int MAX_MODELS = 256;
  /** Release time of a model that was available before the catalog started. */
  public static final long ESTABLISHED = Long.MIN_VALUE;
  private static final long UNSET = Long.MIN_VALUE;

  private final long warmupSeconds;
  private final AtomicLong origin = new AtomicLong(UNSET);
  private final ConcurrentHashMap<String, Long> released = new ConcurrentHashMap<>();

  /** @param warmup models first served within this much event time of the first exchange are established */
  public ModelCatalog(Duration warmup) {
    this.warmupSeconds = warmup.toSeconds();
  }

  /** States a model's release (first listing in {@code /v1/models}); overrides what traffic taught. */
  public void listed(String model, Instant at) {
    if (model != null && (released.size() < MAX_MODELS || released.containsKey(model))) {
      released.put(model, at.getEpochSecond());
    }
  }

  /**
   * Learns from one exchange and answers when its model was released.
   *
   * @return epoch second of the release, {@link #ESTABLISHED}, or {@link #ESTABLISHED} for an unknown model that
   *     taught nothing (refused, no model, catalog full)
   */
  public long observe(Exchange e) {
    String model = e.model();
    if (model == null) {
      return ESTABLISHED;
    }
    Long r = released.get(model);
    if (r != null) {
      return r;
    }
    if (e.outcome() != Outcome.OK || released.size() >= MAX_MODELS) {
      return ESTABLISHED;
    }
    long t = e.eventTime().getEpochSecond();
    origin.compareAndSet(UNSET, t);
    long first = t - origin.get() < warmupSeconds ? ESTABLISHED : t;
    Long prior = released.putIfAbsent(model, first);
    return prior == null ? first : prior;
  }

  /** Release time of a model, {@link #ESTABLISHED} when it was there before, or null when never seen. */
  public Long releasedAt(String model) {
    return released.get(model);
  }

  public int size() {
    return released.size();
  }
}
