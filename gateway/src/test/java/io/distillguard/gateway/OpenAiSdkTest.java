package io.distillguard.gateway;

import static io.distillguard.gateway.testing.GatewayFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.upstream.RecordedRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data plane driven by the official OpenAI Java SDK, as customers would. */
class OpenAiSdkTest {
  @TempDir
  static Path dir;
  static GatewayFixture fx;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static ChatCompletionCreateParams.Builder chat(String prompt) {
    return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(prompt);
  }

  @Test
  void nonStreamingChatIsRelayedAndRecorded() {
    AccountKey ak = fx.newAccountWithKey();
    OpenAIClient client = fx.openAi(ak.key());

    ChatCompletion answer = client.chat().completions().create(
        chat("What is the capital of France?").temperature(0.3).seed(7L).build());

    String content = answer.choices().get(0).message().content().orElseThrow();
    assertThat(content).isNotBlank();
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("outcome").asText()).isEqualTo("ok");
    assertThat(ex.get("status").asInt()).isEqualTo(200);
    assertThat(ex.get("endpoint").asText()).isEqualTo("/v1/chat/completions");
    assertThat(ex.get("model").asText()).isEqualTo(MODEL);
    assertThat(ex.get("key_id").asText()).isEqualTo(ak.keyId());
    assertThat(ex.get("stream").asBoolean()).isFalse();
    assertThat(ex.get("response_text").asText()).isEqualTo(content);
    assertThat(ex.get("response_chars").asInt()).isEqualTo(content.length());
    assertThat(ex.get("messages").get(0).get("role").asText()).isEqualTo("user");
    assertThat(ex.get("messages").get(0).get("content").asText()).isEqualTo("What is the capital of France?");
    assertThat(ex.get("params").get("temperature").asDouble()).isEqualTo(0.3);
    assertThat(ex.get("params").get("seed").asLong()).isEqualTo(7L);
    assertThat(ex.get("usage").get("prompt_tokens").asLong()).isEqualTo(answer.usage().orElseThrow().promptTokens());
    assertThat(ex.get("usage").get("completion_tokens").asLong())
        .isEqualTo(answer.usage().orElseThrow().completionTokens()).isPositive();
    assertThat(ex.get("client_ip").asText()).isEqualTo("127.0.0.1");
    assertThat(ex.get("header_fingerprint").asText()).hasSize(16);
    assertThat(ex.get("error_code").isNull()).isTrue();
  }

  @Test
  void clientKeyIsNeverForwardedUpstream() {
    AccountKey ak = fx.newAccountWithKey();
    while (fx.upstream.takeRequest() != null) {
      // drain what earlier tests left
    }
    fx.openAi(ak.key()).chat().completions().create(chat("hello there").build());
    RecordedRequest forwarded = fx.upstream.takeRequest();
    assertThat(forwarded).isNotNull();
    assertThat(forwarded.path()).isEqualTo("/v1/chat/completions");
    assertThat(forwarded.header("authorization")).isNull();
    assertThat(forwarded.body()).doesNotContain(ak.key());
  }

  @Test
  void streamingDeltasEqualTheRecordedTextAndUsageIsMeteredWithoutBeingSent() {
    AccountKey ak = fx.newAccountWithKey();
    OpenAIClient client = fx.openAi(ak.key());
    StringBuilder text = new StringBuilder();
    AtomicInteger usageChunks = new AtomicInteger();
    AtomicInteger chunks = new AtomicInteger();

    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        chat("Explain how photosynthesis works.").build())) {
      stream.stream().forEach(chunk -> {
        chunks.incrementAndGet();
        chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
        if (chunk.usage().isPresent()) {
          usageChunks.incrementAndGet();
        }
      });
    }

    assertThat(chunks.get()).isGreaterThan(2);
    assertThat(text).isNotEmpty();
    assertThat(usageChunks.get()).as("client did not ask for usage").isZero();
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("stream").asBoolean()).isTrue();
    assertThat(ex.get("outcome").asText()).isEqualTo("ok");
    assertThat(ex.get("response_text").asText()).isEqualTo(text.toString());
    assertThat(ex.get("usage").get("prompt_tokens").asInt()).isPositive();
    assertThat(ex.get("usage").get("completion_tokens").asInt()).isPositive();
  }

  @Test
  void streamingClientThatAsksForUsageGetsTheUsageChunk() {
    AccountKey ak = fx.newAccountWithKey();
    OpenAIClient client = fx.openAi(ak.key());
    StringBuilder text = new StringBuilder();
    List<ChatCompletionChunk> usage = new ArrayList<>();

    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        chat("Tell me about the moon.")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      stream.stream().forEach(chunk -> {
        chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
        if (chunk.usage().isPresent()) {
          usage.add(chunk);
        }
      });
    }

    assertThat(usage).hasSize(1);
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("response_text").asText()).isEqualTo(text.toString());
    assertThat(ex.get("usage").get("prompt_tokens").asLong())
        .isEqualTo(usage.get(0).usage().orElseThrow().promptTokens());
    assertThat(ex.get("usage").get("completion_tokens").asLong())
        .isEqualTo(usage.get(0).usage().orElseThrow().completionTokens());
  }

  @Test
  void modelsAreListed() {
    AccountKey ak = fx.newAccountWithKey();
    List<String> ids = fx.openAi(ak.key()).models().list().data().stream().map(Model::id).toList();
    assertThat(ids).contains("builtin-small", "builtin-large");
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("endpoint").asText()).isEqualTo("/v1/models");
    assertThat(ex.get("outcome").asText()).isEqualTo("ok");
    assertThat(ex.get("response_text").isNull()).isTrue();
  }

  @Test
  void embeddingsAreRelayedAndMetered() {
    AccountKey ak = fx.newAccountWithKey();
    CreateEmbeddingResponse r = fx.openAi(ak.key()).embeddings().create(
        EmbeddingCreateParams.builder().model(MODEL).input("the quick brown fox").build());
    assertThat(r.data()).hasSize(1);
    assertThat(r.data().get(0).embedding()).isNotEmpty();
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("endpoint").asText()).isEqualTo("/v1/embeddings");
    assertThat(ex.get("outcome").asText()).isEqualTo("ok");
    assertThat(ex.get("messages").get(0).get("role").asText()).isEqualTo("input");
    assertThat(ex.get("messages").get(0).get("content").asText()).isEqualTo("the quick brown fox");
    assertThat(ex.get("usage").get("prompt_tokens").asLong()).isEqualTo(r.usage().promptTokens()).isPositive();
  }

  @Test
  void legacyCompletionsWholeAndStreamed() {
    AccountKey ak = fx.newAccountWithKey();
    OpenAIClient client = fx.openAi(ak.key());
    Completion whole = client.completions().create(
        CompletionCreateParams.builder().model(MODEL).prompt("Once upon a time").maxTokens(30).build());
    String wholeText = whole.choices().get(0).text();

    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<Completion> stream = client.completions().createStreaming(
        CompletionCreateParams.builder().model(MODEL).prompt("Write about rivers").maxTokens(30).build())) {
      stream.stream().forEach(c -> c.choices().forEach(ch -> streamed.append(ch.text())));
    }

    List<JsonNode> list = fx.exchanges(ak.accountId());
    assertThat(list).hasSize(2);
    JsonNode streamedEx = list.stream().filter(e -> e.get("stream").asBoolean()).findFirst().orElseThrow();
    JsonNode wholeEx = list.stream().filter(e -> !e.get("stream").asBoolean()).findFirst().orElseThrow();
    assertThat(wholeEx.get("endpoint").asText()).isEqualTo("/v1/completions");
    assertThat(wholeEx.get("response_text").asText()).isEqualTo(wholeText);
    assertThat(wholeEx.get("messages").get(0).get("role").asText()).isEqualTo("prompt");
    assertThat(wholeEx.get("params").get("max_tokens").asInt()).isEqualTo(30);
    assertThat(streamedEx.get("response_text").asText()).isEqualTo(streamed.toString()).isNotEmpty();
    assertThat(streamedEx.get("usage").get("completion_tokens").asInt()).isPositive();
  }

  @Test
  void badKeyIsUnauthorized() {
    OpenAIClient client = fx.openAi("sk-dg-aaaaaaaaaaaa.not-the-secret");
    UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class,
        () -> client.chat().completions().create(chat("hi").build()));
    assertThat(e.statusCode()).isEqualTo(401);
    assertThat(e.code()).contains("invalid_api_key");
    assertThat(e.type()).contains("invalid_request_error");
  }

  @Test
  void blockedAccountIsForbidden() {
    AccountKey ak = fx.newAccountWithKey();
    OpenAIClient client = fx.openAi(ak.key());
    client.chat().completions().create(chat("first, while active").build());
    assertThat(fx.setStatus(ak.accountId(), "blocked", "test: harvesting").status()).isEqualTo(200);

    PermissionDeniedException e = catchThrowableOfType(PermissionDeniedException.class,
        () -> client.chat().completions().create(chat("second, while blocked").build()));

    assertThat(e.statusCode()).isEqualTo(403);
    assertThat(e.code()).contains("account_blocked");
    List<JsonNode> list = fx.exchanges(ak.accountId());
    assertThat(list).hasSize(2);
    JsonNode refused = list.get(0);
    assertThat(refused.get("status").asInt()).isEqualTo(403);
    assertThat(refused.get("outcome").asText()).isEqualTo("rejected");
    assertThat(refused.get("error_code").asText()).isEqualTo("account_blocked");
    assertThat(refused.get("usage").get("completion_tokens").asInt()).isZero();

    assertThat(fx.setStatus(ak.accountId(), "active", "test: cleared on review").status()).isEqualTo(200);
    assertThat(client.chat().completions().create(chat("third, unblocked").build()).choices()).isNotEmpty();
  }

  @Test
  void rateLimitIsTooManyRequestsWithRetryAfter() {
    AccountKey ak = fx.newAccountWithKey("tiny"); // one request per minute
    OpenAIClient client = fx.openAi(ak.key());
    client.chat().completions().create(chat("the one allowed request").build());

    RateLimitException e = catchThrowableOfType(RateLimitException.class,
        () -> client.chat().completions().create(chat("one too many").build()));

    assertThat(e.statusCode()).isEqualTo(429);
    assertThat(e.code()).contains("rate_limit_exceeded");
    assertThat(e.type()).contains("rate_limit_error");
    List<String> retryAfter = e.headers().values("Retry-After");
    assertThat(retryAfter).hasSize(1);
    assertThat(Long.parseLong(retryAfter.get(0))).isGreaterThanOrEqualTo(1);
    List<JsonNode> list = fx.exchanges(ak.accountId());
    assertThat(list).extracting(x -> x.get("status").asInt()).containsExactlyInAnyOrder(200, 429);
  }

  @Test
  void unknownModelIsTheUpstreamsNotFound() {
    AccountKey ak = fx.newAccountWithKey();
    NotFoundException e = catchThrowableOfType(NotFoundException.class,
        () -> fx.openAi(ak.key()).chat().completions().create(
            ChatCompletionCreateParams.builder().model("no-such-model").addUserMessage("hi").build()));
    assertThat(e.statusCode()).isEqualTo(404);
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("status").asInt()).isEqualTo(404);
    assertThat(ex.get("outcome").asText()).isEqualTo("upstream_error");
    assertThat(ex.get("error_code").asText()).isNotBlank();
  }
}
