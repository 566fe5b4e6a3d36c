package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile and badly timed input: counted and set aside, never a crash, and detection unchanged by it. */
class MalformedAndLateTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

  static final ConcurrentLinkedQueue<Object> OUT = new ConcurrentLinkedQueue<>();

  /** Collects into {@link #OUT} (same JVM as the MiniCluster). */
  static final class Collect<T> implements Sink<T> {
    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context c) {
          OUT.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }

  /** Bounded out-of-orderness, but a watermark after every event, so which events are late is deterministic. */
  static WatermarkStrategy<Exchange> everyEvent(Duration outOfOrder) {
    return WatermarkStrategy.<Exchange>forGenerator(ctx -> new WatermarkGenerator<>() {
      long max = Long.MIN_VALUE + outOfOrder.toMillis() + 1;

      @Override
      public void onEvent(Exchange e, long ts, WatermarkOutput out) {
        max = Math.max(max, ts);
        out.emitWatermark(new Watermark(max - outOfOrder.toMillis() - 1));
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput out) {}
    }).withTimestampAssigner((e, previous) -> e.eventTime().toEpochMilli());
  }

  @Test
  void malformedRecordsAndUnknownVersionsGoToTheSideOutputAndLateOnesAreSortedByLateness() throws Exception {
    List<Exchange> events = TestTraffic.world(21, 20, 2, 0, 6).events;
    List<byte[]> input = new ArrayList<>();
    for (Exchange e : events) {
      input.add(ExchangeCodec.encodeEvent(e));
    }
    Exchange last = events.get(events.size() - 1);
    // 30 s behind the last event: behind the watermark (5 s out of order) but within the 1 minute allowed
    Exchange late = TestTraffic.world(22, 0, 1, 0, 1).events.get(0);
    late = withTime(late, "late-ok", last.eventTime().minusSeconds(30));
    // two hours behind: past the allowed lateness
    Exchange tooLate = withTime(late, "late-no", last.eventTime().minusSeconds(7200));
    input.add(ExchangeCodec.encodeEvent(late));
    input.add(ExchangeCodec.encodeEvent(tooLate));
    String v2 = new String(ExchangeCodec.encodeEvent(events.get(0)), StandardCharsets.UTF_8)
        .replace("\"v\":1", "\"v\":2");
    input.add(2, v2.getBytes(StandardCharsets.UTF_8));
    input.add(3, "not json at all \u0000\u001b[31m".getBytes(StandardCharsets.UTF_8));
    input.add(5, "{}".getBytes(StandardCharsets.UTF_8));
    input.add(7, "[1,2,3]".getBytes(StandardCharsets.UTF_8));
    input.add(9, new byte[0]);
    input.add(11, "{\"v\":1,\"id\":\"x\",\"eventTime\":\"yesterday\",\"endpoint\":\"/v1/x\",\"outcome\":\"OK\"}"
        .getBytes(StandardCharsets.UTF_8));

    OUT.clear();
    Configuration c = new Configuration();
    c.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
    env.setParallelism(1);
    JobSettings settings = JobSettings.defaults().withLinkage(false, Duration.ofMinutes(5))
        .withLateness(Duration.ofSeconds(5), Duration.ofMinutes(1));
    DetectionTopology.Streams s = DetectionTopology.fromEvents(
        env.fromData(input, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), settings,
        everyEvent(settings.outOfOrderness()));
    s.verdicts().sinkTo(new Collect<>());
    s.malformed().sinkTo(new Collect<>());
    s.tooLate().map(e -> "too late: " + e.id()).sinkTo(new Collect<>());
    s.accountVerdicts().getSideOutput(AccountDetection.ACCEPTED).map(e -> "accepted: " + e.id())
        .sinkTo(new Collect<>());
    env.execute("malformed and late");

    List<Rejected> rejected = OUT.stream().filter(o -> o instanceof Rejected).map(o -> (Rejected) o).toList();
    assertThat(rejected).hasSize(6);
    assertThat(rejected).anyMatch(r -> r.reason().contains("version"));
    assertThat(rejected).allMatch(r -> r.reason().chars().noneMatch(Character::isISOControl));
    List<String> notes = OUT.stream().filter(o -> o instanceof String).map(o -> (String) o).toList();
    assertThat(notes).contains("too late: late-no", "accepted: late-ok").doesNotContain("accepted: late-no");
    assertThat(notes.stream().filter(n -> n.startsWith("accepted: ")).count()).isEqualTo(events.size() + 1);

    List<Exchange> folded = new ArrayList<>(events);
    folded.add(late);
    Map<String, List<VerdictEvent>> expected = Reference.accountVerdicts(settings.engine(), folded);
    List<VerdictEvent> verdicts = OUT.stream().filter(o -> o instanceof VerdictEvent).map(o -> (VerdictEvent) o)
        .toList();
    assertThat(expected).isNotEmpty();
    assertThat(Reference.byAccount(verdicts)).isEqualTo(expected);
  }

  static Exchange withTime(Exchange e, String id, java.time.Instant at) {
    return new Exchange(id, at, e.accountId(), e.keyId(), e.clientIp(), e.userAgent(), e.headerFingerprint(),
        e.endpoint(), e.model(), e.params(), e.stream(), e.messages(), e.responseText(), e.promptSha256(),
        e.promptChars(), e.responseSha256(), e.responseChars(), e.promptTokens(), e.completionTokens(), e.status(),
        e.outcome(), e.errorCode(), e.latencyMicros(), e.upstreamMicros(), e.firstByteMicros());
  }
}
