package io.distillguard.bench;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.gateway.Ids;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.gateway.log.ExchangeLog;
import io.distillguard.gateway.log.Journal;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.gateway.stages.RecordStage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The record stage's work, which runs on the event loop before the client gets the end of its answer: building
 * the {@link Exchange} (digests), encoding it as JSON, appending it to the journal, offering it to the writer's
 * queue. Also the exchange id generated for every request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RecordBenchmark {
  private Exchange exchange;
  private byte[] encoded;
  private Path dir;
  private Journal journal;
  private ExchangeLog exchangeLog;
  private long appends;
  private Exchange last;
  private final RecordStage recordStage = new RecordStage(e -> last = e);
  private final Account account =
      new Account("acct_bench", "bench", Map.of(), AccountStatus.ACTIVE, Instant.now());
  private final ApiKey key = new ApiKey("abcdefghijkl", "acct_bench", new byte[32], Instant.now(), null);

  @Setup(Level.Trial)
  public void setUp() {
    exchange = Fixtures.exchange("ex_0000000000000000000000000001");
    encoded = ExchangeCodec.encode(exchange);
    dir = BenchSupport.tempDir("dg-bench-journal");
    journal = new Journal(dir.resolve("journal"), 64L << 20, false, 0);
    exchangeLog = new ExchangeLog(new BenchSupport.NullRepository(), new ExchangeLog.Options(
        dir.resolve("log-journal"), 20_000, 500, Duration.ofMillis(100), 30, false, false, 64L << 20));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    // Whether the writer fell behind: spilled exchanges are read back from the journal (see docs/benchmarks.md).
    System.out.printf("%n[exchange log: spilled %d, backlog %d, stored %d]%n",
        exchangeLog.spilled(), exchangeLog.backlog(), exchangeLog.storedCount());
    journal.close();
    exchangeLog.close();
    BenchSupport.delete(dir);
  }

  /** RecordStage's hook: Call to Exchange (prompt and response digests included); the sink only keeps it. */
  @Benchmark
  public Exchange toExchange() {
    Call c = new Call(null, null, Endpoint.CHAT_COMPLETIONS, "/v1/chat/completions", System.nanoTime(), "ex_bench");
    c.eventTime = Instant.now();
    c.account = account;
    c.key = key;
    c.clientIp = "127.0.0.1";
    c.userAgent = "OpenAI/Python 1.99.0";
    c.headerFingerprint = "8c3f0a1b2c3d4e5f";
    c.model = "builtin-small";
    c.params = new SamplingParams(0.7, 0.95, 1, 256, null, null, 42L, 0);
    c.messages = Fixtures.messages1kb();
    c.promptTokens = 212;
    c.completionTokens = 7;
    c.appendText(0, Fixtures.FIXED_ANSWER);
    recordStage.process(c, x -> { });
    c.finish(Outcome.OK, 200, null, () -> { });
    return last;
  }

  /** Exchange.promptDigest alone (SHA-256 over the ~800 characters of the four messages). */
  @Benchmark
  public String promptDigest() {
    return Exchange.promptDigest(exchange.messages());
  }

  /** ExchangeCodec.encode: the exchange as journal JSON. */
  @Benchmark
  public byte[] encode() {
    return ExchangeCodec.encode(exchange);
  }

  /** Journal.append of one encoded exchange (one write() into the page cache, no fsync). */
  @Benchmark
  public long journalAppend() {
    long seq = journal.append(encoded);
    if (++appends % 50_000 == 0) {
      journal.release(seq); // keep the disk use bounded: old segments go
    }
    return seq;
  }

  /** ExchangeLog.accept, the whole sink: encode + journal append + queue offer (the store is a no-op here). */
  @Benchmark
  public long exchangeLogAccept() {
    exchangeLog.accept(exchange);
    return exchangeLog.spilled();
  }

  /** Ids.exchangeId, generated for every request by the data plane. */
  @Benchmark
  public String exchangeId() {
    return Ids.exchangeId();
  }
}
