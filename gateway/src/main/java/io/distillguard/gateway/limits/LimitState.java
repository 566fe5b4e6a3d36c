package io.distillguard.gateway.limits;

import io.distillguard.gateway.config.GatewayConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The limit state of one account or one key: a request bucket, a token bucket and a concurrency counter. Buckets read
 * time from a clock the caller sets to the call's event time; the state is locked while a bucket is used so the
 * clock and the bucket move together.
 */
final class LimitState {
  private final GatewayConfig.LimitSet limits;
  private final SettableClock clock = new SettableClock();
  private final Bucket requests;
  private final Bucket tokens;
  private final AtomicInteger inFlight = new AtomicInteger();
  // What this node admitted since the last sync with the other nodes (LimitSync), net of refunds; guarded by this.
  private long pendingRequests;
  private long pendingTokens;
  private boolean synced;

  /** @param nowNanos the event time of the first call, so the buckets start full at that moment */
  LimitState(GatewayConfig.LimitSet limits, long nowNanos) {
    this.limits = limits;
    clock.set(nowNanos);
    this.requests = limits.requestsPerMinute > 0 ? perMinute(limits.requestsPerMinute) : null;
    this.tokens = limits.tokensPerMinute > 0 ? perMinute(limits.tokensPerMinute) : null;
  }

  GatewayConfig.LimitSet limits() {
    return limits;
  }

  boolean enterConcurrent() {
    if (limits.concurrent <= 0) {
      return true;
    }
    if (inFlight.incrementAndGet() > limits.concurrent) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  void leaveConcurrent() {
    if (limits.concurrent > 0) {
      inFlight.decrementAndGet();
    }
  }

  /** Takes one request; returns 0 when allowed, else nanoseconds until one is available. */
  synchronized long takeRequest(long nowNanos) {
    if (requests == null) {
      return 0;
    }
    clock.set(nowNanos);
    ConsumptionProbe p = requests.tryConsumeAndReturnRemaining(1);
    if (p.isConsumed()) {
      pendingRequests++;
      return 0;
    }
    return Math.max(1, p.getNanosToWaitForRefill());
  }

  synchronized void refundRequest(long nowNanos) {
    if (requests != null) {
      clock.set(nowNanos);
      requests.addTokens(1);
      pendingRequests--;
    }
  }

  /** Returns 0 while the token budget is positive, else nanoseconds until it is. */
  synchronized long tokenWait(long nowNanos) {
    if (tokens == null) {
      return 0;
    }
    clock.set(nowNanos);
    if (tokens.getAvailableTokens() > 0) {
      return 0;
    }
    return Math.max(1, tokens.estimateAbilityToConsume(1).getNanosToWaitForRefill());
  }

  synchronized void chargeTokens(long nowNanos, long n) {
    if (tokens != null) {
      clock.set(nowNanos);
      tokens.consumeIgnoringRateLimits(n);
      pendingTokens += n;
    }
  }

  // ---- sharing with other nodes (LimitSync, on its own thread) ----

  /** The event time the buckets are at. */
  synchronized long eventNanos() {
    return clock.currentTimeNanos();
  }

  /** Takes what was admitted since the last call: {requests, tokens}. */
  synchronized long[] drainPending() {
    long[] p = {pendingRequests, pendingTokens};
    pendingRequests = 0;
    pendingTokens = 0;
    return p;
  }

  /** Gives back a drain whose write failed, to be sent with the next sync. */
  synchronized void returnPending(long requests, long tokens) {
    pendingRequests += requests;
    pendingTokens += tokens;
  }

  /**
   * Takes what other nodes admitted out of the buckets (into debt if need be), so the next requests here wait for
   * the refill the cluster as a whole has earned. Capped at ten minutes' worth: more debt would only delay recovery
   * from a miscount, and unbounded debt could overflow the buckets' arithmetic.
   */
  synchronized void absorb(long otherRequests, long otherTokens) {
    if (requests != null && otherRequests > 0) {
      requests.consumeIgnoringRateLimits(Math.min(otherRequests, limits.requestsPerMinute * 10));
    }
    if (tokens != null && otherTokens > 0) {
      tokens.consumeIgnoringRateLimits(Math.min(otherTokens, limits.tokensPerMinute * 10));
    }
  }

  /** Whether other nodes' consumption has been read for this state at least once. */
  synchronized boolean synced() {
    return synced;
  }

  synchronized void markSynced() {
    synced = true;
  }

  /** Carries what a replaced state (the limits changed) had not shared yet, and whether it was synced. */
  synchronized void inherit(LimitState old) {
    long[] p = old.drainPending();
    pendingRequests += p[0];
    pendingTokens += p[1];
    synced = old.synced();
  }

  private Bucket perMinute(long perMinute) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .withCustomTimePrecision(clock)
        .build();
  }

  /** Event time for the buckets; never goes backwards, so late events cannot mint tokens. */
  private static final class SettableClock implements TimeMeter {
    private long now = Long.MIN_VALUE;

    void set(long nanos) {
      if (nanos > now) {
        now = nanos;
      }
    }

    @Override
    public long currentTimeNanos() {
      return now;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }
}
