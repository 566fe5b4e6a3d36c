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
 * <p>State per account: the detection state and the version of its last verdict, with the configured time-to-live
 * (processing time, refreshed on every write, so an account idle for longer than the TTL starts afresh), and the ids
 * of its recent exchanges with the processing time each was seen. The ids make redelivered exchanges (a producer that
 * re-sends after a lost ack, a replay of the input topic) count once. Each is kept for at least {@code dedupeTtl}
 * (the window in which a duplicate is recognized) and is dropped by a processing-time timer of the account: each
 * exchange asks for one on the half-window boundary that falls between one and one and a half windows after it (the
 * same timer for every exchange of that half window: Flink keeps one timer per key and time), and the timer prunes
 * every id seen a window or more before it. So an id costs memory for at most one and a half windows, and an
 * account at most two prunes per window it is active in.
 *
 * <p>Why not Flink's state TTL for the ids: on the heap backend its incremental cleanup runs on every state access
 * and, for a map state, copies each visited key's whole map to drop expired entries; measured with the throughput
 * harness it took about three quarters of this operator's time (docs/scale.md, "Measurements").
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
  private final long dedupeTtlMillis;
  private final long allowedLatenessMillis;

  private transient DetectionEngine engine;
  /** The tier of the exchange whose account's state is being created (what the engine's tier lookup answers). */
  private transient String tierOfCurrent;
  private transient ValueState<AccountState> state;
  private transient ValueState<Long> lastVersion;
  /** Exchange id to the processing time it was seen; pruned by {@link #onTimer}. */
  private transient MapState<String, Long> seen;
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
    this.dedupeTtlMillis = positive(dedupeTtl, "dedupeTtl").toMillis();
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
    // The engine asks an account's tier once, when its state is created: the exchange that creates it carries it.
    engine = spec.engine(accountId -> tierOfCurrent);
    ValueStateDescriptor<AccountState> s = new ValueStateDescriptor<>("detection", new AccountStateSerializer(spec));
    s.enableTimeToLive(ttl(stateTtl));
    state = getRuntimeContext().getState(s);
    ValueStateDescriptor<Long> v = new ValueStateDescriptor<>("verdict-version", LongSerializer.INSTANCE);
    v.enableTimeToLive(ttl(stateTtl));
    lastVersion = getRuntimeContext().getState(v);
    seen = getRuntimeContext().getMapState(new MapStateDescriptor<>("exchange-ids-seen-at", StringSerializer.INSTANCE,
        LongSerializer.INSTANCE));
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
    long now = ctx.timerService().currentProcessingTime();
    seen.put(e.id(), now);
    ctx.timerService().registerProcessingTimeTimer(pruneTime(now));
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
      tierOfCurrent = e.accountTier();
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

  /** The half-window boundary in (seen + window, seen + 1.5 windows]: when an id seen then is pruned. */
  long pruneTime(long seenAt) {
    long half = Math.max(1, dedupeTtlMillis / 2);
    return (Math.floorDiv(seenAt, half) + 3) * half;
  }

  /** Drops the account's exchange ids seen a window or more before the timer. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<VerdictEvent> out) throws Exception {
    long expired = timestamp - dedupeTtlMillis;
    for (var it = seen.iterator(); it.hasNext(); ) {
      if (it.next().getValue() <= expired) {
        it.remove();
      }
    }
    if (seen.isEmpty()) {
      seen.clear(); // the account's map itself goes
    }
  }
}
