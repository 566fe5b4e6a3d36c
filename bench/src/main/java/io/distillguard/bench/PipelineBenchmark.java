package io.distillguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.core.Outcome;
import io.distillguard.gateway.Ids;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.auth.ApiKeys;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.gateway.limits.Limiter;
import io.distillguard.gateway.log.ExchangeLog;
import io.distillguard.gateway.metrics.GatewayMetrics;
import io.distillguard.gateway.net.HeaderFingerprint;
import io.distillguard.gateway.net.TrustedProxies;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.gateway.pipeline.StageChain;
import io.distillguard.gateway.stages.AdmissionStage;
import io.distillguard.gateway.stages.AuthenticateStage;
import io.distillguard.gateway.stages.EnforcementStage;
import io.distillguard.gateway.stages.LimitStage;
import io.distillguard.gateway.stages.MetricsStage;
import io.distillguard.gateway.stages.ParseStage;
import io.distillguard.gateway.stages.RecordStage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole request through the gateway's real stage chain with the network taken out: the data plane's
 * per-request work (exchange id, client address, header fingerprint, event time), then metrics, record (the real
 * exchange log: encode + journal append + queue; the store behind it is a no-op), admission, authenticate, parse,
 * enforcement, limits, and in place of the forward stage the parse of a canned upstream answer and the end of the
 * call. This is the CPU the gateway spends on a call outside Netty/Vert.x HTTP handling and the upstream hop.
 * The request object is a dynamic proxy (adds a few tens of ns of reflection to header reads).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PipelineBenchmark {
  @Param({"small", "1kb"})
  public String body;

  private Path dir;
  private ExchangeLog exchangeLog;
  private StageChain chain;
  private TrustedProxies proxies;
  private HttpServerRequest request;
  private Buffer requestBody;

  @Setup(Level.Trial)
  public void setUp() {
    ApiKeys.Generated g = ApiKeys.generate();
    AccountDirectory directory = new AccountDirectory();
    directory.put(new Account("acct_bench", "bench", Map.of("tier", "enterprise"), AccountStatus.ACTIVE,
        Instant.now()));
    directory.put(new ApiKey(g.keyId(), "acct_bench", g.secretHash(), Instant.now(), null));
    EnforcementCache enforcement = new EnforcementCache();
    enforcement.set("acct_bench", AccountStatus.ACTIVE);
    dir = BenchSupport.tempDir("dg-bench-pipeline");
    exchangeLog = new ExchangeLog(new BenchSupport.NullRepository(), new ExchangeLog.Options(
        dir.resolve("journal"), 20_000, 500, Duration.ofMillis(100), 30, false, false, 64L << 20));
    byte[] answer = Fixtures.CHAT_RESPONSE.getBytes(StandardCharsets.UTF_8);
    Stage fakeForward = (Call call, Chain next) -> {
      call.upstreamSentNanos = System.nanoTime();
      JsonNode root;
      try {
        root = Json.MAPPER.readTree(answer);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      call.upstreamFirstByteNanos = System.nanoTime();
      call.promptTokens = root.path("usage").path("prompt_tokens").asInt();
      call.completionTokens = root.path("usage").path("completion_tokens").asInt();
      call.appendText(0, root.path("choices").path(0).path("message").path("content").asText());
      call.upstreamDoneNanos = System.nanoTime();
      call.finish(Outcome.OK, 200, null, () -> { });
    };
    chain = new StageChain(List.of(
        new MetricsStage(new GatewayMetrics()),
        new RecordStage(exchangeLog),
        new AdmissionStage(),
        new AuthenticateStage(directory),
        new ParseStage(),
        new EnforcementStage(enforcement),
        new LimitStage(new Limiter(Fixtures.generousLimits())),
        fakeForward));
    proxies = new TrustedProxies(List.of("127.0.0.0/8", "::1/128"));
    String text = body.equals("1kb") ? Fixtures.CHAT_1KB : Fixtures.SMALL_CHAT;
    requestBody = Buffer.buffer(text);
    request = BenchSupport.request(BenchSupport.sdkHeaders(g.key(), requestBody.length()), "/v1/chat/completions");
    Call c = handle();
    if (c.status() != 200) {
      throw new IllegalStateException("the chain answered " + c.status() + " " + c.errorCode());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    // Whether the writer fell behind: spilled exchanges are read back from the journal (see docs/benchmarks.md).
    System.out.printf("%n[exchange log: spilled %d, backlog %d, stored %d]%n",
        exchangeLog.spilled(), exchangeLog.backlog(), exchangeLog.storedCount());
    exchangeLog.close();
    BenchSupport.delete(dir);
  }

  /** DataPlane.handle's work for a complete request, then the chain. */
  @Benchmark
  public Call handle() {
    long start = System.nanoTime();
    Call call = new Call(null, request, Endpoint.CHAT_COMPLETIONS, "/v1/chat/completions", start,
        Ids.exchangeId());
    call.clientIp = proxies.clientAddress("127.0.0.1", request.getHeader("X-Forwarded-For"));
    call.userAgent = request.getHeader(HttpHeaders.USER_AGENT);
    call.headerFingerprint = HeaderFingerprint.of(request.headers());
    call.eventTime = Instant.now();
    call.body = requestBody;
    chain.start(call);
    return call;
  }
}
