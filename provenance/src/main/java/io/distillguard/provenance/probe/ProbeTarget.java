package io.distillguard.provenance.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/** Sends probe prompts to a suspect OpenAI-compatible endpoint and collects its answers. */
public final class ProbeTarget {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI chat;
  private final String model;
  private final String apiKey;
  private final int concurrency;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * @param base   the endpoint's base URL ({@code /v1} is added when missing)
   * @param apiKey bearer key, or null
   */
  public ProbeTarget(String base, String model, String apiKey, int concurrency) {
    String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    if (!b.endsWith("/v1")) {
      b = b + "/v1";
    }
    this.chat = URI.create(b + "/chat/completions");
    this.model = model;
    this.apiKey = apiKey;
    this.concurrency = Math.max(1, concurrency);
  }

  /** One answer per prompt, in prompt order; a failed request gives an empty answer and is counted. */
  public Answers ask(List<String> prompts, int maxTokens, long seed) throws InterruptedException {
    Semaphore window = new Semaphore(concurrency);
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      window.acquire();
      ObjectNode body = JSON.createObjectNode().put("model", model).put("max_tokens", maxTokens)
          .put("seed", seed + i);
      body.putArray("messages").addObject().put("role", "user").put("content", prompts.get(i));
      HttpRequest.Builder rb = HttpRequest.newBuilder(chat).timeout(Duration.ofSeconds(120))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
      if (apiKey != null) {
        rb.header("authorization", "Bearer " + apiKey);
      }
      futures.add(http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> r.statusCode() == 200 ? content(r.body()) : null)
          .exceptionally(e -> null)
          .whenComplete((r, e) -> window.release()));
    }
    List<String> texts = new ArrayList<>();
    int failed = 0;
    for (CompletableFuture<String> f : futures) {
      String t = f.join();
      if (t == null) {
        failed++;
        t = "";
      }
      texts.add(t);
    }
    return new Answers(texts, failed);
  }

  /** Answers and how many requests failed. */
  public record Answers(List<String> texts, int failed) {}

  private static String content(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n.at("/choices/0/message/content").asText("");
    } catch (IOException e) {
      return null;
    }
  }
}
