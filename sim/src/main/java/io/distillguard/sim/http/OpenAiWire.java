package io.distillguard.sim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpHeaders;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The OpenAI wire format as a client speaks it: request bodies for {@code /v1/chat/completions} and
 * {@code /v1/completions}, and the served text and usage read back from a JSON answer or an SSE stream (read to its
 * end). Shared by the simulator's HTTP runner and the harvest tool.
 */
public final class OpenAiWire {
  /** Shared, thread-safe mapper. */
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final String CHAT = "/v1/chat/completions";
  public static final String COMPLETIONS = "/v1/completions";

  private OpenAiWire() {}

  /**
   * The API base URL ending in {@code /v1}: accepts {@code http://host:8080}, {@code http://host:8080/} and
   * {@code http://host:8080/v1}.
   *
   * @param what the option name for the error message, e.g. {@code --target}
   * @throws IllegalArgumentException naming the option when the URL is not an absolute http(s) URL
   */
  public static String apiBase(String url, String what) {
    String u = checkedUrl(url, what);
    return u.endsWith("/v1") ? u : u + "/v1";
  }

  /**
   * An absolute http(s) URL without trailing slashes.
   *
   * @throws IllegalArgumentException naming the option when it is not one
   */
  public static String checkedUrl(String url, String what) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(what + " is required (an http:// or https:// URL)");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad " + what + " URL '" + printable(url) + "': " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("bad " + what + " URL '" + printable(url)
          + "': expected http://host:port or https://host:port");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("bad " + what + " URL '" + printable(url) + "': no host");
    }
    if (uri.getQuery() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException("bad " + what + " URL '" + printable(url)
          + "': a base URL takes no query or fragment");
    }
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  /** The URL of an endpoint ({@code /v1/...}) under an API base from {@link #apiBase}. */
  public static URI endpoint(String apiBase, String endpoint) {
    String path = endpoint.startsWith("/v1/") ? endpoint.substring(3) : endpoint.startsWith("/") ? endpoint
        : "/" + endpoint;
    return URI.create(apiBase + path);
  }

  /** The JSON body a simulated request sends. */
  public static byte[] body(SimRequest r) {
    return COMPLETIONS.equals(r.endpoint())
        ? completionBody(r.model(), r.messages(), r.params(), r.stream())
        : chatBody(r.model(), r.messages(), r.params(), r.stream());
  }

  /** A chat completion request. */
  public static byte[] chatBody(String model, List<ChatMessage> messages, SamplingParams p, boolean stream) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    ArrayNode msgs = root.putArray("messages");
    for (ChatMessage m : messages) {
      msgs.addObject().put("role", m.role()).put("content", m.content() == null ? "" : m.content());
    }
    params(root, p, false);
    stream(root, stream);
    return bytes(root);
  }

  /** A legacy text completion request; the messages' contents are joined into the prompt. */
  public static byte[] completionBody(String model, List<ChatMessage> messages, SamplingParams p, boolean stream) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    StringBuilder prompt = new StringBuilder();
    for (ChatMessage m : messages) {
      if (m.content() != null) {
        if (prompt.length() > 0) {
          prompt.append("\n\n");
        }
        prompt.append(m.content());
      }
    }
    root.put("prompt", prompt.toString());
    params(root, p, true);
    stream(root, stream);
    return bytes(root);
  }

  private static void params(ObjectNode root, SamplingParams p, boolean legacy) {
    if (p == null) {
      return;
    }
    if (p.temperature() != null) {
      root.put("temperature", p.temperature());
    }
    if (p.topP() != null) {
      root.put("top_p", p.topP());
    }
    if (p.n() != null) {
      root.put("n", p.n());
    }
    if (p.maxTokens() != null) {
      root.put("max_tokens", p.maxTokens());
    }
    if (p.logprobs() != null) {
      if (legacy) {
        if (p.logprobs()) {
          root.put("logprobs", p.topLogprobs() == null ? 1 : p.topLogprobs());
        }
      } else {
        root.put("logprobs", p.logprobs());
        if (p.topLogprobs() != null) {
          root.put("top_logprobs", p.topLogprobs());
        }
      }
    }
    if (p.seed() != null) {
      root.put("seed", p.seed());
    }
    if (p.tools() > 0 && !legacy) {
      ArrayNode tools = root.putArray("tools");
      for (int i = 0; i < p.tools(); i++) {
        ObjectNode f = tools.addObject().put("type", "function").putObject("function");
        f.put("name", "tool_" + i).put("description", "a tool the client offers");
        f.putObject("parameters").put("type", "object").putObject("properties");
      }
    }
  }

  private static void stream(ObjectNode root, boolean stream) {
    if (stream) {
      root.put("stream", true);
      root.putObject("stream_options").put("include_usage", true);
    }
  }

  private static byte[] bytes(ObjectNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What an answer carried.
   *
   * @param text        the first choice's text (for a stream: its deltas joined), null when none
   * @param errorCode   the OpenAI error code of an error answer or of an error event in a stream, else null
   * @param streamError true when a stream ended with an error event or without {@code [DONE]}
   */
  public record Answer(String text, int promptTokens, int completionTokens, String errorCode, String errorMessage,
      boolean streamError) {}

  /** Reads an answer: a JSON body, or an SSE stream when the content type says so (or it was asked for). */
  public static Answer parse(int status, String contentType, String body, boolean askedStream) {
    boolean sse = contentType != null ? contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")
        : askedStream && body != null && body.startsWith("data:");
    if (status == 200 && sse) {
      return parseSse(body == null ? "" : body);
    }
    JsonNode root = tree(body);
    if (root == null) {
      return new Answer(null, 0, 0, status == 200 ? "invalid_response" : null,
          status == 200 ? "the answer was not JSON" : null, false);
    }
    JsonNode err = root.get("error");
    if (err != null && err.isObject()) {
      return new Answer(null, 0, 0, text(err.get("code")), text(err.get("message")), false);
    }
    String content = null;
    JsonNode c0 = root.path("choices").path(0);
    if (c0.has("message")) {
      content = text(c0.path("message").get("content"));
    } else if (c0.has("text")) {
      content = text(c0.get("text"));
    }
    JsonNode usage = root.path("usage");
    return new Answer(content, usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0),
        null, null, false);
  }

  private static Answer parseSse(String body) {
    StringBuilder text = new StringBuilder();
    boolean any = false;
    boolean done = false;
    int promptTokens = 0;
    int completionTokens = 0;
    String errorCode = null;
    String errorMessage = null;
    for (String line : body.split("\r?\n")) {
      if (!line.startsWith("data:")) {
        continue;
      }
      String data = line.substring(5).strip();
      if (data.equals("[DONE]")) {
        done = true;
        break;
      }
      JsonNode n = tree(data);
      if (n == null) {
        continue;
      }
      JsonNode err = n.get("error");
      if (err != null && err.isObject()) {
        errorCode = text(err.get("code"));
        errorMessage = text(err.get("message"));
        if (errorCode == null) {
          errorCode = "stream_error";
        }
        continue;
      }
      for (JsonNode c : n.path("choices")) {
        if (c.path("index").asInt(0) != 0) {
          continue;
        }
        String piece = c.has("delta") ? text(c.path("delta").get("content")) : text(c.get("text"));
        if (piece != null) {
          text.append(piece);
          any = true;
        }
      }
      JsonNode usage = n.get("usage");
      if (usage != null && usage.isObject()) {
        promptTokens = usage.path("prompt_tokens").asInt(0);
        completionTokens = usage.path("completion_tokens").asInt(0);
      }
    }
    boolean broken = errorCode != null || !done;
    if (broken && errorCode == null) {
      errorCode = "stream_incomplete";
      errorMessage = "the stream ended without [DONE]";
    }
    return new Answer(any ? text.toString() : null, promptTokens, completionTokens, errorCode, errorMessage,
        broken);
  }

  /**
   * Seconds from a {@code Retry-After} header (delay-seconds or an HTTP date); 0 when absent or unreadable.
   */
  public static long retryAfterSeconds(HttpHeaders headers, Instant now) {
    String v = headers.firstValue("Retry-After").orElse(null);
    if (v == null || v.isBlank()) {
      return 0;
    }
    v = v.trim();
    try {
      return Math.max(0, Long.parseLong(v));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Math.max(0, at.getEpochSecond() - now.getEpochSecond());
      } catch (DateTimeParseException e2) {
        return 0;
      }
    }
  }

  /** Parses JSON, null when it is not JSON. */
  public static JsonNode tree(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  /** User input for error messages: shortened, control characters replaced. */
  public static String printable(String s) {
    if (s == null) {
      return "";
    }
    String t = s.length() > 100 ? s.substring(0, 100) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
