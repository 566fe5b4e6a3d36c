package io.distillguard.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.core.Outcome;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.config.GatewayConfig.LimitSet;
import io.distillguard.gateway.config.GatewayConfig.Tier;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limiter on the calls' event time: every test is exact, no wall clock involved. */
class LimiterTest {
  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  private static GatewayConfig.Limits limits(LimitSet account, LimitSet key, LimitSet throttled) {
    GatewayConfig.Limits l = new GatewayConfig.Limits();
    l.tiers.put("default", Tier.of(account, key));
    l.tiers.put("gold", Tier.of(LimitSet.of(1000, 0, 0), LimitSet.of(0, 0, 0)));
    l.throttled = throttled;
    return l;
  }

  private static Call call(String accountId, String keyId, Instant at) {
    return call(accountId, keyId, at, AccountStatus.ACTIVE, Map.of());
  }

  private static Call call(String accountId, String keyId, Instant at, AccountStatus status,
      Map<String, String> attributes) {
    Call c = new Call(null, null, Endpoint.CHAT_COMPLETIONS, "/v1/chat/completions", System.nanoTime(), "ex");
    c.account = new Account(accountId, null, attributes, status, T0);
    c.key = new ApiKey(keyId, accountId, new byte[32], T0, null);
    c.accountStatus = status;
    c.eventTime = at;
    return c;
  }

  private static void end(Call c) {
    c.finish(Outcome.OK, 200, null, () -> {});
  }

  /** Acquires and ends at once; returns the refusal or null. */
  private static ApiError once(Limiter l, Call c) {
    ApiError e = l.acquire(c);
    if (e == null) {
      end(c);
    }
    return e;
  }

