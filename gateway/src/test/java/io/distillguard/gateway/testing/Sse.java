package io.distillguard.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A server-sent-event answer read over a raw socket: the status and every event's data, in order. */
public record Sse(int status, String contentType, List<String> data) {

  /** Sends a streaming request and reads the whole answer (with a read timeout). */
  public static Sse post(int port, String path, String body, String key, String... headers) {
    List<String> h = new ArrayList<>(List.of(headers));
    h.add("Authorization: Bearer " + key);
    h.add("Content-Type: application/json");
    try (RawHttp raw = new RawHttp(port, Duration.ofSeconds(15))) {
      raw.write(RawHttp.request("POST", path, body.getBytes(StandardCharsets.UTF_8), h.toArray(new String[0])));
      RawHttp.Response head = raw.readHead();
      byte[] bytes = raw.readBody(head);
      if (head.status() != 200 || !String.valueOf(head.header("content-type")).startsWith("text/event-stream")) {
        return new Sse(head.status(), head.header("content-type"), List.of(new String(bytes, StandardCharsets.UTF_8)));
      }
      return new Sse(head.status(), head.header("content-type"), events(new String(bytes, StandardCharsets.UTF_8)));
    }
  }

  /** The data of each event of an SSE text. */
  public static List<String> events(String text) {
    List<String> out = new ArrayList<>();
    for (String event : text.replace("\r\n", "\n").split("\n\n")) {
      StringBuilder data = null;
      for (String line : event.split("\n")) {
        if (line.startsWith("data:")) {
          String v = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
          data = data == null ? new StringBuilder(v) : data.append('\n').append(v);
        }
      }
      if (data != null) {
        out.add(data.toString());
      }
    }
    return out;
  }

  public JsonNode json(int i) {
    try {
      return GatewayFixture.JSON.readTree(data.get(i));
    } catch (IOException e) {
      throw new AssertionError("event " + i + " is not JSON: " + data.get(i), e);
    }
  }

  public JsonNode last() {
    return json(data.size() - 1);
  }

  public boolean done() {
    return !data.isEmpty() && data.get(data.size() - 1).equals("[DONE]");
  }

  /** The concatenated generated text of choice 0 (chat deltas or completion texts). */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (String d : data) {
      if (d.equals("[DONE]")) {
        continue;
      }
      JsonNode n;
      try {
        n = GatewayFixture.JSON.readTree(d);
      } catch (IOException e) {
        continue;
      }
      for (JsonNode c : n.path("choices")) {
        if (c.path("index").asInt(0) != 0) {
          continue;
        }
        JsonNode t = c.has("delta") ? c.path("delta").path("content") : c.path("text");
        if (t.isTextual()) {
          sb.append(t.asText());
        }
      }
    }
    return sb.toString();
  }

  /** Events that carry a usage object. */
  public long usageEvents() {
    return data.stream().filter(d -> d.contains("\"usage\":{")).count();
  }

  public void assertErrorEvent(String code) {
    assertThat(done()).as("no [DONE] after an error").isFalse();
    JsonNode last = last();
    assertThat(last.has("error")).as("last event %s", data.get(data.size() - 1)).isTrue();
    assertThat(last.get("error").get("code").asText()).isEqualTo(code);
    assertThat(last.get("error").get("message").asText()).isNotBlank();
    assertThat(last.get("error").has("type")).isTrue();
  }

  /** Reads chunks of an SSE body until {@code enough} says stop; returns what was read. */
  public static String readUntil(RawHttp raw, java.util.function.Predicate<String> enough) {
    ByteArrayOutputStream acc = new ByteArrayOutputStream();
    while (true) {
      byte[] chunk = raw.readChunk();
      if (chunk == null) {
        return acc.toString(StandardCharsets.UTF_8);
      }
      acc.writeBytes(chunk);
      String s = acc.toString(StandardCharsets.UTF_8);
      if (enough.test(s)) {
        return s;
      }
    }
  }
}
