package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.WireFormatException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns exchange events (the versioned JSON of {@link ExchangeCodec#encodeEvent}) into {@link Exchange}s. A record
 * that does not decode (not JSON, a missing or mistyped field, an unknown schema version) is counted and sent to the
 * {@link #MALFORMED} side output, never thrown: one bad record must not restart the job (it would fail again on
 * replay, forever). Exchanges without an account (unauthenticated requests) are counted and dropped, as the
 * in-process engine ignores them.
 */
public final class DecodeExchanges extends ProcessFunction<byte[], Exchange> {
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
  public void processElement(byte[] value, Context ctx, Collector<Exchange> out) {
    Exchange e;
    try {
      if (value == null || value.length == 0) {
        throw new WireFormatException("exchange event is empty");
      }
      e = ExchangeCodec.decode(value);
    } catch (RuntimeException ex) { // WireFormatException, and anything else a hostile record might provoke
      malformed.inc();
      String why = ex instanceof WireFormatException ? ex.getMessage() : "undecodable: " + ex.getClass().getName();
      ctx.output(MALFORMED, new Rejected(printable(why), value == null ? 0 : value.length, -1, -1));
      return;
    }
    if (e.accountId() == null || e.accountId().isEmpty()) {
      unauthenticated.inc();
      return;
    }
    out.collect(e);
  }

  /** Control characters out, length bounded: the message may quote the record. */
  static String printable(String s) {
    if (s == null) {
      return "";
    }
    String t = s.length() > 300 ? s.substring(0, 300) + "…" : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
