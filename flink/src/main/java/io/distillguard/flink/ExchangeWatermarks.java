package io.distillguard.flink;

import io.distillguard.core.Exchange;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * A watermark strategy on exchanges applied to decoded records: an exchange gets its timestamp from the exchange
 * strategy and moves its watermark generator; a rejected record keeps the timestamp it came with (the Kafka record's)
 * and is not shown to the generator, so a malformed record with any timestamp never moves event time (and a
 * partition with only malformed records counts as idle).
 */
final class ExchangeWatermarks implements WatermarkStrategy<Decoded> {
  private static final long serialVersionUID = 1L;
  private final WatermarkStrategy<Exchange> exchanges;

  ExchangeWatermarks(WatermarkStrategy<Exchange> exchanges) {
    this.exchanges = exchanges;
  }

  @Override
  public WatermarkGenerator<Decoded> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
    WatermarkGenerator<Exchange> g = exchanges.createWatermarkGenerator(context);
    return new WatermarkGenerator<>() {
      @Override
      public void onEvent(Decoded d, long timestamp, WatermarkOutput out) {
        if (d.exchange() != null) {
          g.onEvent(d.exchange(), timestamp, out);
        }
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput out) {
        g.onPeriodicEmit(out);
      }
    };
  }

  @Override
  public TimestampAssigner<Decoded> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
    TimestampAssigner<Exchange> a = exchanges.createTimestampAssigner(context);
    return (d, recordTimestamp) -> d.exchange() != null ? a.extractTimestamp(d.exchange(), recordTimestamp)
        : recordTimestamp;
  }
}
