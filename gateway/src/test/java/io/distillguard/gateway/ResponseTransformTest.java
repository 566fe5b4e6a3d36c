package io.distillguard.gateway;

import static io.distillguard.gateway.testing.GatewayFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.ResponseTransform;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.gateway.testing.Sse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stage registered through {@code Gateway.builder(...).extraStage(...)} installs a response transform that
 * upper-cases the text and holds back the last, possibly partial, word of every push, as a watermark that works on
 * whole words would. Clients must get the transformed text, the held-back rest at the end, and the record must keep
 * what was served.
 */
class ResponseTransformTest {
  private static final String ANSWER = "the quick brown fox jumps over the lazy dog";
  @TempDir
  static Path dir;
  static GatewayFixture fx;
  static final AtomicInteger stageCalls = new AtomicInteger();

  /** Upper-cases and holds back everything after the last space until more text or the end comes. */
  static final class UpperCaseWholeWords implements ResponseTransform {
    @Override
    public Session open(Call call) {
      Map<Integer, StringBuilder> held = new HashMap<>();
      return new Session() {
        @Override
        public String push(int choice, String text) {
          StringBuilder h = held.computeIfAbsent(choice, c -> new StringBuilder());
          h.append(text);
          int space = h.lastIndexOf(" ");
          String out = space < 0 ? "" : h.substring(0, space + 1).toUpperCase(Locale.ROOT);
          h.delete(0, space + 1);
          return out;
        }

        @Override
        public String flush(int choice) {
          StringBuilder h = held.remove(choice);
          return h == null ? "" : h.toString().toUpperCase(Locale.ROOT);
        }
      };
    }
  }

  static final class TransformStage implements Stage {
    @Override
    public void process(Call call, io.distillguard.gateway.pipeline.Chain chain) {
      stageCalls.incrementAndGet();
      assertThat(call.account).as("extra stages run after authentication").isNotNull();
      call.addTransform(new UpperCaseWholeWords());
      chain.proceed(call);
    }
  }

  @BeforeAll
  static void start() {
    fx = GatewayFixture.builder(dir)
        .upstream(u -> u.fixedResponse(ANSWER))
        .extraStage(new TransformStage())
        .start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  AccountKey ak;

  @BeforeEach
  void account() {
    ak = fx.newAccountWithKey();
  }

  @Test
  void aWholeAnswerIsTransformed() {
    OpenAIClient client = fx.openAi(ak.key());
    ChatCompletion c = client.chat().completions().create(
        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hi").build());
    String served = c.choices().get(0).message().content().orElseThrow();
    assertThat(served).isEqualTo(ANSWER.toUpperCase(Locale.ROOT));
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("response_text").asText()).isEqualTo(served);
    assertThat(ex.get("response_chars").asInt()).isEqualTo(served.length());
  }

  @Test
  void aStreamIsTransformedChunkByChunkAndTheHeldBackWordComesLast() {
    OpenAIClient client = fx.openAi(ak.key());
    List<String> deltas = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hi").build())) {
      s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content()
          .filter(t -> !t.isEmpty()).ifPresent(deltas::add)));
    }
    String served = String.join("", deltas);
    assertThat(served).isEqualTo(ANSWER.toUpperCase(Locale.ROOT));
    // every delta but the last ends on a word boundary: the partial word was held back
    for (String d : deltas.subList(0, deltas.size() - 1)) {
      assertThat(d).endsWith(" ");
    }
    assertThat(deltas.get(deltas.size() - 1)).isEqualTo("DOG");
    assertThat(deltas).hasSizeGreaterThan(3);
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("response_text").asText()).isEqualTo(served);
    assertThat(ex.get("outcome").asText()).isEqualTo("ok");
  }

  @Test
  void theHeldBackRestIsSentBeforeDone() {
    Sse sse = Sse.post(fx.port(), "/v1/chat/completions", GatewayFixture.chatBody("hi", true), ak.key());
    assertThat(sse.status()).isEqualTo(200);
    assertThat(sse.done()).isTrue();
    JsonNode beforeDone = sse.json(sse.data().size() - 2);
    assertThat(beforeDone.get("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(beforeDone.get("model").asText()).isEqualTo(MODEL);
    assertThat(beforeDone.get("id").asText()).isEqualTo(sse.json(0).get("id").asText());
    assertThat(beforeDone.get("choices").get(0).get("delta").get("content").asText()).isEqualTo("DOG");
    assertThat(sse.text()).isEqualTo(ANSWER.toUpperCase(Locale.ROOT));
  }

  @Test
  void severalChoicesAreTransformedSeparately() {
    String body = "{\"model\":\"" + MODEL + "\",\"n\":2,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    Sse sse = Sse.post(fx.port(), "/v1/chat/completions", body, ak.key());
    assertThat(sse.status()).isEqualTo(200);
    StringBuilder second = new StringBuilder();
    for (int i = 0; i < sse.data().size() - 1; i++) {
      for (JsonNode c : sse.json(i).path("choices")) {
        if (c.path("index").asInt() == 1 && c.path("delta").path("content").isTextual()) {
          second.append(c.get("delta").get("content").asText());
        }
      }
    }
    String upper = ANSWER.toUpperCase(Locale.ROOT);
    assertThat(sse.text()).isEqualTo(upper);
    assertThat(second.toString()).isEqualTo(upper);
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("response_text").asText()).isEqualTo(upper + "\n\n" + upper);
  }

  @Test
  void legacyCompletionsAreTransformedToo() {
    String body = "{\"model\":\"" + MODEL + "\",\"prompt\":\"hi\",\"stream\":true}";
    Sse sse = Sse.post(fx.port(), "/v1/completions", body, ak.key());
    assertThat(sse.text()).isEqualTo(ANSWER.toUpperCase(Locale.ROOT));
    JsonNode whole = fx.data("POST", "/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"hi\"}",
        ak.key()).json();
    assertThat(whole.get("choices").get(0).get("text").asText()).isEqualTo(ANSWER.toUpperCase(Locale.ROOT));
    assertThat(fx.exchanges(ak.accountId())).extracting(e -> e.get("response_text").asText())
        .containsOnly(ANSWER.toUpperCase(Locale.ROOT));
  }

  @Test
  void refusedCallsNeverReachTheExtraStage() {
    int before = stageCalls.get();
    fx.setStatus(ak.accountId(), "blocked", "test");
    assertThat(fx.chat(ak.key(), "hi").status()).isEqualTo(403);
    assertThat(fx.data("POST", "/v1/chat/completions", "{", ak.key()).status()).isEqualTo(400);
    assertThat(stageCalls.get()).isEqualTo(before);
  }
}
