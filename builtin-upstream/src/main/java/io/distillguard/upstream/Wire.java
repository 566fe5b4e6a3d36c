package io.distillguard.upstream;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small helpers for OpenAI wire details shared by the endpoints: response ids, the stand-in
 * {@code system_fingerprint}, usage objects, the envelope the chat and text completion endpoints
 * put around their choices, and hand-built JSON for the hot streaming path (one string per chunk
 * instead of a Jackson tree per chunk).
 */
final class Wire {
  /** Sent as {@code system_fingerprint}, so traces show the answers came from no model at all. */
  static final String SYSTEM_FINGERPRINT = "fp_distillguard_builtin_standin_not_a_model";
  static final String DONE = "[DONE]";
  private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime());

  private Wire() {}

  /** A unique-per-process id such as {@code chatcmpl-5f3c...}. */
  static String nextId(String prefix) {
    return prefix + String.format("%016x", Corpus.mix64(SEQUENCE.incrementAndGet()));
  }

  static long nowEpochSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  /** {@code s} as a JSON string literal, quotes included. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8).append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"').toString();
  }

  static String usage(int promptTokens, int completionTokens) {
    return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
        + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}";
  }

  /**
   * A non-streamed completion up to its choices: {@code id}, {@code object}, {@code created},
   * {@code model} and {@code system_fingerprint}, in that order. The caller adds {@code choices}
   * and ends with {@link #completionReply}.
   */
  static ObjectNode completion(String id, String object, long created, String model) {
    return Json.MAPPER.createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", model)
        .put("system_fingerprint", SYSTEM_FINGERPRINT);
  }

  /** Adds the {@code usage} object to a {@link #completion} and makes it the 200 reply. */
  static Reply completionReply(ObjectNode root, int promptTokens, int completionTokens) {
    root.putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    return new Reply.JsonBody(200, root.toString());
  }

  /**
   * The start of every chunk of a completion stream, up to and including the {@code [} that
   * opens its {@code choices}: the same fields as {@link #completion}, {@code object} being the
   * chunk's ({@code object} and the fingerprint are written as they are, not escaped).
   */
  static String chunkHead(String id, String object, long created, String model) {
    return "{\"id\":" + quote(id) + ",\"object\":\"" + object + "\",\"created\":" + created
        + ",\"model\":" + quote(model) + ",\"system_fingerprint\":\"" + SYSTEM_FINGERPRINT
        + "\",\"choices\":[";
  }

  /**
   * What closes a choice chunk after its choices. OpenAI marks every chunk with
   * {@code "usage":null} when usage will follow in a final chunk.
   */
  static String chunkTail(boolean includeUsage) {
    return includeUsage ? "],\"usage\":null}" : "]}";
  }

  /**
   * Ends a completion stream: appends the usage chunk (empty choices) when
   * {@code stream_options.include_usage} asked for it, then {@code [DONE]}.
   */
  static Reply endStream(List<Reply.Event> events, String head, boolean includeUsage,
      int promptTokens, int completionTokens) {
    if (includeUsage) {
      events.add(new Reply.Event(
          head + "],\"usage\":" + usage(promptTokens, completionTokens) + "}", false));
    }
    events.add(new Reply.Event(DONE, false));
    return new Reply.EventStream(events);
  }

  /** A {@code finish_reason} value: JSON {@code null} while a choice goes on, else the reason quoted. */
  static String finishReason(String reason) {
    return reason == null ? "null" : "\"" + reason + "\"";
  }
}
