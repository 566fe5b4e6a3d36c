package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stop with a savepoint part-way, restore, run to the end: the verdicts equal the in-process engine's on the unique
 * exchanges, and every exchange is folded in exactly once although a tenth of them are sent twice, some on either
 * side of the savepoint. Run on both state backends (RocksDB serializes the account state on every access).
 */
class RestoreTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** The input, read by index by the generator source (same JVM as the MiniCluster). */
  static volatile List<byte[]> input = List.of();
  static final AtomicLong GENERATED = new AtomicLong();
  /** The source emits this many records, then waits for {@link #OPEN} (so a savepoint falls at a known record). */
  static volatile long pauseAt = Long.MAX_VALUE;
  static volatile CompletableFuture<Void> OPEN = CompletableFuture.completedFuture(null);

  /**
   * Lets records through until {@link #pauseAt}, then holds the rest back on a future: the source's task stays free
   * to take a savepoint (a blocked generator would not be), and the savepoint holds exactly the first records.
   */
  static final class Gate<S extends SourceSplit> implements RateLimiterStrategy<S> {
    @Override
    public RateLimiter<S> createRateLimiter(int parallelism) {
      return new RateLimiter<>() {
        long granted;

        @Override
        public CompletionStage<Void> acquire(int records) {
          long at = granted;
          granted += records;
          return at >= pauseAt ? OPEN : CompletableFuture.completedFuture(null);
        }
      };
    }
  }

  /** The first run stops after {@code records}; a run started after this call goes to the end. */
  static void pauseAfter(long records) {
    pauseAt = records;
    OPEN = new CompletableFuture<>();
  }

  static void runThrough() {
    pauseAt = Long.MAX_VALUE;
    OPEN.complete(null);
  }

  /** Waits until the paused first run has generated every record before the pause. */
  static void awaitPause() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (GENERATED.get() < pauseAt && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(GENERATED.get()).as("the first run reached the pause").isEqualTo(pauseAt);
  }

  static final class FromInput implements GeneratorFunction<Long, byte[]> {
    @Override
    public byte[] map(Long index) {
      GENERATED.incrementAndGet();
      return input.get(index.intValue());
    }
  }

  static JobClient start(String backend, String savepoint) throws Exception {
    return start(backend, savepoint, false);
  }

  /**
   * @param linkage with linkage, recomputed hourly on event time, and a watermark after every event, so when each
   *                recomputation happens (after which exchange) is the same in every run
   */
  static JobClient start(String backend, String savepoint, boolean linkage) throws Exception {
    Configuration c = new Configuration();
    c.set(PipelineOptions.GENERIC_TYPES, false);
    c.set(StateBackendOptions.STATE_BACKEND, backend);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
    env.setParallelism(1);
    env.enableCheckpointing(50);
    DataGeneratorSource<byte[]> source = new DataGeneratorSource<>(new FromInput(), input.size(), new Gate<>(),
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    JobSettings settings = JobSettings.defaults().withLinkage(linkage, Duration.ofHours(1));
    var events = env.fromSource(source, WatermarkStrategy.noWatermarks(), "input").uid("input");
    DetectionTopology.Streams s = linkage
        ? DetectionTopology.fromEvents(events, settings, MalformedAndLateTest.everyEvent(settings.outOfOrderness()))
        : DetectionTopology.fromEvents(events, settings);
    s.verdicts().sinkTo(new MalformedAndLateTest.Collect<>()).uid("verdicts");
    s.accountVerdicts().getSideOutput(AccountDetection.ACCEPTED).map(e -> "accepted: " + e.id()).uid("ids")
        .sinkTo(new MalformedAndLateTest.Collect<>()).uid("accepted");
    StreamGraph graph = env.getStreamGraph();
    if (savepoint != null) {
      graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    }
    return env.executeAsync(graph);
  }

  @ParameterizedTest
  @ValueSource(strings = {"hashmap", "rocksdb"})
  void aRestoredJobEndsWhereAnUninterruptedOneWouldWithoutCountingAnyExchangeTwice(String backend,
      @TempDir Path dir) throws Exception {
    List<Exchange> events = TestTraffic.world(17, 30, 3, 0, 8).events;
    List<byte[]> bytes = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      bytes.add(ExchangeCodec.encodeEvent(events.get(i)));
      if (i % 10 == 3 && i >= 40) { // re-sent after a lost ack: the same exchange again, a little later
        bytes.add(ExchangeCodec.encodeEvent(events.get(i - 40)));
      }
    }
    input = bytes;
    GENERATED.set(0);
    MalformedAndLateTest.OUT.clear();

    pauseAfter(bytes.size() / 3);
    JobClient first = start(backend, null);
    awaitPause();
    String savepoint = first.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(120, TimeUnit.SECONDS);
    long before = MalformedAndLateTest.OUT.stream().filter(o -> o instanceof String).count();
    assertThat(before).as("stopped part-way").isGreaterThan(0).isLessThan(events.size());

    runThrough();
    start(backend, savepoint).getJobExecutionResult().get(300, TimeUnit.SECONDS);

    List<String> accepted = MalformedAndLateTest.OUT.stream().filter(o -> o instanceof String)
        .map(o -> (String) o).toList();
    Set<String> unique = new LinkedHashSet<>(accepted);
    assertThat(accepted).as("each exchange folded in once").hasSize(unique.size()).hasSize(events.size());
    List<VerdictEvent> verdicts = MalformedAndLateTest.OUT.stream().filter(o -> o instanceof VerdictEvent)
        .map(o -> (VerdictEvent) o).toList();
    Map<String, List<VerdictEvent>> expected = Reference.accountVerdicts(EngineSpec.defaults(), events);
    assertThat(expected).isNotEmpty();
    assertThat(Reference.byAccount(verdicts)).isEqualTo(expected);
  }

  /**
   * Linkage is checkpointed too: a run stopped with a savepoint after clusters formed and restored ends with the
   * same cluster verdicts (same clusters, members, ids, levels, scores and evidence, in the same order per account)
   * as a run that was never interrupted. A linkage engine that restarted empty would have lost the first part's
   * profiles, key index and clusters.
   */
  @ParameterizedTest
  @ValueSource(strings = {"hashmap", "rocksdb"})
  void aRestoredJobLinksAccountsAsAnUninterruptedOne(String backend, @TempDir Path dir) throws Exception {
    // ten of the hydra's accounts start five hours in: they join the cluster after the savepoint
    Instant late = TestTraffic.T0.plus(Duration.ofHours(5));
    List<Exchange> events = TestTraffic.world(23, 20, 1, 40, 8).events.stream()
        .filter(e -> !(e.accountId().compareTo("hydra-30") >= 0 && e.accountId().startsWith("hydra-")
            && e.eventTime().isBefore(late)))
        .toList();
    List<byte[]> bytes = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      bytes.add(ExchangeCodec.encodeEvent(events.get(i)));
      if (i % 10 == 3 && i >= 40) {
        bytes.add(ExchangeCodec.encodeEvent(events.get(i - 40)));
      }
    }
    input = bytes;

    GENERATED.set(0);
    MalformedAndLateTest.OUT.clear();
    runThrough();
    start(backend, null, true).getJobExecutionResult().get(300, TimeUnit.SECONDS);
    List<VerdictEvent> uninterrupted = linkageVerdicts();

    GENERATED.set(0);
    MalformedAndLateTest.OUT.clear();
    // stop at 3.5 hours: the hydra's cluster formed at 2 hours, its late members join after 5
    int pause = 0;
    while (pause < bytes.size() && !ExchangeCodec.decode(bytes.get(pause)).eventTime()
        .isAfter(TestTraffic.T0.plus(Duration.ofMinutes(210)))) {
      pause++;
    }
    pauseAfter(pause);
    JobClient first = start(backend, null, true);
    awaitPause();
    String savepoint = first.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(120, TimeUnit.SECONDS);
    List<VerdictEvent> before = linkageVerdicts();
    assertThat(before).as("clusters formed before the savepoint").isNotEmpty();
    assertThat(before.size()).as("and more happens after it").isLessThan(uninterrupted.size());
    runThrough();
    start(backend, savepoint, true).getJobExecutionResult().get(300, TimeUnit.SECONDS);
    List<VerdictEvent> restored = linkageVerdicts();

    Map<String, java.util.TreeSet<String>> clusters = Reference.clusters(uninterrupted);
    assertThat(clusters.values()).as("the hydra is one cluster")
        .anyMatch(m -> m.size() >= 30 && m.stream().allMatch(a -> a.startsWith("hydra-")));
    assertThat(Reference.clusters(restored)).isEqualTo(clusters);
    assertThat(byAccount(restored)).isEqualTo(byAccount(uninterrupted));
  }

  static List<VerdictEvent> linkageVerdicts() {
    return MalformedAndLateTest.OUT.stream().filter(o -> o instanceof VerdictEvent).map(o -> (VerdictEvent) o)
        .filter(v -> v.source() == VerdictEvent.Source.LINKAGE).toList();
  }

  static Map<String, List<VerdictEvent>> byAccount(List<VerdictEvent> verdicts) {
    Map<String, List<VerdictEvent>> out = new java.util.TreeMap<>();
    for (VerdictEvent v : verdicts) {
      out.computeIfAbsent(v.accountId(), k -> new ArrayList<>()).add(v);
    }
    return out;
  }
}
