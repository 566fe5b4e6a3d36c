package io.distillguard.ui.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A running gateway's admin API, for what only lives in its memory: the live risk of an account and linkage's
 * clusters. Case files read everything else from the store, so they can be written with no gateway running.
 */
public final class AdminSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** @param base e.g. {@code http://127.0.0.1:8081} */
  public AdminSource(String base, String token) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
  }

  /** The JSON at {@code path} (starting {@code /admin/v1/}), or null when the gateway answers 404. */
  public JsonNode get(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
          .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 404) {
        return null;
      }
      if (r.statusCode() != 200) {
        throw new IllegalStateException("admin API " + path + " answered " + r.statusCode());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("admin API at " + base + " unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
