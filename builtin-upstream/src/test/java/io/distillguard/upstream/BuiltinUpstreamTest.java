package io.distillguard.upstream;

import static io.distillguard.upstream.TestHttp.chatBody;
import static io.distillguard.upstream.TestHttp.events;
import static io.distillguard.upstream.TestHttp.get;
import static io.distillguard.upstream.TestHttp.json;
import static io.distillguard.upstream.TestHttp.postJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible endpoints against a real server on an ephemeral loopback port. */
class BuiltinUpstreamTest {
  static final List<QaPair> FIXTURE = List.of(
      new QaPair("What is the capital of France?", "Paris is the capital of France."),
      new QaPair("How do I boil an egg?",
          "Put the egg in boiling water for nine minutes, then cool it in cold water."),
      new QaPair("Explain recursion in programming",
          "Recursion is when a function calls itself on a smaller problem until it reaches a"
              + " base case."),
      new QaPair("What is the speed of light?", "About 299,792 km per second in a vacuum."));

  private static Vertx vertx;
  private BuiltinUpstream upstream;

  @BeforeAll
  static void sharedVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void stop() {
    if (upstream != null) {
      upstream.close();
    }
  }

  private BuiltinUpstream start(BuiltinUpstreamOptions options) {
    upstream = BuiltinUpstream.start(options.vertx(vertx).corpus(
        options.corpus() != null ? options.corpus() : Corpus.fromPairs(FIXTURE)));
    return upstream;
  }

  private String url(String path) {
    return upstream.baseUrl() + path;
  }

