package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Cross-account linkage, run by the linkage library's own {@link LinkageEngine} (its linkage keys, key index,
 * candidate edges, pair scorer, clusterer and cluster scorer): every de-duplicated exchange is filed as it arrives,
 * and the clusters are recomputed on event time, at each multiple of the interval that the watermark passes after
 * new exchanges came in (and once more when the input ends). Each {@link LinkageAction} becomes a verdict for the
 * member account, with its cluster id, so the compacted verdict topic keeps one state per account.
 *
 * <p>Runs with parallelism 1 on a single key: clustering needs every account's profile in one place. It is the
 * job's throughput ceiling for linkage (see docs/scale.md). The engine lives in the operator's memory and is not
 * part of checkpoints: after a restore it rebuilds from the exchanges that follow.
 */
public final class LinkageOperator extends KeyedProcessFunction<Integer, Exchange, VerdictEvent> {
  private static final long serialVersionUID = 1L;
  private final EngineSpec spec;
  private final long intervalMillis;

  private transient LinkageEngine linkage;
  private transient Map<String, Long> versions;
  private transient long scheduled;
  private transient boolean dirty;
  private transient Counter recomputations;
  private transient Counter clusterVerdicts;

  public LinkageOperator(EngineSpec spec, Duration interval) {
    this.spec = Objects.requireNonNull(spec, "spec");
    if (interval == null || interval.toMillis() <= 0) {
      throw new IllegalArgumentException("linkage interval must be positive");
    }
    this.intervalMillis = interval.toMillis();
  }

  @Override
  public void open(OpenContext context) {
    linkage = new LinkageEngine(LinkageConfig.defaults(), spec.engine());
    versions = new HashMap<>();
    scheduled = Long.MIN_VALUE;
    recomputations = getRuntimeContext().getMetricGroup().counter("linkageRecomputations");
    clusterVerdicts = getRuntimeContext().getMetricGroup().counter("clusterVerdicts");
  }

  @Override
  public void processElement(Exchange e, Context ctx, Collector<VerdictEvent> out) {
    emit(linkage.accept(e), out);
    dirty = true;
    long at = e.eventTime().toEpochMilli();
    long boundary = (Math.floorDiv(at, intervalMillis) + 1) * intervalMillis;
    if (boundary > scheduled) {
      ctx.timerService().registerEventTimeTimer(boundary);
      scheduled = boundary;
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<VerdictEvent> out) {
    if (!dirty) {
      return;
    }
    dirty = false;
    recomputations.inc();
    emit(linkage.recompute(Instant.ofEpochMilli(timestamp)), out);
  }

  private void emit(List<LinkageAction> actions, Collector<VerdictEvent> out) {
    for (LinkageAction a : actions) {
      long version = VerdictEvent.nextVersion(versions.getOrDefault(a.accountId(), 0L), a.at());
      versions.put(a.accountId(), version);
      clusterVerdicts.inc();
      out.collect(new VerdictEvent(a.accountId(), a.clusterId(), a.level().status(), a.level(), a.risk().score(),
          a.risk().evidence(), a.risk().reasons(), a.at(), VerdictEvent.Source.LINKAGE, version, null));
    }
  }

  /** For tests: the engine's clusters as member lists. */
  LinkageEngine engine() {
    return linkage;
  }
}
