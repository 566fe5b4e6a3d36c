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
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build(); // no h2c upgrade: not every endpoint answers one

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
    List<List<String>> all = askChoices(prompts, maxTokens, seed, 1);
    List<String> texts = new ArrayList<>();
    int failed = 0;
    for (List<String> c : all) {
      if (c == null) {
        failed++;
        texts.add("");
      } else {
        texts.add(c.isEmpty() ? "" : c.get(0));
      }
    }
    return new Answers(texts, failed);
  }

  /**
   * Every choice the endpoint returns for each prompt, asking for {@code choices} of them (the {@code n} of the
   * chat API), in prompt order; null for a failed request. Request {@code i} carries seed {@code seed + i}.
   *
   * @param maxTokens {@code max_tokens} to ask for, or 0 to leave it to the endpoint
   */
  public List<List<String>> askChoices(List<String> prompts, int maxTokens, long seed, int choices)
      throws InterruptedException {
    if (choices < 1) {
      throw new IllegalArgumentException("choices must be >= 1: " + choices);
    }
    Semaphore window = new Semaphore(concurrency);
    List<CompletableFuture<List<String>>> futures = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      window.acquire();
      ObjectNode body = JSON.createObjectNode().put("model", model).put("seed", seed + i);
      if (maxTokens > 0) {
        body.put("max_tokens", maxTokens);
      }
      if (choices > 1) {
        body.put("n", choices);
      }
      body.putArray("messages").addObject().put("role", "user").put("content", prompts.get(i));
      HttpRequest.Builder rb = HttpRequest.newBuilder(chat).timeout(Duration.ofSeconds(120))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
      if (apiKey != null) {
        rb.header("authorization", "Bearer " + apiKey);
      }
      futures.add(http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> r.statusCode() == 200 ? contents(r.body()) : null)
          .exceptionally(e -> null)
          .whenComplete((r, e) -> window.release()));
    }
    List<List<String>> out = new ArrayList<>();
    for (CompletableFuture<List<String>> f : futures) {
      out.add(f.join());
    }
    return out;
  }

  /** Answers and how many requests failed. */
  public record Answers(List<String> texts, int failed) {}

  /** The message content of every choice, in order; null when the body is not JSON. */
  private static List<String> contents(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      List<String> out = new ArrayList<>();
      for (JsonNode c : n.path("choices")) {
        out.add(c.at("/message/content").asText(""));
      }
      return out;
    } catch (IOException e) {
      return null;
    }
  }
}
