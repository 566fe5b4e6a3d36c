package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.VerdictEvent;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The job's dataflow, apart from its source and sink (so tests run it on in-memory streams and the job on Kafka):
 *
 * <pre>
 * bytes ─decode─▶ exchanges ─watermarks─▶ keyBy(account) ─AccountDetection─▶ account verdicts ─┐
 *   └▶ malformed (side)                          ├▶ too late (side)                            ├─▶ verdicts
 *                                                └▶ accepted ─keyBy(0)─LinkageOperator─▶ cluster verdicts ─┘
 * </pre>
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
   */
  public record Streams(DataStream<VerdictEvent> verdicts, SingleOutputStreamOperator<VerdictEvent> accountVerdicts,
      DataStream<VerdictEvent> clusterVerdicts, DataStream<Rejected> malformed) {

    public DataStream<Exchange> tooLate() {
      return accountVerdicts.getSideOutput(AccountDetection.TOO_LATE);
    }
  }

  /** From exchange events in their wire form. */
  public static Streams fromEvents(DataStream<byte[]> events, JobSettings s) {
    return fromEvents(events, s, watermarks(s));
  }

  /** From exchange events, with watermarks from the given strategy instead of the settings' (for tests). */
  public static Streams fromEvents(DataStream<byte[]> events, JobSettings s, WatermarkStrategy<Exchange> watermarks) {
    SingleOutputStreamOperator<Exchange> decoded = events.process(new DecodeExchanges(), ExchangeSerializer.TYPE)
        .name("decode exchanges").uid("decode-exchanges");
    Streams built = fromExchanges(decoded, s, watermarks);
    return new Streams(built.verdicts, built.accountVerdicts, built.clusterVerdicts,
        decoded.getSideOutput(DecodeExchanges.MALFORMED));
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

  /** From decoded exchanges. */
  public static Streams fromExchanges(DataStream<Exchange> exchanges, JobSettings s) {
    return fromExchanges(exchanges, s, watermarks(s));
  }

  /** From decoded exchanges, with the given watermark strategy. */
  public static Streams fromExchanges(DataStream<Exchange> exchanges, JobSettings s,
      WatermarkStrategy<Exchange> watermarks) {
    DataStream<Exchange> timed = exchanges.assignTimestampsAndWatermarks(watermarks)
        .name("event time").uid("event-time");
    SingleOutputStreamOperator<VerdictEvent> accounts = timed
        .keyBy(Exchange::accountId, org.apache.flink.api.common.typeinfo.Types.STRING)
        .process(new AccountDetection(s.engine(), s.stateTtl(), s.dedupeTtl(), s.allowedLateness()),
            VerdictEventSerializer.TYPE)
        .name("account detection").uid("account-detection");
    if (!s.linkage()) {
      return new Streams(accounts, accounts, null, null);
    }
    DataStream<VerdictEvent> clusters = accounts.getSideOutput(AccountDetection.ACCEPTED)
        .keyBy(e -> 0, org.apache.flink.api.common.typeinfo.Types.INT)
        .process(new LinkageOperator(s.engine(), s.linkageInterval()), VerdictEventSerializer.TYPE)
        .setParallelism(1).setMaxParallelism(1)
        .name("linkage").uid("linkage");
    return new Streams(accounts.union(clusters), accounts, clusters, null);
  }
}
