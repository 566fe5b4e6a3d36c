package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.flink.util.clock.SystemClock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Decoding in the source and the source's watermarks: rejections instead of failures, and only exchanges move time. */
class DecodingTest {

  @Test
  void theSourceDeserializerDecodesExchangesAndRejectsTheRestWithPartitionAndOffset() {
    Exchange e = TestTraffic.world(9, 2, 0, 0, 1).events.get(0);
    List<Decoded> out = new ArrayList<>();
    Collector<Decoded> collect = new Collector<>() {
      @Override
      public void collect(Decoded d) {
        out.add(d);
      }

      @Override
      public void close() {}
    };
    ExchangeEvents schema = new ExchangeEvents();
    schema.deserialize(new ConsumerRecord<>("t", 2, 40, null, ExchangeCodec.encodeEvent(e)), collect);
    schema.deserialize(new ConsumerRecord<>("t", 1, 41, null, null), collect); // tombstone
    String v2 = new String(ExchangeCodec.encodeEvent(e), StandardCharsets.UTF_8).replace("\"v\":1", "\"v\":2");
    schema.deserialize(new ConsumerRecord<>("t", 0, 42, null, v2.getBytes(StandardCharsets.UTF_8)), collect);
    schema.deserialize(new ConsumerRecord<>("t", 0, 43, null,
        "{\"v\":1,\"id\":\"\u001b[31mred\"".getBytes(StandardCharsets.UTF_8)), collect);

    assertThat(out.get(0)).isEqualTo(new Decoded(e, null));
    assertThat(out.get(1).rejected()).isEqualTo(new Rejected("exchange event is empty", 0, 1, 41));
    assertThat(out.get(2).rejected().reason()).contains("version");
    assertThat(out.get(2).rejected().partition()).isZero();
    assertThat(out.get(2).rejected().offset()).isEqualTo(42);
    assertThat(out.get(3).rejected().offset()).isEqualTo(43);
    for (Decoded d : out.subList(1, 4)) {
      assertThat(d.exchange()).isNull();
      assertThat(d.rejected().reason()).isNotBlank().matches(r -> r.chars().noneMatch(Character::isISOControl));
    }
    assertThat(schema.getProducedType()).isEqualTo(DecodedSerializer.TYPE);
  }

  @Test
  void decodedRecordsRoundTripThroughTheirSerializer() throws IOException {
    Exchange e = TestTraffic.world(9, 2, 0, 0, 1).events.get(0);
    Decoded a = new Decoded(e, null);
    Decoded b = new Decoded(null, new Rejected("not JSON: ?[31m", 17, 3, 99));
    for (Decoded d : List.of(a, b)) {
      assertThat(SerializersTest.read(DecodedSerializer.INSTANCE, SerializersTest.write(DecodedSerializer.INSTANCE, d)))
          .isEqualTo(d);
    }
    byte[] bad = SerializersTest.write(DecodedSerializer.INSTANCE, b);
    bad[0] = 7;
    assertThatThrownBy(() -> SerializersTest.read(DecodedSerializer.INSTANCE, bad)).isInstanceOf(IOException.class)
        .hasMessageContaining("tag 7");
    assertThatThrownBy(() -> new Decoded(null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Decoded(e, b.rejected())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyExchangesMoveTheWatermarkAndRejectedRecordsKeepTheirRecordTimestamp() {
    List<Exchange> events = TestTraffic.world(9, 3, 0, 0, 1).events;
    JobSettings settings = JobSettings.defaults().withLateness(Duration.ofSeconds(5), Duration.ofMinutes(1));
    WatermarkStrategy<Decoded> strategy = DetectionTopology.sourceWatermarks(settings);
    TimestampAssigner<Decoded> assigner = strategy.createTimestampAssigner(
        UnregisteredMetricsGroup::new);
    WatermarkGenerator<Decoded> generator = strategy.createWatermarkGenerator(
        new WatermarkGeneratorSupplier.Context() {
          @Override
          public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
          }

          @Override
          public RelativeClock getInputActivityClock() {
            return SystemClock.getInstance();
          }
        });
    List<Long> emitted = new ArrayList<>();
    WatermarkOutput out = new WatermarkOutput() {
      @Override
      public void emitWatermark(Watermark w) {
        emitted.add(w.getTimestamp());
      }

      @Override
      public void markIdle() {}

      @Override
      public void markActive() {}
    };
    Exchange first = events.get(0);
    Decoded exchange = new Decoded(first, null);
    assertThat(assigner.extractTimestamp(exchange, 123L)).isEqualTo(first.eventTime().toEpochMilli());
    generator.onEvent(exchange, first.eventTime().toEpochMilli(), out);
    generator.onPeriodicEmit(out);
    long afterExchange = emitted.get(emitted.size() - 1);
    assertThat(afterExchange).isEqualTo(first.eventTime().toEpochMilli() - 5000 - 1);

    long future = first.eventTime().plus(Duration.ofDays(30)).toEpochMilli();
    Decoded rejected = new Decoded(null, new Rejected("not JSON", 7, 0, 1));
    assertThat(assigner.extractTimestamp(rejected, future)).isEqualTo(future);
    generator.onEvent(rejected, future, out);
    generator.onPeriodicEmit(out);
    assertThat(emitted.get(emitted.size() - 1)).as("a malformed record does not move event time")
        .isEqualTo(afterExchange);
  }
}