  @Test
  void requestsPerMinuteFollowEventTime() {
    Limiter l = new Limiter(limits(LimitSet.of(3, 0, 0), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 1)));
    for (int i = 0; i < 3; i++) {
      assertThat(once(l, call("a", "k", T0))).isNull();
    }
    ApiError refused = once(l, call("a", "k", T0));
    assertThat(refused).isNotNull();
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.type()).isEqualTo("rate_limit_error");
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    // 3 per minute refill greedily: one every 20 s
    assertThat(refused.retryAfterSeconds()).isBetween(1L, 20L);
    assertThat(once(l, call("a", "k", T0.plusSeconds(19)))).isNotNull();
    assertThat(once(l, call("a", "k", T0.plusSeconds(20)))).isNull();
    assertThat(once(l, call("a", "k", T0.plusSeconds(20)))).isNotNull();
    // a quiet hour refills to capacity, not beyond
    Instant later = T0.plus(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertThat(once(l, call("a", "k", later))).isNull();
    }
    assertThat(once(l, call("a", "k", later))).isNotNull();
  }

  @Test
  void lateEventsDoNotMintRequests() {
    Limiter l = new Limiter(limits(LimitSet.of(1, 0, 0), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 1)));
    assertThat(once(l, call("a", "k", T0.plusSeconds(600)))).isNull();
    // an event stamped earlier than what the bucket has seen does not travel back in time
    assertThat(once(l, call("a", "k", T0))).isNotNull();
    assertThat(once(l, call("a", "k", T0.plusSeconds(600)))).isNotNull();
    assertThat(once(l, call("a", "k", T0.plusSeconds(660)))).isNull();
  }

  @Test
  void accountsAreLimitedSeparately() {
    Limiter l = new Limiter(limits(LimitSet.of(1, 0, 0), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 1)));
    assertThat(once(l, call("a", "ka", T0))).isNull();
    assertThat(once(l, call("b", "kb", T0))).isNull();
    assertThat(once(l, call("a", "ka", T0))).isNotNull();
    assertThat(once(l, call("b", "kb", T0))).isNotNull();
  }

  @Test
  void keysOfOneAccountShareTheAccountLimitAndHaveTheirOwn() {
    Limiter l = new Limiter(limits(LimitSet.of(3, 0, 0), LimitSet.of(2, 0, 0), LimitSet.of(1, 0, 1)));
    assertThat(once(l, call("a", "k1", T0))).isNull();
    assertThat(once(l, call("a", "k1", T0))).isNull();
    assertThat(once(l, call("a", "k1", T0))).as("key limit").isNotNull();
    assertThat(once(l, call("a", "k2", T0))).isNull();
    assertThat(once(l, call("a", "k2", T0))).as("account limit: 3 used").isNotNull();
  }

  @Test
  void refusedRequestsDoNotUseUpTheBudget() {
    Limiter l = new Limiter(limits(LimitSet.of(2, 0, 0), LimitSet.of(1, 0, 0), LimitSet.of(1, 0, 1)));
    assertThat(once(l, call("a", "k1", T0))).isNull();
    for (int i = 0; i < 5; i++) {
      assertThat(once(l, call("a", "k1", T0))).as("key k1 exhausted").isNotNull();
    }
    // the account bucket was refunded each time k1 was refused, so k2 still gets the second account request
    assertThat(once(l, call("a", "k2", T0))).isNull();
  }

  @Test
  void tokensAreChargedAfterTheAnswerAndMayPushTheBudgetBelowZero() {
    Limiter l = new Limiter(limits(LimitSet.of(0, 100, 0), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 1)));
    Call first = call("a", "k", T0);
    assertThat(l.acquire(first)).isNull();
    // a second request while the first is still running: the budget is still positive
    Call second = call("a", "k", T0);
    assertThat(l.acquire(second)).isNull();
    first.promptTokens = 30;
    first.completionTokens = 120; // 150 > 100: budget now at -50
    end(first);
    end(second); // no usage reported: nothing charged

    ApiError refused = once(l, call("a", "k", T0));
    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    // 51 tokens at 100/minute is 30.6 s
    assertThat(refused.retryAfterSeconds()).isEqualTo(31);
    assertThat(once(l, call("a", "k", T0.plusSeconds(30)))).isNotNull();
    assertThat(once(l, call("a", "k", T0.plusSeconds(31)))).isNull();
  }

  @Test
  void tokensAreChargedAtTheCallsEventTime() {
    Limiter l = new Limiter(limits(LimitSet.of(0, 60, 0), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 1)));
    Call c = call("a", "k", T0);
    assertThat(l.acquire(c)).isNull();
    c.completionTokens = 60;
    end(c);
    ApiError refused = once(l, call("a", "k", T0));
    assertThat(refused).isNotNull();
    assertThat(refused.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
    assertThat(once(l, call("a", "k", T0.plusSeconds(1)))).isNull();
  }

  @Test
  void concurrencySlotsAreReleasedWhenTheCallEnds() {
    Limiter l = new Limiter(limits(LimitSet.of(0, 0, 2), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 1)));
    Call a = call("acct", "k", T0);
    Call b = call("acct", "k", T0);
    assertThat(l.acquire(a)).isNull();
    assertThat(l.acquire(b)).isNull();
    ApiError refused = l.acquire(call("acct", "k", T0));
    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo("concurrency_limit_exceeded");
    assertThat(refused.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
    end(a);
    end(a); // ending twice releases once
    Call c = call("acct", "k", T0);
    assertThat(l.acquire(c)).isNull();
    assertThat(l.acquire(call("acct", "k", T0))).isNotNull();
    end(b);
    end(c);
    assertThat(l.acquire(call("acct", "k", T0))).isNull();
  }

  @Test
  void keyConcurrencyRefusalGivesBackTheAccountSlot() {
    Limiter l = new Limiter(limits(LimitSet.of(0, 0, 2), LimitSet.of(0, 0, 1), LimitSet.of(1, 0, 1)));
    Call a = call("acct", "k1", T0);
    assertThat(l.acquire(a)).isNull();
    for (int i = 0; i < 3; i++) {
      ApiError e = l.acquire(call("acct", "k1", T0));
      assertThat(e).isNotNull();
      assertThat(e.message()).contains("key");
    }
    assertThat(l.acquire(call("acct", "k2", T0))).as("account slot 2 still free").isNull();
  }

  @Test
  void throttledAccountsGetTheThrottledLimits() {
    Limiter l = new Limiter(limits(LimitSet.of(100, 0, 0), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 0)));
    assertThat(once(l, call("a", "k", T0, AccountStatus.THROTTLED, Map.of()))).isNull();
    ApiError refused = once(l, call("a", "k", T0, AccountStatus.THROTTLED, Map.of()));
    assertThat(refused).isNotNull();
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("account_throttled");
    assertThat(refused.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
    // back to active: the tier's generous limits apply again
    for (int i = 0; i < 10; i++) {
      assertThat(once(l, call("a", "k", T0, AccountStatus.ACTIVE, Map.of()))).isNull();
    }
  }

  @Test
  void throttledConcurrencyRefusalSaysThrottled() {
    Limiter l = new Limiter(limits(LimitSet.of(0, 0, 0), LimitSet.of(0, 0, 0), LimitSet.of(0, 0, 1)));
    Call running = call("a", "k", T0, AccountStatus.THROTTLED, Map.of());
    assertThat(l.acquire(running)).isNull();
    ApiError e = l.acquire(call("a", "k", T0, AccountStatus.THROTTLED, Map.of()));
    assertThat(e.code()).isEqualTo("account_throttled");
  }

  @Test
  void theTierAttributePicksTheLimits() {
    Limiter l = new Limiter(limits(LimitSet.of(1, 0, 0), LimitSet.of(0, 0, 0), LimitSet.of(1, 0, 1)));
    for (int i = 0; i < 50; i++) {
      assertThat(once(l, call("g", "kg", T0, AccountStatus.ACTIVE, Map.of("tier", "gold")))).isNull();
    }
    // an unknown tier falls back to default
    assertThat(once(l, call("u", "ku", T0, AccountStatus.ACTIVE, Map.of("tier", "platinum")))).isNull();
    assertThat(once(l, call("u", "ku", T0, AccountStatus.ACTIVE, Map.of("tier", "platinum")))).isNotNull();
  }

  @Test
  void zeroMeansUnlimited() {
    Limiter l = new Limiter(limits(LimitSet.of(0, 0, 0), LimitSet.of(0, 0, 0), LimitSet.of(0, 0, 0)));
    for (int i = 0; i < 1000; i++) {
      Call c = call("a", "k", T0);
      assertThat(l.acquire(c)).isNull();
      c.completionTokens = 1_000_000;
      end(c);
    }
    assertThat(l.trackedSubjects()).isEqualTo(2);
  }
}