  @Test
  void listsModelsAsStandIns() throws Exception {
    start(new BuiltinUpstreamOptions());
    assertThat(upstream.baseUrl()).isEqualTo("http://127.0.0.1:" + upstream.port() + "/v1");

    HttpResponse<String> response = get(url("/models"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("object").asText()).isEqualTo("list");
    assertThat(body.get("data")).hasSize(2);
    JsonNode first = body.get("data").get(0);
    assertThat(first.get("id").asText()).isEqualTo("builtin-small");
    assertThat(first.get("object").asText()).isEqualTo("model");
    assertThat(first.get("created").isIntegralNumber()).isTrue();
    assertThat(first.get("owned_by").asText()).contains("stand-in, not a model");
    assertThat(json(get(url("/models/builtin-large"))).get("id").asText())
        .isEqualTo("builtin-large");
  }

  @Test
  void chatCompletionHasOpenAiShapeAndUsage() throws Exception {
    start(new BuiltinUpstreamOptions());

    HttpResponse<String> response =
        postJson(url("/chat/completions"), chatBody("builtin-small", "how to boil an egg", ""));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = json(response);
    assertThat(body.get("id").asText()).startsWith("chatcmpl-");
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("created").asLong()).isGreaterThan(1_600_000_000L);
    assertThat(body.get("model").asText()).isEqualTo("builtin-small");
    assertThat(body.get("system_fingerprint").asText()).contains("not_a_model");
    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    String content = choice.get("message").get("content").asText();
    assertThat(content).isEqualTo(FIXTURE.get(1).answer());
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = body.get("usage");
    assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(Tokenizer.count("how to boil an egg"));
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(Tokenizer.count(content));
    assertThat(usage.get("total_tokens").asInt()).isEqualTo(
        usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
  }

  @Test
  void answersTheLastUserMessageAndAcceptsContentParts() throws Exception {
    start(new BuiltinUpstreamOptions());
    String body = "{\"model\":\"builtin-small\",\"messages\":["
        + "{\"role\":\"system\",\"content\":\"You are helpful.\"},"
        + "{\"role\":\"user\",\"content\":\"What is the capital of France?\"},"
        + "{\"role\":\"assistant\",\"content\":null},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"speed of light?\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x/y.png\"}}]}]}";

    JsonNode response = json(postJson(url("/chat/completions"), body));

    assertThat(response.get("choices").get(0).get("message").get("content").asText())
        .isEqualTo(FIXTURE.get(3).answer());
  }

  @Test
  void streamingSendsRoleContentFinishAndDoneAndMatchesNonStreamingText() throws Exception {
    start(new BuiltinUpstreamOptions().chunkTokens(2));
    String prompt = "explain recursion";
    String plain = json(postJson(url("/chat/completions"), chatBody("builtin-small", prompt, "")))
        .get("choices").get(0).get("message").get("content").asText();

    HttpResponse<String> response = postJson(url("/chat/completions"),
        chatBody("builtin-small", prompt, "\"stream\":true"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> events = events(response.body());
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    JsonNode first = json(events.get(0));
    assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.get("choices").get(0).get("delta").get("role").asText())
        .isEqualTo("assistant");
    assertThat(first.get("choices").get(0).get("delta").get("content").asText()).isEmpty();
    assertThat(first.get("choices").get(0).get("finish_reason").isNull()).isTrue();
    assertThat(first.has("usage")).isFalse();
    JsonNode last = json(events.get(events.size() - 2));
    assertThat(last.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
    assertThat(last.get("choices").get(0).get("delta").size()).isZero();
    StringBuilder text = new StringBuilder();
    for (String e : events.subList(1, events.size() - 2)) {
      JsonNode chunk = json(e);
      assertThat(chunk.get("id").asText()).isEqualTo(first.get("id").asText());
      text.append(chunk.get("choices").get(0).get("delta").get("content").asText());
    }
    assertThat(text.toString()).isEqualTo(plain);
    int tokens = Tokenizer.count(plain);
    assertThat(events).hasSize(3 + (tokens + 1) / 2); // role + ceil(tokens/2) + finish + DONE
  }

  @Test
  void includeUsageAddsAFinalChunkWithEmptyChoices() throws Exception {
    start(new BuiltinUpstreamOptions());

    List<String> events = events(postJson(url("/chat/completions"), chatBody("builtin-small",
        "capital of France", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"))
        .body());

    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    JsonNode usageChunk = json(events.get(events.size() - 2));
    assertThat(usageChunk.get("choices")).isEmpty();
    assertThat(usageChunk.get("usage").get("completion_tokens").asInt())
        .isEqualTo(Tokenizer.count(FIXTURE.get(0).answer()));
    assertThat(usageChunk.get("usage").get("prompt_tokens").asInt()).isEqualTo(3);
    assertThat(json(events.get(0)).get("usage").isNull()).isTrue();
  }

  @Test
  void maxTokensTruncatesWithFinishReasonLength() throws Exception {
    start(new BuiltinUpstreamOptions());
    String full = FIXTURE.get(2).answer();

    JsonNode body = json(postJson(url("/chat/completions"),
        chatBody("builtin-small", "recursion", "\"max_tokens\":4")));

    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("message").get("content").asText()).isEqualTo("Recursion is when a");
    assertThat(full).startsWith("Recursion is when a");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
    assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(4);

    List<String> events = events(postJson(url("/chat/completions"), chatBody("builtin-small",
        "recursion", "\"max_completion_tokens\":4,\"stream\":true")).body());
    assertThat(json(events.get(events.size() - 2)).get("choices").get(0)
        .get("finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void nChoicesAreDistinctAndBestFirst() throws Exception {
    start(new BuiltinUpstreamOptions());

    JsonNode body = json(postJson(url("/chat/completions"),
        chatBody("builtin-small", "What is the capital of France?", "\"n\":3")));

    JsonNode choices = body.get("choices");
    assertThat(choices).hasSize(3);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      assertThat(choices.get(i).get("index").asInt()).isEqualTo(i);
      texts.add(choices.get(i).get("message").get("content").asText());
    }
    assertThat(texts.get(0)).isEqualTo(FIXTURE.get(0).answer());
    assertThat(texts).doesNotHaveDuplicates();
    JsonNode again = json(postJson(url("/chat/completions"),
        chatBody("builtin-small", "What is the capital of France?", "\"n\":3")));
    assertThat(again.get("choices").get(2).get("message").get("content").asText())
        .isEqualTo(texts.get(2));
  }

  @Test
  void fixedResponseAnswersEverythingWithTheSameText() throws Exception {
    start(new BuiltinUpstreamOptions().fixedResponse("OK, fixed."));

    JsonNode body = json(postJson(url("/chat/completions"),
        chatBody("builtin-large", "anything at all", "")));

    assertThat(body.get("choices").get(0).get("message").get("content").asText())
        .isEqualTo("OK, fixed.");
    assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(4); // OK , fixed .
  }

  @Test
  void textCompletionsSupportStringAndArrayPromptsAndStreaming() throws Exception {
    start(new BuiltinUpstreamOptions());

    JsonNode single = json(postJson(url("/completions"),
        "{\"model\":\"builtin-small\",\"prompt\":\"speed of light\"}"));
    assertThat(single.get("object").asText()).isEqualTo("text_completion");
    JsonNode choice = single.get("choices").get(0);
    assertThat(choice.get("text").asText()).isEqualTo(FIXTURE.get(3).answer());
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    assertThat(choice.get("logprobs").isNull()).isTrue();
    assertThat(single.get("usage").get("total_tokens").asInt()).isPositive();

    JsonNode multi = json(postJson(url("/completions"),
        "{\"model\":\"builtin-small\",\"prompt\":[\"boil an egg\",\"capital of France\"]}"));
    assertThat(multi.get("choices")).hasSize(2);
    assertThat(multi.get("choices").get(1).get("index").asInt()).isEqualTo(1);
    assertThat(multi.get("choices").get(1).get("text").asText())
        .isEqualTo(FIXTURE.get(0).answer());

    List<String> events = events(postJson(url("/completions"),
        "{\"model\":\"builtin-small\",\"prompt\":\"speed of light\",\"stream\":true}").body());
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String e : events.subList(0, events.size() - 1)) {
      JsonNode chunk = json(e);
      assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
      text.append(chunk.get("choices").get(0).get("text").asText());
    }
    assertThat(text.toString()).isEqualTo(FIXTURE.get(3).answer());
  }

  @Test
  void embeddingsAreDeterministicUnitVectors() throws Exception {
    start(new BuiltinUpstreamOptions());
    String request = "{\"model\":\"builtin-small\",\"input\":[\"hello world\",\"other text\"]}";

    JsonNode first = json(postJson(url("/embeddings"), request));
    JsonNode second = json(postJson(url("/embeddings"), request));

    assertThat(first.get("object").asText()).isEqualTo("list");
    assertThat(first.get("model").asText()).isEqualTo("builtin-small");
    assertThat(first.get("data")).hasSize(2);
    JsonNode item = first.get("data").get(1);
    assertThat(item.get("object").asText()).isEqualTo("embedding");
    assertThat(item.get("index").asInt()).isEqualTo(1);
    assertThat(item.get("embedding")).hasSize(PseudoEmbeddings.DIMENSIONS);
    double norm = 0;
    for (JsonNode v : item.get("embedding")) {
      norm += v.asDouble() * v.asDouble();
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(first.get("data")).isEqualTo(second.get("data"));
    assertThat(first.get("data").get(0).get("embedding"))
        .isNotEqualTo(first.get("data").get(1).get("embedding"));
    assertThat(first.get("usage").get("prompt_tokens").asInt()).isEqualTo(4);

    JsonNode b64 = json(postJson(url("/embeddings"), "{\"model\":\"builtin-small\","
        + "\"input\":\"hello world\",\"encoding_format\":\"base64\",\"dimensions\":64}"));
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder()
        .decode(b64.get("data").get(0).get("embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(64 * 4);
  }

  @Test
  void unknownModelIs404ModelNotFound() throws Exception {
    start(new BuiltinUpstreamOptions());

    HttpResponse<String> response =
        postJson(url("/chat/completions"), chatBody("gpt-imaginary", "hi", ""));

    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = json(response).get("error");
    assertThat(error.get("code").asText()).isEqualTo("model_not_found");
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void badRequestsGetOpenAiErrorShape() throws Exception {
    start(new BuiltinUpstreamOptions());
    record Case(String path, String body, int status, String param) {}
    List<Case> cases = List.of(
        new Case("/chat/completions", "{not json", 400, null),
        new Case("/chat/completions", "[1,2]", 400, null),
        new Case("/chat/completions", "{\"model\":\"builtin-small\"}", 400, "messages"),
        new Case("/chat/completions", "{\"model\":\"builtin-small\",\"messages\":\"hi\"}", 400,
            "messages"),
        new Case("/chat/completions", "{\"model\":\"builtin-small\",\"messages\":[]}", 400,
            "messages"),
        new Case("/chat/completions",
            "{\"model\":\"builtin-small\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
            400, "messages[0].content"),
        new Case("/chat/completions", chatBody("builtin-small", "hi", "\"max_tokens\":\"ten\""),
            400, "max_tokens"),
        new Case("/chat/completions", chatBody("builtin-small", "hi", "\"stream\":\"yes\""), 400,
            "stream"),
        new Case("/chat/completions", chatBody("builtin-small", "hi", "\"n\":0"), 400, "n"),
        new Case("/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            400, "model"),
        new Case("/completions", "{\"model\":\"builtin-small\",\"prompt\":[1,2]}", 400,
            "prompt"),
        new Case("/embeddings", "{\"model\":\"builtin-small\"}", 400, "input"),
        new Case("/nope", "{}", 404, null));
    for (Case c : cases) {
      HttpResponse<String> response = postJson(url(c.path()), c.body());
      assertThat(response.statusCode()).as(c.toString()).isEqualTo(c.status());
      JsonNode error = json(response).get("error");
      assertThat(error).as(c.toString()).isNotNull();
      assertThat(error.get("message").asText()).as(c.toString()).isNotBlank();
      assertThat(error.get("type").asText()).as(c.toString()).isEqualTo("invalid_request_error");
      assertThat(error.has("param") && error.has("code")).as(c.toString()).isTrue();
      if (c.param() != null) {
        assertThat(error.get("param").asText()).as(c.toString()).isEqualTo(c.param());
      }
    }
    assertThat(get(url("/chat/completions")).statusCode()).isEqualTo(405);
  }

  @Test
  void apiKeyIsEnforcedWhenConfigured() throws Exception {
    start(new BuiltinUpstreamOptions().apiKey("sk-test"));
    String body = chatBody("builtin-small", "hi", "");

    HttpResponse<String> none = postJson(url("/chat/completions"), body);
    HttpResponse<String> wrong = TestHttp.send(
        TestHttp.post(url("/chat/completions"), body).header("authorization", "Bearer nope"));
    HttpResponse<String> right = TestHttp.send(
        TestHttp.post(url("/chat/completions"), body).header("authorization", "Bearer sk-test"));

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(json(none).get("error").get("code").asText()).isEqualTo("invalid_api_key");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(right.statusCode()).isEqualTo(200);
  }

  @Test
  void recordsAndCountsRequests() throws Exception {
    start(new BuiltinUpstreamOptions());
    String body = chatBody("builtin-small", "hi", "");

    TestHttp.send(TestHttp.post(url("/chat/completions"), body).header("X-Trace", "abc"));
    get(url("/models"));

    assertThat(upstream.requestCount()).isEqualTo(2);
    RecordedRequest first = upstream.takeRequest();
    assertThat(first.method()).isEqualTo("POST");
    assertThat(first.path()).isEqualTo("/v1/chat/completions");
    assertThat(first.headers()).containsEntry("x-trace", "abc");
    assertThat(first.header("X-Trace")).isEqualTo("abc");
    assertThat(first.body()).isEqualTo(body);
    assertThat(upstream.takeRequest().path()).isEqualTo("/v1/models");
    assertThat(upstream.takeRequest()).isNull();
  }

  @Test
  void tokenDelayPacesStreamedChunks() throws Exception {
    start(new BuiltinUpstreamOptions().tokenDelay(Duration.ofMillis(20)));
    String answer = FIXTURE.get(0).answer();
    int chunks = Tokenizer.count(answer);

    long t0 = System.nanoTime();
    HttpResponse<String> response = postJson(url("/chat/completions"),
        chatBody("builtin-small", "capital of France", "\"stream\":true"));
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(events(response.body())).hasSize(chunks + 3);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(20L * chunks);
  }

  @Test
  void busyPortFailsToStartAndCloseIsIdempotent() {
    start(new BuiltinUpstreamOptions());
    BuiltinUpstreamOptions clash = new BuiltinUpstreamOptions().vertx(vertx).port(upstream.port());

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BuiltinUpstream.start(clash))
        .isInstanceOf(IllegalStateException.class);
    upstream.close();
    upstream.close();
    upstream = null;
  }

  @Test
  void oversizedBodiesAreRejectedWithoutBeingRead() throws Exception {
    start(new BuiltinUpstreamOptions());
    // A raw socket, so the declared length can exceed what is actually sent.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", upstream.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: "
          + (UpstreamHandler.MAX_BODY_BYTES + 1) + "\r\n\r\n{")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 413").contains("\"error\"");
    }
  }
}
