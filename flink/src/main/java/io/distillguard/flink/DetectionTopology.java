package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.linkage.Filing;
import io.distillguard.linkage.FilingAnswer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The job's dataflow, apart from its source and sink (so tests run it on in-memory streams and the job on Kafka):
 *
 * <pre>
 * decoded records ─split─▶ exchanges ─keyBy(account)─AccountDetection─▶ account verdicts ──────────────────┐
 *   └▶ malformed (side)          ├▶ too late (side)                                                       │
 *                                └▶ accepted ─(same keys)─LinkageKeys─▶ observed ──────┐                  ├─▶ verdicts
 *                                                              └▶ filings              │                  │
 *                          ┌─ answers ◀─LinkageKeyMembers─keyBy(linkage key)─┘         │                  │
 *                          └───────────────────────────────────────────keyBy(0)─LinkageOperator─▶ clusters┘
 *                                                                                            └▶ ties (side) ─▶ ties
 * </pre>
 *
 * <p>Linkage runs in three stages so that its keyed work spreads over the job's parallelism: {@link LinkageKeys}
 * (keyed by account, chained to detection without a shuffle since detection's output is keyed by account already)
 * takes each exchange's observation and its new keys; {@link LinkageKeyMembers} (keyed by linkage key) keeps each
 * key's members and answers each filing with its candidates; {@link LinkageOperator} (parallelism 1) holds the
 * profiles, scores the candidate pairs and clusters.
 *
 * <p>Records arrive decoded and timestamped: the job decodes them in the Kafka source ({@link ExchangeEvents}) and
 * assigns watermarks there with {@link #sourceWatermarks}, one generator per Kafka partition. Watermarks assigned
 * after the source would trail the largest event time over the interleaved records of all the partitions a subtask
 * reads, so a partition read ahead of another (a backlog, a restart) would make the other's exchanges late.
 */
public final class DetectionTopology {
  private DetectionTopology() {}

  /**
   * The streams a built topology exposes.
   *
   * @param verdicts        account and cluster verdicts, for the verdict topic
   * @param accountVerdicts the per-account detection operator (its side outputs: too late, accepted)
   * @param clusterVerdicts linkage's verdicts, null when linkage is off
   * @param malformed       records that did not decode, null when the input was already decoded
   * @param ties            encoded {@link io.distillguard.linkage.TiesSnapshot}s for the ties topic, each when the
   *                        ties changed; null when linkage is off
   */
  public record Streams(DataStream<VerdictEvent> verdicts, SingleOutputStreamOperator<VerdictEvent> accountVerdicts,
      DataStream<VerdictEvent> clusterVerdicts, DataStream<Rejected> malformed, DataStream<byte[]> ties) {

    public DataStream<Exchange> tooLate() {
      return accountVerdicts.getSideOutput(AccountDetection.TOO_LATE);
    }
  }

  /**
   * From decoded records that already carry event-time timestamps and watermarks (the job's Kafka source, built with
   * {@link #sourceWatermarks}).
   */
  public static Streams fromDecoded(DataStream<Decoded> timed, JobSettings s) {
    SingleOutputStreamOperator<Exchange> exchanges = timed.process(new SplitDecoded(), ExchangeSerializer.TYPE)
        .name("split decoded").uid("split-decoded");
    Streams built = timedExchanges(exchanges, s);
    return new Streams(built.verdicts, built.accountVerdicts, built.clusterVerdicts,
        exchanges.getSideOutput(SplitDecoded.MALFORMED), built.ties);
  }

  /**
   * From exchange events in their wire form, in one ordered stream (tests, the throughput harness): decoded and
   * timestamped after the source, which is the same as in the source when there is a single ordered input.
   */
  public static Streams fromEvents(DataStream<byte[]> events, JobSettings s) {
    return fromEvents(events, s, watermarks(s));
  }

  /** From exchange events, with watermarks from the given strategy instead of the settings' (for tests). */
  public static Streams fromEvents(DataStream<byte[]> events, JobSettings s, WatermarkStrategy<Exchange> watermarks) {
    DataStream<Decoded> timed = events.map(v -> Decoded.of(v, -1, -1), DecodedSerializer.TYPE)
        .name("decode exchanges").uid("decode-exchanges")
        .assignTimestampsAndWatermarks(new ExchangeWatermarks(watermarks))
        .name("event time").uid("event-time");
    return fromDecoded(timed, s);
  }

  /**
   * The job's watermarks: the largest event time seen less the out-of-orderness, emitted periodically; a source
   * partition idle for the settings' idleness stops holding them back.
   */
  public static WatermarkStrategy<Exchange> watermarks(JobSettings s) {
    return WatermarkStrategy.<Exchange>forBoundedOutOfOrderness(s.outOfOrderness())
        .withTimestampAssigner((e, previous) -> e.eventTime().toEpochMilli())
        .withIdleness(s.idleness());
  }

  /**
   * {@link #watermarks} for the Kafka source's decoded records: exchanges move event time, rejected records do not.
   * Given to {@code env.fromSource}, it runs one generator per partition and the source emits the least of their
   * watermarks.
   */
  public static WatermarkStrategy<Decoded> sourceWatermarks(JobSettings s) {
    return new ExchangeWatermarks(watermarks(s));
  }

  /** From decoded exchanges that carry timestamps and watermarks. */
  static Streams timedExchanges(DataStream<Exchange> timed, JobSettings s) {
    SingleOutputStreamOperator<VerdictEvent> accounts = timed
        .keyBy(Exchange::accountId, org.apache.flink.api.common.typeinfo.Types.STRING)
        .process(new AccountDetection(s.engine(), s.stateTtl(), s.dedupeTtl(), s.allowedLateness()),
            VerdictEventSerializer.TYPE)
        .name("account detection").uid("account-detection");
    if (!s.linkage()) {
      return new Streams(accounts, accounts, null, null, null);
    }
    // The accepted exchanges leave a stage keyed by account: the key stage reads them where they are.
    SingleOutputStreamOperator<Observed> observed = DataStreamUtils.reinterpretAsKeyedStream(
            accounts.getSideOutput(AccountDetection.ACCEPTED), Exchange::accountId, Types.STRING)
        .process(new LinkageKeys(), LinkageSerializers.ObservedSerializer.TYPE)
        .name("linkage keys").uid("linkage-keys");
    SingleOutputStreamOperator<FilingAnswer> answers = observed.getSideOutput(LinkageKeys.FILINGS)
        .keyBy(Filing::key, Types.LONG)
        .process(new LinkageKeyMembers(), LinkageSerializers.AnswerSerializer.TYPE)
        .name("linkage key members").uid("linkage-key-members");
    if (s.linkageKeyParallelism() > 0) {
      answers.setParallelism(s.linkageKeyParallelism());
    }
    SingleOutputStreamOperator<VerdictEvent> clusters = observed.connect(answers)
        .keyBy(o -> 0, a -> 0, Types.INT)
        .process(new LinkageOperator(s.engine(), s.linkageInterval(), s.linkageThreads()),
            VerdictEventSerializer.TYPE)
        .setParallelism(1).setMaxParallelism(1)
        .name("linkage").uid("linkage");
    return new Streams(accounts.union(clusters), accounts, clusters, null,
        clusters.getSideOutput(LinkageOperator.TIES));
  }
}
