package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.linkage.ClusterTies;
import io.distillguard.linkage.FilingAnswer;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.linkage.TiesSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Cross-account linkage's stage that keeps the profiles, the third of three, run by the linkage library's own
 * {@link LinkageEngine} (its pair scorer, clusterer and cluster scorer): every de-duplicated exchange arrives from
 * the stage keyed by account ({@link LinkageKeys}) with its observation and the keys it files its account under, and
 * the answers to those filings (the candidate edges of each key) arrive from the stage keyed by linkage key
 * ({@link LinkageKeyMembers}). An exchange is folded in once all of its answers are here
 * ({@link LinkageEngine#accept(Exchange, io.distillguard.linkage.Observation, FilingAnswer[])}), in the order the
 * exchanges arrived: an exchange waits for the ones before it. The clusters are recomputed on event time, at each
 * multiple of the interval that the watermark passes after new exchanges came in (and once more when the input
 * ends). Each {@link LinkageAction} becomes a verdict for the
 * member account, with its cluster id, so the compacted verdict topic keeps one state per account.
 *
 * <p>After each recomputation whose acted-on clusters tie other keys than before, the snapshot gateway nodes check
 * new accounts against ({@link io.distillguard.linkage.TiesSnapshot}, encoded) goes to the {@link #TIES} side
 * output, for the compacted ties topic.
 *
 * <p>Runs with parallelism 1 on a single key: pair scoring and clustering need every account's profile in one place.
 * It is the job's throughput ceiling for linkage (see docs/scale.md). The key index is not here: the engine keeps a
 * mirror of the buckets it reads (those of keys shared by at least three accounts, and template keys), which the
 * answers keep level.
 *
 * <p>Waiting exchanges and answers are checkpointed with the globals. With aligned checkpoints there are none at a
 * barrier: an exchange's filings reach the key stage before the barrier that follows the exchange, and their answers
 * leave it before that barrier too. The watermark is the least of both inputs', so a recomputation comes after every
 * exchange before it was folded in.
 *
 * <p>Checkpointed in parts, so that a checkpoint costs what changed since the last one rather than every account's
 * linkage state: the profiles and key-index buckets that changed ({@link LinkageEngine#writeChanges}) go into keyed
 * map state of the single key, one entry per profile index and per key, and the rest (verdict versions, the pending
 * recomputation, clusters, rulings, the cluster-traffic states: {@link LinkageEngine#writeGlobals}, which grows with
 * clusters, not accounts) into operator list state in chunks of {@value #CHUNK} bytes. On RocksDB with incremental
 * checkpoints only the entries written since the last checkpoint are uploaded; on the heap backend the map is copied
 * asynchronously, and it holds the parts' bytes besides the engine's objects (about 0.8 KB more per account). On
 * restore the engine is read back ({@link LinkageEngine#readParts}) when the first exchange or timer sets the key,
 * since keyed state cannot be read before; it continues exactly where the checkpoint stood. The recomputation
 * timer is keyed state of the single key and comes back with it.
 */
public final class LinkageOperator extends KeyedCoProcessFunction<Integer, Observed, FilingAnswer, VerdictEvent>
    implements CheckpointedFunction, CheckpointListener {
  private static final long serialVersionUID = 1L;
  private static final FilingAnswer[] NO_ANSWERS = new FilingAnswer[0];
  /** Bytes per list-state element: no single array near the 2 GB limit however large linkage grows. */
  static final int CHUNK = 4 << 20;
  /**
   * 3: waiting exchanges and answers, then the engine in parts (keyed map state) and its globals, the key index
   * mirrored; 2 filed accounts itself; 1 was the whole engine in operator state.
   */
  private static final int STATE_FORMAT = 3;
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
  private transient MapState<Integer, byte[]> profileParts;
  private transient MapState<Long, byte[]> bucketParts;
  /** The operator-state chunks of a restore, until the engine is read back (when the key is first set). */
  private transient List<byte[]> restored;
  /**
   * The ties last sent (encoded), or null when unknown: after a restore the next recomputation sends them whatever
   * they are, since what was sent after the checkpoint was never committed.
   */
  private transient byte[] tiesSent;
  private transient Counter recomputations;
  private transient Counter tiesPublished;
  private transient Counter clusterVerdicts;
  private transient Counter partsWritten;
  /** Exchanges and answers that arrived and are not folded in yet, by account and exchange number. */
  private transient Map<Ref, Pending> pending;
  /** The waiting exchanges in the order they arrived. */
  private transient java.util.ArrayDeque<Pending> arrived;

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
    profileParts = context.getKeyedStateStore().getMapState(new MapStateDescriptor<>("linkage-profiles",
        IntSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE));
    bucketParts = context.getKeyedStateStore().getMapState(new MapStateDescriptor<>("linkage-buckets",
        LongSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE));
    linkage = null;
    restored = null;
    if (context.isRestored()) {
      Iterable<byte[]> chunks = checkpointed.get();
      if (chunks != null && chunks.iterator().hasNext()) {
        restored = new ArrayList<>();
        chunks.forEach(restored::add);
      }
    }
  }

  @Override
  public void open(OpenContext context) {
    recomputations = getRuntimeContext().getMetricGroup().counter("linkageRecomputations");
    clusterVerdicts = getRuntimeContext().getMetricGroup().counter("clusterVerdicts");
    tiesPublished = getRuntimeContext().getMetricGroup().counter("clusterTiesPublished");
    partsWritten = getRuntimeContext().getMetricGroup().counter("linkagePartsCheckpointed");
  }

  /**
   * The engine: read back from the checkpoint, or new. Called where the single key is set (an exchange, a timer),
   * which reading keyed state needs.
   */
  private LinkageEngine engine() throws IOException {
    if (linkage == null) {
      if (restored != null) {
        restore(restored);
        restored = null;
      } else {
        linkage = LinkageEngine.withKeysFiledElsewhere(config(), spec.engine());
        versions = new HashMap<>();
        pending = new HashMap<>();
        arrived = new java.util.ArrayDeque<>();
        scheduled = Long.MIN_VALUE;
        dirty = false;
        tiesSent = new TiesSnapshot(0, ClusterTies.EMPTY).encode(); // nothing acted on: nothing to send
      }
    }
    return linkage;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    checkpointed.clear();
    if (linkage == null) {
      if (restored != null) { // restored and not touched since: the keyed parts still hold the engine
        for (byte[] chunk : restored) {
          checkpointed.add(chunk);
        }
      }
      return;
    }
    // The key the engine was created under (the only one) is still the current key: parts go under it.
    partsWritten.inc(linkage.writeChanges(new LinkageEngine.ChangeSink() {
      @Override
      public void profile(int index, byte[] state) throws IOException {
        put(profileParts, index, state);
      }

      @Override
      public void bucket(long key, byte[] state) throws IOException {
        put(bucketParts, key, state);
      }
    }));
    try (ChunkedStreams.Output out = new ChunkedStreams.Output(CHUNK, checkpointed::add)) {
      out.data().writeInt(STATE_FORMAT);
      writePending(out.data());
      out.data().writeLong(scheduled);
      out.data().writeBoolean(dirty);
      out.data().writeInt(versions.size());
      for (Map.Entry<String, Long> v : versions.entrySet()) {
        ChunkedStreams.writeString(out.data(), v.getKey());
        out.data().writeLong(v.getValue());
      }
      linkage.writeGlobals(out.data());
    }
  }

  private static <K> void put(MapState<K, byte[]> state, K key, byte[] value) throws IOException {
    access(() -> {
      state.put(key, value);
      return null;
    }, "write");
  }

  /** Flink's state calls throw {@code Exception}; a failure of linkage's state is an I/O failure. */
  private static <T> T access(java.util.concurrent.Callable<T> call, String what) throws IOException {
    try {
      return call.call();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("could not " + what + " linkage state", e);
    }
  }

  /** The chunks are in the checkpoint now; the next snapshot writes them afresh, so free the memory until then. */
  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    checkpointed.clear();
  }

  private void restore(List<byte[]> chunks) throws IOException {
    var in = ChunkedStreams.input(chunks);
    int format = in.readInt();
    if (format != STATE_FORMAT) {
      throw new IOException("linkage operator state format " + format + " is not " + STATE_FORMAT
          + (format == 2 ? " (a checkpoint of the job before linkage's key index moved to its own stage)" : ""));
    }
    readPending(in);
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
    linkage = LinkageEngine.readParts(in, access(profileParts::entries, "read"), access(bucketParts::entries, "read"),
        config(), spec.engine());
    if (!linkage.keysFiledElsewhere()) {
      throw new IOException("corrupt linkage operator state: an engine that files accounts itself");
    }
    if (in.read() != -1) {
      throw new IOException("corrupt linkage operator state: bytes after the engine");
    }
  }

  @Override
  public void processElement1(Observed o, Context ctx, Collector<VerdictEvent> out) throws IOException {
    engine();
    long at = o.exchange().eventTime().toEpochMilli();
    long boundary = (Math.floorDiv(at, intervalMillis) + 1) * intervalMillis;
    if (boundary > scheduled) {
      ctx.timerService().registerEventTimeTimer(boundary);
      scheduled = boundary;
    }
    if (o.keys().length == 0 && arrived.isEmpty()) { // most exchanges: nothing to wait for, nothing before them
      fold(o, NO_ANSWERS, out);
      return;
    }
    Ref ref = new Ref(o.exchange().accountId(), o.sequence());
    Pending p = pending.get(ref);
    if (p == null) {
      p = new Pending();
      if (o.keys().length > 0) {
        pending.put(ref, p);
      }
    } else if (p.observed != null) {
      throw new IOException("linkage got an account's exchange number " + o.sequence() + " twice");
    }
    p.observe(o);
    arrived.add(p);
    foldIn(out);
  }

  @Override
  public void processElement2(FilingAnswer a, Context ctx, Collector<VerdictEvent> out) throws IOException {
    engine();
    Pending head = arrived.peek();
    Pending p = head != null && head.is(a) ? head : pending.computeIfAbsent(new Ref(a.account(), a.sequence()),
        k -> new Pending());
    p.answer(a);
    if (p == head) {
      foldIn(out);
    }
  }

  /** Folds in the waiting exchanges, in arrival order, up to the first whose answers are not all here. */
  private void foldIn(Collector<VerdictEvent> out) throws IOException {
    for (Pending p = arrived.peek(); p != null && p.complete(); p = arrived.peek()) {
      arrived.poll();
      Observed o = p.observed;
      if (o.keys().length > 0) {
        pending.remove(new Ref(o.exchange().accountId(), o.sequence()));
      }
      fold(o, p.answers, out);
    }
  }

  private void fold(Observed o, FilingAnswer[] answers, Collector<VerdictEvent> out) {
    emit(linkage.accept(o.exchange(), o.observation(), answers), out);
    dirty = true;
  }

  /** For tests: exchanges folded in, and exchanges or answers waiting (0 and 0 before the first element). */
  long[] foldedAndWaiting() {
    return linkage == null ? new long[2] : new long[] {linkage.exchanges(), pending.size()};
  }

  /** An exchange: its account and its number among the account's exchanges. */
  private record Ref(String account, long sequence) {}

  /**
   * An exchange and the answers to its filings, as they arrive (either may come first): answers before the exchange
   * wait in a list, then each goes to the position of its key among the exchange's.
   */
  private static final class Pending {
    Observed observed;
    FilingAnswer[] answers;
    int missing;
    List<FilingAnswer> early;

    boolean is(FilingAnswer a) {
      return observed.sequence() == a.sequence() && observed.exchange().accountId().equals(a.account());
    }

    void observe(Observed o) throws IOException {
      observed = o;
      answers = new FilingAnswer[o.keys().length];
      missing = answers.length;
      if (early != null) {
        for (FilingAnswer a : early) {
          answer(a);
        }
        early = null;
      }
    }

    void answer(FilingAnswer a) throws IOException {
      if (observed == null) {
        if (early == null) {
          early = new ArrayList<>(2);
        }
        for (FilingAnswer e : early) {
          if (e.key() == a.key()) {
            throw new IOException("linkage got an answer to one filing twice");
          }
        }
        early.add(a);
        return;
      }
      long[] keys = observed.keys();
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] == a.key()) {
          if (answers[i] != null) {
            throw new IOException("linkage got an answer to one filing twice");
          }
          answers[i] = a;
          missing--;
          return;
        }
      }
      throw new IOException("linkage got an answer to a filing the exchange did not make");
    }

    boolean complete() {
      return observed != null && missing == 0;
    }

    /** The answers so far, in any order. */
    List<FilingAnswer> received() {
      List<FilingAnswer> out = new ArrayList<>();
      if (early != null) {
        out.addAll(early);
      }
      if (answers != null) {
        for (FilingAnswer a : answers) {
          if (a != null) {
            out.add(a);
          }
        }
      }
      return out;
    }
  }

  /** The waiting exchanges in arrival order with their answers so far, then the answers whose exchange is to come. */
  private void writePending(java.io.DataOutputStream data) throws IOException {
    DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(data);
    out.writeInt(arrived.size());
    for (Pending p : arrived) {
      LinkageSerializers.ObservedSerializer.INSTANCE.serialize(p.observed, out);
      writeAnswers(out, p.received());
    }
    List<FilingAnswer> early = new ArrayList<>();
    for (Pending p : pending.values()) {
      if (p.observed == null) {
        early.addAll(p.received());
      }
    }
    writeAnswers(out, early);
  }

  private static void writeAnswers(DataOutputViewStreamWrapper out, List<FilingAnswer> answers) throws IOException {
    out.writeInt(answers.size());
    for (FilingAnswer a : answers) {
      LinkageSerializers.AnswerSerializer.INSTANCE.serialize(a, out);
    }
  }

  private void readPending(java.io.DataInputStream data) throws IOException {
    DataInputViewStreamWrapper in = new DataInputViewStreamWrapper(data);
    pending = new HashMap<>();
    arrived = new java.util.ArrayDeque<>();
    int waiting = in.readInt();
    if (waiting < 0) {
      throw new IOException("corrupt linkage operator state: " + waiting + " waiting exchanges");
    }
    for (int i = 0; i < waiting; i++) {
      Observed o = LinkageSerializers.ObservedSerializer.INSTANCE.deserialize(in);
      Pending p = new Pending();
      p.observe(o);
      if (o.keys().length > 0 && pending.put(new Ref(o.exchange().accountId(), o.sequence()), p) != null) {
        throw new IOException("corrupt linkage operator state: an exchange waiting twice");
      }
      arrived.add(p);
      for (FilingAnswer a : readAnswers(in)) {
        if (!p.is(a)) {
          throw new IOException("corrupt linkage operator state: a misfiled answer");
        }
        p.answer(a);
      }
    }
    for (FilingAnswer a : readAnswers(in)) {
      pending.computeIfAbsent(new Ref(a.account(), a.sequence()), k -> new Pending()).answer(a);
    }
  }

  private static List<FilingAnswer> readAnswers(DataInputViewStreamWrapper in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("corrupt linkage operator state: " + n + " waiting answers");
    }
    List<FilingAnswer> out = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      out.add(LinkageSerializers.AnswerSerializer.INSTANCE.deserialize(in));
    }
    return out;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<VerdictEvent> out) throws IOException {
    engine();
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
}
