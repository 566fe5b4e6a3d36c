package io.distillguard.sim.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.sim.Label;
import java.time.Instant;
import java.util.Locale;

/**
 * What happened to one simulated request sent over HTTP: the evaluation's raw material (one JSONL line each with
 * {@code --out}).
 *
 * @param seq              order in which answers arrived, from 1
 * @param time             the request's simulated time (the event time in replay mode)
 * @param status           the HTTP status received; 0 when no answer came (connection failed or timed out)
 * @param retryAfterSeconds from {@code Retry-After}, 0 when absent
 * @param served           true for a 200 whose answer arrived whole
 * @param error            the error code of a refusal, or what went wrong on the way; null when served
 * @param latencyMillis    wall time from sending to the end of the answer
 * @param requestId        the gateway's id of the exchange ({@code x-request-id} of a served answer), else null
 */
public record RequestRecord(
    long seq,
    Instant time,
    String account,
    Label label,
    boolean attack,
    String clientIp,
    String endpoint,
    String model,
    boolean stream,
    int status,
    long retryAfterSeconds,
    boolean served,
    int promptTokens,
    int completionTokens,
    int responseChars,
    String error,
    long latencyMillis,
    String requestId) {

  /** The label kind as written in records and summaries: {@code benign}, {@code benign_heavy}, {@code campaign}. */
  public static String kindName(Label.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /** One JSON object, field names snake_case. */
  public ObjectNode toJson() {
    ObjectNode n = OpenAiWire.JSON.createObjectNode();
    n.put("seq", seq);
    n.put("time", time.toString());
    n.put("account", account);
    n.put("label", kindName(label.kind()));
    n.put("group", label.group());
    n.put("attack", attack);
    n.put("client_ip", clientIp);
    n.put("endpoint", endpoint);
    n.put("model", model);
    n.put("stream", stream);
    n.put("status", status);
    n.put("retry_after", retryAfterSeconds);
    n.put("served", served);
    n.put("prompt_tokens", promptTokens);
    n.put("completion_tokens", completionTokens);
    n.put("response_chars", responseChars);
    n.put("error", error);
    n.put("latency_ms", latencyMillis);
    if (requestId != null) {
      n.put("request_id", requestId);
    }
    return n;
  }
}
