package io.distillguard.sim.run;

/**
 * One account's request bucket and token budget, on event time: the semantics of the gateway's
 * {@code gateway/.../limits/Limiter} and {@code LimitState} (Bucket4j buckets with greedy refill on a settable
 * clock), in a few lines and without locks.
 *
 * <ul>
 *   <li>Both start full at the first request; the request bucket holds {@code requestsPerMinute} and refills
 *       continuously at that rate per minute; a request takes one.</li>
 *   <li>A request is admitted while the token budget is positive; the answer's tokens (prompt + completion) are
 *       charged afterwards and may push it below zero, so later requests wait for the refill.</li>
 *   <li>A refused request gives back its request token (the gateway refunds when the token budget refuses).</li>
 *   <li>Time never goes backwards: a late event is treated as happening at the latest time seen.</li>
 * </ul>
 */
final class LimitBuckets {
  private static final double NANOS_PER_MINUTE = 60e9;

  final SimLimits.Limit limit;
  private double requests;
  private double tokens;
  private long now;

  LimitBuckets(SimLimits.Limit limit, long nowNanos) {
    this.limit = limit;
    this.requests = limit.requestsPerMinute();
    this.tokens = limit.tokensPerMinute();
    this.now = nowNanos;
  }

  /** Admits a request at {@code t}: 0 when admitted, else nanoseconds until it could be. */
  long acquire(long t) {
    advance(t);
    long rpm = limit.requestsPerMinute();
    if (rpm > 0) {
      if (requests < 1) {
        return Math.max(1, (long) Math.ceil((1 - requests) * NANOS_PER_MINUTE / rpm));
      }
    }
    long tpm = limit.tokensPerMinute();
    if (tpm > 0 && tokens <= 0) {
      return Math.max(1, (long) Math.ceil((1 - tokens) * NANOS_PER_MINUTE / tpm));
    }
    if (rpm > 0) {
      requests -= 1;
    }
    return 0;
  }

  /** Charges an answer's tokens. */
  void charge(long tokenCount) {
    if (limit.tokensPerMinute() > 0) {
      tokens -= tokenCount;
    }
  }

  private void advance(long t) {
    if (t <= now) {
      return;
    }
    double minutes = (t - now) / NANOS_PER_MINUTE;
    now = t;
    long rpm = limit.requestsPerMinute();
    if (rpm > 0) {
      requests = Math.min(rpm, requests + minutes * rpm);
    }
    long tpm = limit.tokensPerMinute();
    if (tpm > 0) {
      tokens = Math.min(tpm, tokens + minutes * tpm);
    }
  }

  /** Retry-After for a wait, as the gateway rounds it: whole seconds, at least 1. */
  static long retryAfterSeconds(long waitNanos) {
    return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
  }
}
