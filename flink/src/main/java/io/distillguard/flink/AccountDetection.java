package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.AccountState;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.Verdict;
import io.distillguard.core.wire.VerdictEvent;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The core detectors for one account, keyed by account id: each exchange is folded into the account's
 * {@link AccountState} by the same {@link DetectionEngine#accept(AccountState, Exchange)} the in-process pipeline
 * runs, and a rise of the account's level becomes a {@link VerdictEvent} for the verdict topic.
 *
 * <p>State per account, all with the configured time-to-live (processing time, refreshed on every write, so an
 * account idle for longer than the TTL starts afresh): the detection state, the version of its last verdict, and the
 * ids of its recent exchanges. The ids make redelivered exchanges (a producer that re-sends after a lost ack, a
 * replay of the input topic) count once; they are kept for {@code dedupeTtl}, which bounds both the state and the
 * window in which a duplicate is recognized.
 *
 * <p>Event time: the detectors read each exchange's own event time (hour buckets, gaps), so exchanges are folded in
 * the order they arrive, which Kafka keeps per account. An exchange behind the watermark by no more than the allowed
 * lateness is folded in like any other (a detector files it under its own hour while that hour is still in its
 * window, and counters count it). One later than that is not folded in: it goes to {@link #TOO_LATE} and a counter,
 * since its hour may have left the detectors' windows and it would be filed under the wrong one.
 */
public final class AccountDetection extends KeyedProcessFunction<String, Exchange, VerdictEvent> {
  private static final long serialVersionUID = 1L;
  /** Exchanges later than the allowed lateness, not folded into detection. */
  public static final OutputTag<Exchange> TOO_LATE = new OutputTag<>("too-late-exchanges", ExchangeSerializer.TYPE);
  /** Every exchange folded in, once (duplicates removed): the input of linkage. */
  public static final OutputTag<Exchange> ACCEPTED = new OutputTag<>("accepted-exchanges", ExchangeSerializer.TYPE);

  private final EngineSpec spec;
  private final Duration stateTtl;
  private final Duration dedupeTtl;
  private final long allowedLatenessMillis;

  private transient DetectionEngine engine;
  private transient ValueState<AccountState> state;
  private transient ValueState<Long> lastVersion;
  private transient MapState<String, Boolean> seen;
  private transient Counter duplicates;
  private transient Counter late;
  private transient Counter tooLate;
  private transient Counter verdicts;

  /**
   * @param stateTtl        how long an idle account's detection state is kept
   * @param dedupeTtl       how long an exchange id is remembered for de-duplication
   * @param allowedLateness how far behind the watermark an exchange may be and still be folded in
   */
  public AccountDetection(EngineSpec spec, Duration stateTtl, Duration dedupeTtl, Duration allowedLateness) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.stateTtl = positive(stateTtl, "stateTtl");
    this.dedupeTtl = positive(dedupeTtl, "dedupeTtl");
    this.allowedLatenessMillis = Objects.requireNonNull(allowedLateness, "allowedLateness").toMillis();
    if (allowedLatenessMillis < 0) {
      throw new IllegalArgumentException("allowedLateness must not be negative");
    }
  }

  private static Duration positive(Duration d, String name) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return d;
  }

  static StateTtlConfig ttl(Duration d) {
    return StateTtlConfig.newBuilder(d).updateTtlOnCreateAndWrite().neverReturnExpired().build();
  }

  @Override
  public void open(OpenContext context) {
    engine = spec.engine();
    ValueStateDescriptor<AccountState> s = new ValueStateDescriptor<>("detection", new AccountStateSerializer(spec));
    s.enableTimeToLive(ttl(stateTtl));
    state = getRuntimeContext().getState(s);
    ValueStateDescriptor<Long> v = new ValueStateDescriptor<>("verdict-version", LongSerializer.INSTANCE);
    v.enableTimeToLive(ttl(stateTtl));
    lastVersion = getRuntimeContext().getState(v);
    MapStateDescriptor<String, Boolean> ids = new MapStateDescriptor<>("exchange-ids", StringSerializer.INSTANCE,
        BooleanSerializer.INSTANCE);
    ids.enableTimeToLive(ttl(dedupeTtl));
    seen = getRuntimeContext().getMapState(ids);
    var metrics = getRuntimeContext().getMetricGroup();
    duplicates = metrics.counter("duplicateExchanges");
    late = metrics.counter("lateExchanges");
    tooLate = metrics.counter("tooLateExchanges");
    verdicts = metrics.counter("accountVerdicts");
  }

  @Override
  public void processElement(Exchange e, Context ctx, Collector<VerdictEvent> out) throws Exception {
    if (seen.contains(e.id())) {
      duplicates.inc();
      return;
    }
    seen.put(e.id(), Boolean.TRUE);
    long watermark = ctx.timerService().currentWatermark();
    long at = e.eventTime().toEpochMilli();
    if (at < watermark) {
      if (watermark - at > allowedLatenessMillis) {
        tooLate.inc();
        ctx.output(TOO_LATE, e);
        return;
      }
      late.inc();
    }
    AccountState s = state.value();
    if (s == null) {
      s = engine.newState(ctx.getCurrentKey());
    }
    Verdict v = engine.accept(s, e);
    state.update(s);
    ctx.output(ACCEPTED, e);
    if (v != null) {
      Long previous = lastVersion.value();
      long version = VerdictEvent.nextVersion(previous == null ? 0 : previous, v.at());
      lastVersion.update(version);
      verdicts.inc();
      out.collect(VerdictEvent.of(v, version));
    }
  }
}
