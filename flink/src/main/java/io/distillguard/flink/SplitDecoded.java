package io.distillguard.flink;

import io.distillguard.core.Exchange;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends decoded exchanges on and records that did not decode to the {@link #MALFORMED} side output, counting both
 * kinds of drop; never throws: one bad record must not restart the job (it would fail again on replay, forever).
 * Exchanges without an account (unauthenticated requests) are counted and dropped, as the in-process engine ignores
 * them. Timestamps and watermarks pass through unchanged (they were assigned in the source, per partition).
 */
public final class SplitDecoded extends ProcessFunction<Decoded, Exchange> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<Rejected> MALFORMED = new OutputTag<>("malformed-exchanges",
      TypeInformation.of(Rejected.class));

  private transient Counter malformed;
  private transient Counter unauthenticated;

  @Override
  public void open(OpenContext context) {
    malformed = getRuntimeContext().getMetricGroup().counter("malformedExchanges");
    unauthenticated = getRuntimeContext().getMetricGroup().counter("unauthenticatedExchanges");
  }

  @Override
  public void processElement(Decoded d, Context ctx, Collector<Exchange> out) {
    if (d.rejected() != null) {
      malformed.inc();
      ctx.output(MALFORMED, d.rejected());
      return;
    }
    Exchange e = d.exchange();
    if (e.accountId() == null || e.accountId().isEmpty()) {
      unauthenticated.inc();
      return;
    }
    out.collect(e);
  }
}
