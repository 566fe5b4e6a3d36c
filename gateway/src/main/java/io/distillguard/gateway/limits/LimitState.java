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
    return p.isConsumed() ? 0 : Math.max(1, p.getNanosToWaitForRefill());
  }

  synchronized void refundRequest(long nowNanos) {
    if (requests != null) {
      clock.set(nowNanos);
      requests.addTokens(1);
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
    }
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
