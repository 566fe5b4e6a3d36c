package io.distillguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.gateway.testing.GatewayFixture.Resp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Odd but well-formed and malformed successful answers from a model server, served by a scripted HTTP server: the
 * client gets what the server said (or a 502 when it is not a JSON object) and the record holds the same texts and
 * usage whichever way the gateway read the answer.
 */
class UpstreamAnswerShapesTest {
  @TempDir
  static Path dir;
  static Vertx vertx;
  static HttpServer upstream;
  static final ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
  static GatewayFixture fx;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
      String answer = answers.poll();
      req.response().putHeader("content-type", "application/json").end(answer == null ? "{}" : answer);
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    fx = GatewayFixture.builder(dir).upstreamUrl("http://127.0.0.1:" + upstream.actualPort() + "/v1").start();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
    vertx.close();
  }

  private JsonNode recordOf(AccountKey ak) {
    return fx.onlyExchange(ak.accountId());
  }

  @Test
  void choicesOutOfOrderWithUsageFirstAreRecordedByIndex() {
    AccountKey ak = fx.newAccountWithKey();
    String answer = "{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":\"9\",\"extra\":{\"a\":[1,2]}},"
        + "\"id\":\"x\",\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"second\"},\"index\":1},"
        + "{\"index\":0,\"message\":{\"content\":\"first \\\"quoted\\\" \\u00e9\",\"tool_calls\":[{}]}},"
        + "{\"index\":2,\"message\":{\"content\":null}},\"not an object\"],\"system_fingerprint\":null}";
    answers.add(answer);
    Resp r = fx.chat(ak.key(), "hello");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(answer);
    JsonNode e = recordOf(ak);
    assertThat(e.path("usage").path("prompt_tokens").asInt()).isEqualTo(7);
    assertThat(e.path("usage").path("completion_tokens").asInt()).isEqualTo(9);
    assertThat(e.path("response_text").asText()).contains("first \"quoted\" é").contains("second");
    assertThat(e.path("response_text").asText().indexOf("first")).isLessThan(e.path("response_text").asText()
        .indexOf("second"));
  }

  @Test
  void answerThatIsNotAnObjectIs502() {
    for (String bad : new String[] {"[1,2]", "\"text\"", "{\"choices\":[", "not json", ""}) {
      AccountKey ak = fx.newAccountWithKey();
      answers.add(bad);
      Resp r = fx.chat(ak.key(), "hello");
      assertThat(r.status()).as(bad).isEqualTo(502);
      assertThat(r.json().path("error").path("code").asText()).as(bad).isEqualTo("upstream_invalid_response");
      assertThat(recordOf(ak).path("status").asInt()).isEqualTo(502);
    }
  }

  @Test
  void answerWithoutChoicesOrUsageIsRelayedAsIs() {
    AccountKey ak = fx.newAccountWithKey();
    answers.add("{\"object\":\"chat.completion\"}");
    Resp r = fx.chat(ak.key(), "hello");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"object\":\"chat.completion\"}");
    JsonNode e = recordOf(ak);
    assertThat(e.path("usage").path("completion_tokens").asInt()).isZero();
  }
}
