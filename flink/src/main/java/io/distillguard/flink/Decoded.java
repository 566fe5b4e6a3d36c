package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.WireFormatException;

/**
 * One input record after decoding: the exchange it holds, or why it was rejected (exactly one of the two is set).
 * Records are decoded inside the Kafka source ({@link ExchangeEvents}) so that the source's per-partition watermark
 * generators read each exchange's event time; a record that does not decode travels on as a rejection instead of
 * failing the source, and {@link SplitDecoded} sends it to the side output.
 *
 * @param exchange the decoded exchange, or null
 * @param rejected why the record was not decoded, or null
 */
public record Decoded(Exchange exchange, Rejected rejected) {

  public Decoded {
    if ((exchange == null) == (rejected == null)) {
      throw new IllegalArgumentException("exactly one of exchange and rejected must be set");
    }
  }

  /**
   * Decodes one exchange event (the versioned JSON of {@link ExchangeCodec#encodeEvent}). Never throws: a record that
   * is empty, a tombstone, not JSON, missing or mistyping a field, or of an unknown schema version becomes a
   * rejection whose reason is the codec's message made printable (it may quote the record).
   *
   * @param partition input partition, -1 when not from Kafka
   * @param offset    input offset, -1 when not from Kafka
   */
  public static Decoded of(byte[] value, int partition, long offset) {
    try {
      if (value == null || value.length == 0) {
        throw new WireFormatException("exchange event is empty");
      }
      return new Decoded(ExchangeCodec.decode(value), null);
    } catch (RuntimeException ex) { // WireFormatException, and anything else a hostile record might provoke
      String why = ex instanceof WireFormatException ? ex.getMessage() : "undecodable: " + ex.getClass().getName();
      return new Decoded(null, new Rejected(printable(why), value == null ? 0 : value.length, partition, offset));
    }
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
