package io.distillguard.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A misbehaviour the {@link BuiltinUpstream} applies to one request, so gateway tests can exercise
 * timeouts, retries and broken streams against a real socket.
 *
 * <p>Faults reach the server three ways: {@link BuiltinUpstream#enqueue(Fault)} (FIFO, one fault
 * per arriving request), {@code POST /_builtin/faults} with the JSON form of {@link #toJson()}, or
 * the per-request header {@code x-builtin-fault} carrying that same JSON (which wins over the queue
 * and leaves it untouched).
 *
 * <p>JSON forms: {@code {"kind":"delay","millis":500}}, {@code {"kind":"status","status":500}},
 * {@code {"kind":"reset_after_chunks","chunks":3}}, {@code {"kind":"close"}},
 * {@code {"kind":"stall_after_chunks","chunks":2}}.
 *
 * @param kind what to do
 * @param delay wait before answering; only meaningful for {@link Kind#DELAY}, otherwise zero
 * @param status HTTP status to answer with; only meaningful for {@link Kind#STATUS}, otherwise 0
 * @param chunks SSE events sent before the fault strikes; only meaningful for the two
 *     {@code *_AFTER_CHUNKS} kinds, otherwise 0
 */
public record Fault(Kind kind, Duration delay, int status, int chunks) {

  /** The kinds of fault; {@link #jsonName()} is the {@code "kind"} value of the JSON form. */
  public enum Kind {
    /** Wait {@link Fault#delay()} before sending response headers, then answer normally. */
    DELAY("delay"),
    /** Answer with {@link Fault#status()} and an OpenAI-shaped error body. */
    STATUS("status"),
    /**
     * Streaming: send {@link Fault#chunks()} SSE events, then close the TCP connection (no
     * {@code [DONE]}, no terminating zero-length chunk). Non-streaming: send half of the body
     * (the Content-Length announces all of it), then close. The close is an ordinary FIN sent
     * once the events are on the wire, not an RST, so the client reliably receives exactly those
     * events before its read fails with a truncated-body error.
     */
    RESET_AFTER_CHUNKS("reset_after_chunks"),
    /** Close the connection without sending any response byte. */
    CLOSE("close"),
    /**
     * Streaming: send {@link Fault#chunks()} SSE events, then nothing more while keeping the
     * connection open. Non-streaming: send headers and half of the body, then nothing.
     */
    STALL_AFTER_CHUNKS("stall_after_chunks");

    private final String jsonName;

    Kind(String jsonName) {
      this.jsonName = jsonName;
    }

    /** The {@code "kind"} value used in the JSON form. */
    public String jsonName() {
      return jsonName;
    }

    static Kind fromJsonName(String name) {
      for (Kind k : values()) {
        if (k.jsonName.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown fault kind '" + name + "'");
    }
  }

  public Fault {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    if (kind == Kind.STATUS && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("status must be an error status in 400..599: " + status);
    }
    if (chunks < 0) {
      throw new IllegalArgumentException("chunks must not be negative: " + chunks);
    }
  }

  /** Wait {@code delay} before answering (before response headers). */
  public static Fault delay(Duration delay) {
    return new Fault(Kind.DELAY, delay, 0, 0);
  }

  /** Answer with HTTP {@code code} (400..599) and an OpenAI-shaped error body. */
  public static Fault status(int code) {
    return new Fault(Kind.STATUS, Duration.ZERO, code, 0);
  }

  /** Send {@code n} SSE events (or half a non-streaming body), then close the connection. */
  public static Fault resetAfterChunks(int n) {
    return new Fault(Kind.RESET_AFTER_CHUNKS, Duration.ZERO, 0, n);
  }

  /** Close the connection without any response. */
  public static Fault closeImmediately() {
    return new Fault(Kind.CLOSE, Duration.ZERO, 0, 0);
  }

  /** Send {@code n} SSE events (or half a non-streaming body), then go silent, connection open. */
  public static Fault stallAfterChunks(int n) {
    return new Fault(Kind.STALL_AFTER_CHUNKS, Duration.ZERO, 0, n);
  }

  /** The JSON form accepted by {@code POST /_builtin/faults} and the {@code x-builtin-fault} header. */
  public String toJson() {
    ObjectNode node = Json.MAPPER.createObjectNode().put("kind", kind.jsonName);
    switch (kind) {
      case DELAY -> node.put("millis", delay.toMillis());
      case STATUS -> node.put("status", status);
      case RESET_AFTER_CHUNKS, STALL_AFTER_CHUNKS -> node.put("chunks", chunks);
      case CLOSE -> { }
    }
    return node.toString();
  }

  /**
   * Parses the JSON form.
   *
   * @throws IllegalArgumentException when the text is not JSON, not an object, names an unknown
   *     kind, or lacks/mistypes the kind's numeric field
   */
  public static Fault parse(String json) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("fault is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("fault must be a JSON object");
    }
    JsonNode kindNode = node.get("kind");
    if (kindNode == null || !kindNode.isTextual()) {
      throw new IllegalArgumentException("fault needs a string field 'kind'");
    }
    Kind kind = Kind.fromJsonName(kindNode.asText().toLowerCase(Locale.ROOT));
    return switch (kind) {
      case DELAY -> delay(Duration.ofMillis(requireInt(node, "millis")));
      case STATUS -> status(requireInt(node, "status"));
      case RESET_AFTER_CHUNKS -> resetAfterChunks(requireInt(node, "chunks"));
      case STALL_AFTER_CHUNKS -> stallAfterChunks(requireInt(node, "chunks"));
      case CLOSE -> closeImmediately();
    };
  }

  private static int requireInt(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("fault kind needs an integer field '" + field + "'");
    }
    return value.intValue();
  }
}
