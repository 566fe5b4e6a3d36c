package io.distillguard.bench;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.auth.ApiKeys;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** What the authenticate stage does per request: split the key, hash the secret, look up, compare. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AuthBenchmark {
  private final AccountDirectory directory = new AccountDirectory();
  private String key;

  @Setup
  public void setUp() {
    ApiKeys.Generated g = ApiKeys.generate();
    key = g.key();
    directory.put(new Account("acct_bench", "bench", Map.of("tier", "enterprise"), AccountStatus.ACTIVE,
        Instant.now()));
    directory.put(new ApiKey(g.keyId(), "acct_bench", g.secretHash(), Instant.now(), null));
    for (int i = 0; i < 10_000; i++) { // a directory of realistic size
      ApiKeys.Generated other = ApiKeys.generate();
      directory.put(new ApiKey(other.keyId(), "acct_" + i, other.secretHash(), Instant.now(), null));
    }
    if (authenticate() == null) {
      throw new IllegalStateException("the key did not authenticate");
    }
  }

  /** ApiKeys.parse (includes the SHA-256 of the secret) + directory look-ups + constant-time compare. */
  @Benchmark
  public Account authenticate() {
    ApiKeys.Presented p = ApiKeys.parse(key);
    ApiKey k = p == null ? null : directory.key(p.keyId());
    if (k == null || !ApiKeys.matches(k.secretHash(), p.secretHash()) || k.revoked()) {
      return null;
    }
    return directory.account(k.accountId());
  }

  /** Only ApiKeys.parse (shape check + SHA-256). */
  @Benchmark
  public ApiKeys.Presented parseKey() {
    return ApiKeys.parse(key);
  }
}
