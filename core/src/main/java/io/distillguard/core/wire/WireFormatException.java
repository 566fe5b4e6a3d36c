package io.distillguard.core.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record that cannot be decoded: not JSON, missing a required field, a value of the wrong type, or a schema
 * version this build does not read. Consumers count and skip such records; they never stop on one.
 *
 * <p>The message never quotes the record's content (records come from traffic and may be hostile), only the
 * position and the names of the JSON properties involved, with control characters replaced and length capped, so it
 * can be logged as it is.
 */
public final class WireFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private static final int MAX = 200;

  public WireFormatException(String message) {
    super(defang(message));
  }

  public WireFormatException(String message, Throwable cause) {
    super(defang(message), cause);
  }

  /** Refuses an object whose {@code v} field is present and not {@code expected}. */
  static void checkVersion(JsonNode object, String what, int expected) {
    JsonNode v = object.get(ExchangeCodec.VERSION_FIELD);
    if (v == null || v.isNull()) {
      return;
    }
    if (!v.isIntegralNumber() || v.asLong() != expected) {
      throw new WireFormatException(what + " has schema version " + (v.isNumber() ? v.asText() : "(not a number)")
          + "; this build reads version " + expected);
    }
  }

  /** What went wrong while binding, without the offending value: the JSON path and the kind of problem. */
  static String summary(Exception ex) {
    if (ex instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      String path = m.getPath().stream()
          .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .reduce((a, b) -> a + "." + b).orElse("(root)");
      Throwable root = m;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String kind = root instanceof NullPointerException npe && npe.getMessage() != null
          ? "missing " + npe.getMessage()
          : m.getClass().getSimpleName();
      return kind + " at " + path;
    }
    if (ex instanceof JsonProcessingException p) {
      return p.getLocation() == null ? p.getClass().getSimpleName()
          : p.getClass().getSimpleName() + " at line " + p.getLocation().getLineNr() + ", column "
              + p.getLocation().getColumnNr();
    }
    return ex.getClass().getSimpleName();
  }

  /** At most {@value #MAX} characters, control characters replaced. */
  static String defang(String s) {
    if (s == null) {
      return "";
    }
    String t = s.length() > MAX ? s.substring(0, MAX) + "..." : s;
    return t.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "?");
  }
}
