package io.distillguard.bench;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.core.Outcome;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.limits.Limiter;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The limit stage's work per call: {@link Limiter#acquire} (account and key buckets, concurrency counters) and the
 * release when the call ends (concurrency back, tokens charged). {@code generous}: limits so high they never refuse,
 * so the buckets run; {@code off}: limits 0, the buckets are skipped; {@code enterprise}: the shipped enterprise tier
 * with the event time advanced so the buckets refill and never refuse.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LimiterBenchmark {
  @Param({"generous", "off", "enterprise"})
  public String limits;

  private Limiter limiter;
  private Account account;
  private ApiKey key;
  private Instant eventTime = Instant.parse("2026-01-05T09:30:00Z");
  private long stepNanos;

  @Setup
  public void setUp() {
    GatewayConfig.Limits l = switch (limits) {
      case "generous" -> Fixtures.generousLimits();
      case "off" -> Fixtures.noLimits();
      default -> new GatewayConfig.Limits();
    };
    // The enterprise key allows 3,000 requests/minute: 25 ms of event time per call stays below it.
    stepNanos = limits.equals("enterprise") ? 25_000_000L : 1_000L;
    limiter = new Limiter(l);
    account = new Account("acct_bench", "bench", Map.of("tier", "enterprise"), AccountStatus.ACTIVE, Instant.now());
    key = new ApiKey("abcdefghijkl", "acct_bench", new byte[32], Instant.now(), null);
    if (acquireAndRelease() != null) {
      throw new IllegalStateException("the limiter refused");
    }
  }

  @Benchmark
  public ApiError acquireAndRelease() {
    eventTime = eventTime.plusNanos(stepNanos);
    Call call = new Call(null, null, Endpoint.CHAT_COMPLETIONS, "/v1/chat/completions", 0L, "ex_bench");
    call.account = account;
    call.key = key;
    call.eventTime = eventTime;
    ApiError refused = limiter.acquire(call);
    if (refused != null) {
      return refused;
    }
    call.promptTokens = 8;
    call.completionTokens = 7;
    call.finish(Outcome.OK, 200, null, () -> { });
    return null;
  }
}
