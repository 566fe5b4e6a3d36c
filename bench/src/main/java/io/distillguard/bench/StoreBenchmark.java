package io.distillguard.bench;

import io.distillguard.core.Exchange;
import io.distillguard.store.Store;
import io.distillguard.store.jdbc.JdbcStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The exchange log writer's work off the event loop: one batch of 500 exchanges into the SQLite store (one JDBC
 * batch, one commit, checkpoint advanced). It shares the cores with the event loops, so it bounds the throughput
 * of a small machine too. Divide by 500 for the cost per exchange.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StoreBenchmark {
  private static final int BATCH = 500;
  private Path dir;
  private Store store;
  private long seq;
  private final Exchange template = Fixtures.exchange("x");

  @Setup(Level.Trial)
  public void setUp() {
    dir = BenchSupport.tempDir("dg-bench-store");
    store = JdbcStore.openSqlite(dir);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    BenchSupport.delete(dir);
  }

  @Benchmark
  public int sqliteAppendBatch500() {
    List<Exchange> batch = new ArrayList<>(BATCH);
    Exchange t = template;
    for (int i = 0; i < BATCH; i++) {
      seq++;
      batch.add(new Exchange(String.format("ex_%027d", seq), t.eventTime(), t.accountId(), t.keyId(),
          t.clientIp(), t.userAgent(), t.headerFingerprint(), t.endpoint(), t.model(), t.params(), t.stream(),
          t.messages(), t.responseText(), t.promptSha256(), t.promptChars(), t.responseSha256(),
          t.responseChars(), t.promptTokens(), t.completionTokens(), t.status(), t.outcome(), t.errorCode(),
          t.latencyMicros(), t.upstreamMicros(), t.firstByteMicros()));
    }
    return store.exchanges().append(batch, seq);
  }
}
