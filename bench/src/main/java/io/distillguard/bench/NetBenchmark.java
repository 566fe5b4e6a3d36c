package io.distillguard.bench;

import io.distillguard.gateway.net.HeaderFingerprint;
import io.distillguard.gateway.net.TrustedProxies;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** What the data plane does for every request before the stages: the client address and the header fingerprint. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NetBenchmark {
  private final TrustedProxies proxies = new TrustedProxies(List.of("127.0.0.0/8", "::1/128"));
  private final TrustedProxies lbProxies = new TrustedProxies(List.of("10.0.0.0/8", "127.0.0.0/8", "::1/128"));
  private final MultiMap sdkHeaders = BenchSupport.sdkHeaders("sk-dg-abcdefghijkl.secret", 1024);
  private final MultiMap curlHeaders = MultiMap.caseInsensitiveMultiMap()
      .add("Host", "127.0.0.1:8080").add("User-Agent", "curl/7.88.1").add("Accept", "*/*")
      .add("Content-Type", "application/json").add("Authorization", "Bearer sk-dg-abcdefghijkl.secret")
      .add("Content-Length", "100");

  /** Direct client, no X-Forwarded-For (the load test's case: the peer is loopback, so trusted). */
  @Benchmark
  public String clientAddressDirect() {
    return proxies.clientAddress("127.0.0.1", null);
  }

  /** Behind a load balancer: a two-hop X-Forwarded-For walked from the right. */
  @Benchmark
  public String clientAddressForwarded() {
    return lbProxies.clientAddress("10.1.2.3", "203.0.113.7, 10.0.0.5");
  }

  /** HeaderFingerprint.of for the 17 headers an OpenAI Python SDK request carries. */
  @Benchmark
  public String headerFingerprintSdk() {
    return HeaderFingerprint.of(sdkHeaders);
  }

  /** HeaderFingerprint.of for curl's 6 headers. */
  @Benchmark
  public String headerFingerprintCurl() {
    return HeaderFingerprint.of(curlHeaders);
  }
}
