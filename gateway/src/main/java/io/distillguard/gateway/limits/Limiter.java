package io.distillguard.gateway.limits;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import java.util.Map;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Request, token and concurrency limits per key and per account, chosen by the account's tier (and by the
 * {@code throttled} limits while the account is throttled).
 *
 * <p>Time is the call's event time, never the wall clock directly, so replayed days of traffic meet the same limits
 * they would have met live. Tokens are charged after the answer, with the usage the upstream reported; a request is
 * admitted while the token budget is positive, and an answer larger than the rest of the budget pushes it below zero
 * so the following requests wait for the refill (the way hosted APIs meter tokens).
 */
public final class Limiter {
  private final GatewayConfig.Limits config;
  // Idle subjects are forgotten so memory follows the active population, not every key ever seen; after ten idle
  // minutes a fresh state (full buckets) is what the old one would have refilled to anyway.
  private final Map<String, LimitState> accounts = idleExpiring();
  private final Map<String, LimitState> keys = idleExpiring();
  /** Latest event time of a call, epoch milliseconds: the rate-usage window LimitSync reads. */
  private volatile long latestEventMillis = Long.MIN_VALUE;

  public Limiter(GatewayConfig.Limits config) {
    this.config = config;
  }

  /**
   * Admits the call or says why not. When admitted, the call carries a release hook that gives back its concurrency
   * slots and charges its tokens.
   *
   * @return null when admitted, else the 429 to answer with
   */
  public ApiError acquire(Call call) {
    Account account = call.account;
    GatewayConfig.Tier tier = config.tiers.getOrDefault(account.tier(), config.tiers.get(Account.DEFAULT_TIER));
    GatewayConfig.LimitSet accountLimits =
        call.accountStatus == AccountStatus.THROTTLED ? config.throttled : tier.account;
    long now = eventNanos(call);
    if (call.eventTime.toEpochMilli() > latestEventMillis) {
      latestEventMillis = call.eventTime.toEpochMilli(); // a racy max is fine: it only picks a window to read
    }
    LimitState a = state(accounts, account.id(), accountLimits, now);
    LimitState k = state(keys, call.key.keyId(), tier.key, now);
    boolean throttled = call.accountStatus == AccountStatus.THROTTLED;

    if (!a.enterConcurrent()) {
      return ApiError.rateLimited(throttled ? "account_throttled" : "concurrency_limit_exceeded",
          "Too many concurrent requests for this account (limit " + a.limits().concurrent + ").", 1);
    }
    if (!k.enterConcurrent()) {
      a.leaveConcurrent();
      return ApiError.rateLimited("concurrency_limit_exceeded",
          "Too many concurrent requests for this key (limit " + k.limits().concurrent + ").", 1);
    }
    long wait = a.takeRequest(now);
    if (wait == 0) {
      wait = k.takeRequest(now);
      if (wait != 0) {
        a.refundRequest(now);
      }
    }
    if (wait == 0) {
      wait = a.tokenWait(now);
      if (wait == 0) {
        wait = k.tokenWait(now);
      }
      if (wait != 0) {
        a.refundRequest(now);
        k.refundRequest(now);
      }
    }
    if (wait != 0) {
      a.leaveConcurrent();
      k.leaveConcurrent();
      String what = throttled ? "This account is throttled; slow down." : "Rate limit reached; slow down.";
      return ApiError.rateLimited(throttled ? "account_throttled" : "rate_limit_exceeded", what,
          (wait + 999_999_999L) / 1_000_000_000L);
    }
    call.onRelease(() -> {
      a.leaveConcurrent();
      k.leaveConcurrent();
      long tokens = (long) call.promptTokens + call.completionTokens;
      if (tokens > 0) {
        long t = eventNanos(call);
        a.chargeTokens(t, tokens);
        k.chargeTokens(t, tokens);
      }
    });
    return null;
  }

  private static long eventNanos(Call call) {
    return call.eventTime.getEpochSecond() * 1_000_000_000L + call.eventTime.getNano();
  }

  private static LimitState state(
      Map<String, LimitState> map, String id, GatewayConfig.LimitSet limits, long nowNanos) {
    LimitState s = map.get(id);
    if (s != null && s.limits() == limits) {
      return s;
    }
    // First request, or the tier or enforcement status changed: start over with the new limits.
    return map.compute(id, (k, old) -> {
      if (old != null && old.limits() == limits) {
        return old;
      }
      LimitState fresh = new LimitState(limits, nowNanos);
      if (old != null) {
        fresh.inherit(old);
      }
      return fresh;
    });
  }

  // ---- for LimitSync: subjects are "account:ID" and "key:ID" ----

  static final String ACCOUNT = "account:";
  static final String KEY = "key:";

  /** Calls {@code each} with every subject that has limit state. */
  void forEachState(java.util.function.BiConsumer<String, LimitState> each) {
    accounts.forEach((id, s) -> each.accept(ACCOUNT + id, s));
    keys.forEach((id, s) -> each.accept(KEY + id, s));
  }

  /** The state of a subject, or null when it has none (never seen, or forgotten while idle). */
  LimitState stateOf(String subject) {
    if (subject.startsWith(ACCOUNT)) {
      return accounts.get(subject.substring(ACCOUNT.length()));
    }
    if (subject.startsWith(KEY)) {
      return keys.get(subject.substring(KEY.length()));
    }
    return null;
  }

  /** Latest event time seen, epoch milliseconds ({@code Long.MIN_VALUE} before the first call). */
  long latestEventMillis() {
    return latestEventMillis;
  }

  private static Map<String, LimitState> idleExpiring() {
    return Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).<String, LimitState>build().asMap();
  }

  /** Number of accounts and keys with limit state, for the metrics. */
  public int trackedSubjects() {
    return accounts.size() + keys.size();
  }
}
