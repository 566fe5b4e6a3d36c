package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.linkage.ClusterTies;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.linkage.TiesSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Cross-account linkage, run by the linkage library's own {@link LinkageEngine} (its linkage keys, key index,
 * candidate edges, pair scorer, clusterer and cluster scorer): every de-duplicated exchange is filed as it arrives,
 * and the clusters are recomputed on event time, at each multiple of the interval that the watermark passes after
 * new exchanges came in (and once more when the input ends). Each {@link LinkageAction} becomes a verdict for the
 * member account, with its cluster id, so the compacted verdict topic keeps one state per account.
 *
 * <p>After each recomputation whose acted-on clusters tie other keys than before, the snapshot gateway nodes check
 * new accounts against ({@link io.distillguard.linkage.TiesSnapshot}, encoded) goes to the {@link #TIES} side
 * output, for the compacted ties topic.
 *
 * <p>Runs with parallelism 1 on a single key: clustering needs every account's profile in one place. It is the
 * job's throughput ceiling for linkage (see docs/scale.md).
 *
 * <p>Checkpointed: the engine lives on the heap and is written whole, with the verdict versions and the pending
 * recomputation, into operator list state at each checkpoint ({@link LinkageEngine#writeState}, in chunks of
 * {@value #CHUNK} bytes), and read back on restore, so a restored job continues exactly where the checkpoint stood.
 * The recomputation timer is keyed state of the single key and comes back with it. Writing happens in the
 * checkpoint's synchronous phase and holds the engine's size again in memory until the checkpoint completes.
 */
public final class LinkageOperator extends KeyedProcessFunction<Integer, Exchange, VerdictEvent>
    implements CheckpointedFunction, CheckpointListener {
  private static final long serialVersionUID = 1L;
  /** Bytes per list-state element: no single array near the 2 GB limit however large linkage grows. */
  static final int CHUNK = 4 << 20;
  private static final int STATE_FORMAT = 1;
  /** Encoded {@link io.distillguard.linkage.TiesSnapshot}s, each when the ties changed. */
  public static final OutputTag<byte[]> TIES = new OutputTag<>("cluster-ties",
      PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private final EngineSpec spec;
  private final long intervalMillis;
  private final int threads;

  private transient LinkageEngine linkage;
  private transient Map<String, Long> versions;
  private transient long scheduled;
  private transient boolean dirty;
  private transient ListState<byte[]> checkpointed;
  /**
   * The ties last sent (encoded), or null when unknown: after a restore the next recomputation sends them whatever
   * they are, since what was sent after the checkpoint was never committed.
   */
  private transient byte[] tiesSent;
  private transient Counter recomputations;
  private transient Counter tiesPublished;
  private transient Counter clusterVerdicts;

  /** One thread scoring pairs. */
  public LinkageOperator(EngineSpec spec, Duration interval) {
    this(spec, interval, 1);
  }

  /**
   * @param threads threads scoring candidate pairs during a recomputation (the clusters do not depend on it)
   */
  public LinkageOperator(EngineSpec spec, Duration interval, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("linkage threads must be at least 1");
    }
    this.threads = threads;
    this.spec = Objects.requireNonNull(spec, "spec");
    if (interval == null || interval.toMillis() <= 0) {
      throw new IllegalArgumentException("linkage interval must be positive");
    }
    this.intervalMillis = interval.toMillis();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    checkpointed = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("linkage-engine", BytePrimitiveArraySerializer.INSTANCE));
    linkage = null;
    if (context.isRestored()) {
      Iterable<byte[]> chunks = checkpointed.get();
      if (chunks != null && chunks.iterator().hasNext()) {
        restore(chunks);
      }
    }
  }

  @Override
  public void open(OpenContext context) {
    if (linkage == null) { // nothing restored
      linkage = new LinkageEngine(config(), spec.engine());
      versions = new HashMap<>();
      scheduled = Long.MIN_VALUE;
      dirty = false;
      tiesSent = new TiesSnapshot(0, ClusterTies.EMPTY).encode(); // nothing acted on: nothing to send
    }
    recomputations = getRuntimeContext().getMetricGroup().counter("linkageRecomputations");
    clusterVerdicts = getRuntimeContext().getMetricGroup().counter("clusterVerdicts");
    tiesPublished = getRuntimeContext().getMetricGroup().counter("clusterTiesPublished");
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    checkpointed.clear();
    if (linkage == null) {
      return;
    }
    try (ChunkedStreams.Output out = new ChunkedStreams.Output(CHUNK, checkpointed::add)) {
      out.data().writeInt(STATE_FORMAT);
      out.data().writeLong(scheduled);
      out.data().writeBoolean(dirty);
      out.data().writeInt(versions.size());
      for (Map.Entry<String, Long> v : versions.entrySet()) {
        ChunkedStreams.writeString(out.data(), v.getKey());
        out.data().writeLong(v.getValue());
      }
      linkage.writeState(out.data());
    }
  }

  /** The chunks are in the checkpoint now; the next snapshot writes them afresh, so free the memory until then. */
  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    checkpointed.clear();
  }

  private void restore(Iterable<byte[]> chunks) throws IOException {
    var in = ChunkedStreams.input(chunks);
    int format = in.readInt();
    if (format != STATE_FORMAT) {
      throw new IOException("linkage operator state format " + format + " is not " + STATE_FORMAT);
    }
    scheduled = in.readLong();
    dirty = in.readBoolean();
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("corrupt linkage operator state: " + n + " verdict versions");
    }
    versions = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String account = ChunkedStreams.readString(in);
      if (account == null) {
        throw new IOException("corrupt linkage operator state: a verdict version without an account");
      }
      versions.put(account, in.readLong());
    }
    linkage = LinkageEngine.readState(in, config(), spec.engine());
    if (in.read() != -1) {
      throw new IOException("corrupt linkage operator state: bytes after the engine");
    }
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
    byte[] ties = linkage.tiesSnapshot().encode();
    if (!sameTies(ties, tiesSent)) {
      tiesSent = ties;
      tiesPublished.inc();
      ctx.output(TIES, ties);
    }
  }

  /** Whether two encoded snapshots hold the same ties, whenever each was built (its time is left out). */
  static boolean sameTies(byte[] a, byte[] b) {
    int from = TiesSnapshot.HEADER_BYTES;
    return b != null && Arrays.equals(a, from, a.length, b, from, b.length);
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

  private LinkageConfig config() {
    return LinkageConfig.defaults().withThreads(threads);
  }

  /** For tests: the engine's clusters as member lists. */
  LinkageEngine engine() {
    return linkage;
  }
}
