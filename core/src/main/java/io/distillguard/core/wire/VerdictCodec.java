package io.distillguard.core.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link VerdictEvent} on the verdict topic, described by
 * {@code schema/verdict-event.v1.schema.json}: {@code "v":1} first, enum values in lower case (the admin API's
 * names), times in ISO-8601, absent optional fields left out. A non-finite reason value (which JSON cannot hold) is
 * written as null and read back as NaN.
 *
 * <p>{@link #decode} checks every field itself, so a malformed record is refused with a {@link WireFormatException}
 * naming the field (never quoting its value), and a record of another schema version is refused rather than
 * misread. Unknown fields are ignored (additive changes keep version 1).
 */
public final class VerdictCodec {
  /** The version {@link #encode} writes and the only one {@link #decode} accepts. */
  public static final int VERSION = 1;

  private VerdictCodec() {}

  /** The record's value bytes; its key is {@link VerdictEvent#accountId()} in UTF-8. */
  public static byte[] encode(VerdictEvent v) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = ExchangeCodec.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField(ExchangeCodec.VERSION_FIELD, VERSION);
      g.writeStringField("accountId", v.accountId());
      if (v.clusterId() != null) {
        g.writeStringField("clusterId", v.clusterId());
      }
      g.writeStringField("status", v.status().wireName());
      if (v.level() != null) {
        g.writeStringField("level", v.level().wireName());
      }
      if (v.score() != null) {
        g.writeNumberField("score", v.score());
      }
      g.writeNumberField("evidence", v.evidence());
      g.writeArrayFieldStart("reasons");
      for (Reason r : v.reasons()) {
        g.writeStartObject();
        g.writeStringField("signal", r.signal());
        finite(g, "value", r.value());
        finite(g, "contribution", r.contribution());
        if (r.explanation() != null) {
          g.writeStringField("explanation", r.explanation());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("at", v.at().toString());
      g.writeStringField("source", v.source().wireName());
      g.writeNumberField("version", v.version());
      if (v.note() != null) {
        g.writeStringField("note", v.note());
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  private static void finite(JsonGenerator g, String name, double d) throws IOException {
    if (Double.isFinite(d)) {
      g.writeNumberField(name, d);
    } else {
      g.writeNullField(name);
    }
  }

  /**
   * Reads a record's value.
   *
   * @throws WireFormatException when the bytes are not a JSON object of this schema (version included)
   */
  public static VerdictEvent decode(byte[] bytes) {
    JsonNode o;
    try {
      o = ExchangeCodec.MAPPER.readTree(bytes);
    } catch (IOException ex) {
      throw new WireFormatException("verdict is not valid JSON: " + WireFormatException.summary(ex), ex);
    }
    if (o == null || !o.isObject()) {
      throw new WireFormatException("verdict is not a JSON object");
    }
    WireFormatException.checkVersion(o, "verdict", VERSION);
    String accountId = text(o, "accountId", true);
    if (accountId.isEmpty()) {
      throw new WireFormatException("verdict: accountId is empty");
    }
    AccountStatus status;
    try {
      status = AccountStatus.parse(text(o, "status", true));
    } catch (IllegalArgumentException e) {
      throw new WireFormatException("verdict: status is not one of active, watch, throttled, degraded, blocked");
    }
    String levelText = text(o, "level", false);
    RiskLevel level = null;
    if (levelText != null) {
      for (RiskLevel l : RiskLevel.values()) {
        if (l.wireName().equals(levelText)) {
          level = l;
        }
      }
      if (level == null) {
        throw new WireFormatException("verdict: level is not one of none, watch, throttle, degrade, block");
      }
    }
    Double score = null;
    JsonNode s = o.get("score");
    if (s != null && !s.isNull()) {
      if (!s.isNumber() || !(s.asDouble() >= 0 && s.asDouble() <= 1)) {
        throw new WireFormatException("verdict: score is not a number in [0, 1]");
      }
      score = s.asDouble();
    }
    long evidence = 0;
    JsonNode ev = o.get("evidence");
    if (ev != null && !ev.isNull()) {
      if (!ev.isIntegralNumber() || !ev.canConvertToLong() || ev.asLong() < 0) {
        throw new WireFormatException("verdict: evidence is not a whole number >= 0");
      }
      evidence = ev.asLong();
    }
    List<Reason> reasons = reasons(o.get("reasons"));
    Instant at;
    try {
      at = Instant.parse(text(o, "at", true));
    } catch (DateTimeParseException e) {
      throw new WireFormatException("verdict: at is not an ISO-8601 instant");
    }
    VerdictEvent.Source source = VerdictEvent.Source.parse(text(o, "source", true));
    if (source == null) {
      throw new WireFormatException("verdict: source is not one of detection, linkage, analyst");
    }
    JsonNode ver = o.get("version");
    if (ver == null || !ver.isIntegralNumber() || !ver.canConvertToLong() || ver.asLong() < 1) {
      throw new WireFormatException("verdict: version is missing or not a whole number >= 1");
    }
    return new VerdictEvent(accountId, text(o, "clusterId", false), status, level, score, evidence, reasons, at,
        source, ver.asLong(), text(o, "note", false));
  }

  private static List<Reason> reasons(JsonNode array) {
    if (array == null || array.isNull()) {
      return List.of();
    }
    if (!array.isArray()) {
      throw new WireFormatException("verdict: reasons is not an array");
    }
    List<Reason> out = new ArrayList<>(array.size());
    for (JsonNode r : array) {
      if (!r.isObject()) {
        throw new WireFormatException("verdict: reasons[" + out.size() + "] is not an object");
      }
      String signal = text(r, "signal", true);
      out.add(new Reason(signal, number(r, "value", out.size()), number(r, "contribution", out.size()),
          text(r, "explanation", false)));
    }
    return out;
  }

  private static double number(JsonNode r, String field, int index) {
    JsonNode n = r.get(field);
    if (n == null || n.isNull()) {
      return Double.NaN;
    }
    if (!n.isNumber()) {
      throw new WireFormatException("verdict: reasons[" + index + "]." + field + " is not a number");
    }
    return n.asDouble();
  }

  private static String text(JsonNode o, String field, boolean required) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new WireFormatException("verdict: " + field + " is missing");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw new WireFormatException("verdict: " + field + " is not a string");
    }
    return n.asText();
  }
}
