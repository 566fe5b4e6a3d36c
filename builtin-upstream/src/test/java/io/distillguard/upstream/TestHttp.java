package io.distillguard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small java.net.http helpers shared by the server tests. */
final class TestHttp {
  static final ObjectMapper MAPPER = new ObjectMapper();
  // HTTP/1.1 pinned: the builtin upstream does not do h2c, and faults are per connection.
  static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private TestHttp() {}

  static HttpRequest.Builder post(String url, String json) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postJson(String url, String json) throws Exception {
    return send(post(url, json));
  }

  static HttpResponse<String> get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return MAPPER.readTree(response.body());
  }

  static JsonNode json(String text) throws IOException {
    return MAPPER.readTree(text);
  }

  /** The {@code data:} payloads of an SSE body, in order. */
  static List<String> events(String body) {
    List<String> out = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      if (block.startsWith("data: ")) {
        out.add(block.substring("data: ".length()));
      }
    }
    return out;
  }

  /**
   * Reads SSE payloads from a streaming response into {@code sink} until the stream ends or
   * fails; returns the failure, or null when the stream ended cleanly.
   */
  static IOException readEvents(InputStream in, List<String> sink) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.startsWith("data: ")) {
          sink.add(line.substring("data: ".length()));
        }
      }
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  static String chatBody(String model, String prompt, String extra) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":"
        + quote(prompt) + "}]" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
