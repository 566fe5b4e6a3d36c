package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
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

  static final class FromInput implements GeneratorFunction<Long, byte[]> {
    @Override
    public byte[] map(Long index) {
      GENERATED.incrementAndGet();
      return input.get(index.intValue());
    }
  }

  static JobClient start(String backend, String savepoint) throws Exception {
    Configuration c = new Configuration();
    c.set(PipelineOptions.GENERIC_TYPES, false);
    c.set(StateBackendOptions.STATE_BACKEND, backend);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
    env.setParallelism(1);
    env.enableCheckpointing(50);
    // a few hundred records per checkpoint keep the job running long enough to be stopped part-way
    DataGeneratorSource<byte[]> source = new DataGeneratorSource<>(new FromInput(), input.size(),
        RateLimiterStrategy.perCheckpoint(150), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    JobSettings settings = JobSettings.defaults().withLinkage(false, Duration.ofMinutes(5));
    DetectionTopology.Streams s = DetectionTopology.fromEvents(
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "input").uid("input"), settings);
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

    JobClient first = start(backend, null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (GENERATED.get() < bytes.size() / 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(GENERATED.get()).as("the first run got going").isGreaterThanOrEqualTo(bytes.size() / 3);
    String savepoint = first.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(120, TimeUnit.SECONDS);
    long before = MalformedAndLateTest.OUT.stream().filter(o -> o instanceof String).count();
    assertThat(before).as("stopped part-way").isGreaterThan(0).isLessThan(events.size());

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
}
