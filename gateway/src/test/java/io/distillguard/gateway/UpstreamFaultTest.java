package io.distillguard.gateway;

import static io.distillguard.gateway.testing.GatewayFixture.chatBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.gateway.testing.GatewayFixture.Resp;
import io.distillguard.gateway.testing.RawHttp;
import io.distillguard.gateway.testing.Sse;
import io.distillguard.upstream.Fault;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-server faults injected into the real builtin upstream: each is turned into the documented error, never
 * hangs the client, and leaves exactly one exchange record saying what happened.
 */
class UpstreamFaultTest {
  private static final long FIRST_BYTE_MS = 1000;
  private static final long IDLE_MS = 400;
  /** Long enough that a stream at 20 ms a word lasts several seconds. */
  private static final String LONG_ANSWER = "lorem ipsum dolor sit amet ".repeat(60).trim();

  @TempDir
  static Path dir;
  static GatewayFixture fx;
  AccountKey ak;
  int upstreamRequestsBefore;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.builder(dir)
        .config(c -> {
          c.upstream.firstByteTimeout = Duration.ofMillis(FIRST_BYTE_MS);
          c.upstream.idleTimeout = Duration.ofMillis(IDLE_MS);
          c.upstream.maxResponseBytes = 4096;
        })
        .upstream(u -> u.tokenDelay(Duration.ofMillis(20)).fixedResponse(LONG_ANSWER))
        .start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @BeforeEach
  void account() {
    ak = fx.newAccountWithKey();
    upstreamRequestsBefore = fx.upstream.requestCount();
  }

  private void assertOneUpstreamRequest() {
    assertThat(fx.upstream.requestCount() - upstreamRequestsBefore).as("requests sent upstream (no retries)")
        .isEqualTo(1);
  }

  private JsonNode record(String outcome, String code) {
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("outcome").asText()).isEqualTo(outcome);
    if (code == null) {
      assertThat(ex.get("error_code").isNull()).isTrue();
    } else {
      assertThat(ex.get("error_code").asText()).isEqualTo(code);
    }
    return ex;
  }

  private static void assertError(Resp r, int status, String code) {
    MalformedRequestTest.openAiError(r, status, code);
    assertThat(r.json().get("error").get("type").asText()).isEqualTo("upstream_error");
  }

  @Test
  void healthyStreamForComparison() {
    String body = chatBody("hi", true).replace("\"stream\":true", "\"stream\":true,\"max_tokens\":12");
    Sse sse = Sse.post(fx.port(), "/v1/chat/completions", body, ak.key());
    assertThat(sse.status()).isEqualTo(200);
    assertThat(sse.done()).isTrue();
    assertThat(sse.text()).isNotEmpty();
    assertThat(LONG_ANSWER).startsWith(sse.text());
    assertThat(sse.usageEvents()).isZero();
    JsonNode ex = record("ok", null);
    assertThat(ex.get("response_text").asText()).isEqualTo(sse.text());
    assertThat(ex.get("usage").get("completion_tokens").asInt()).isPositive();
  }

  @Test
  void connectionRefusedIsUpstreamUnavailable(@TempDir Path otherDir) throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (GatewayFixture nowhere = GatewayFixture.builder(otherDir)
        .upstreamUrl("http://127.0.0.1:" + closedPort + "/v1").start()) {
      AccountKey k = nowhere.newAccountWithKey();
      Resp r = nowhere.chat(k.key(), "anyone there?");
      assertError(r, 502, "upstream_unavailable");
      Sse sse = Sse.post(nowhere.port(), "/v1/chat/completions", chatBody("stream to nowhere", true), k.key());
      assertThat(sse.status()).isEqualTo(502);
      List<JsonNode> records = nowhere.exchanges(k.accountId());
      assertThat(records).hasSize(2);
      assertThat(records).allSatisfy(e -> {
        assertThat(e.get("outcome").asText()).isEqualTo("upstream_unavailable");
        assertThat(e.get("error_code").asText()).isEqualTo("upstream_unavailable");
        assertThat(e.get("status").asInt()).isEqualTo(502);
      });
    }
  }

  @Test
  void serverErrorIsUpstreamError() {
    fx.upstream.enqueue(Fault.status(500));
    assertError(fx.chat(ak.key(), "hi"), 502, "upstream_error");
    JsonNode ex = record("upstream_error", "upstream_error");
    assertThat(ex.get("status").asInt()).isEqualTo(502);
    assertOneUpstreamRequest();
  }

  @Test
  void serverErrorOnAStreamIsUpstreamErrorToo() {
    fx.upstream.enqueue(Fault.status(503));
    Sse sse = Sse.post(fx.port(), "/v1/chat/completions", chatBody("hi", true), ak.key());
    assertThat(sse.status()).isEqualTo(502);
    assertThat(sse.data().get(0)).contains("upstream_error");
    record("upstream_error", "upstream_error");
  }

  @Test
  void clientErrorsOfTheUpstreamArePassedThrough() {
    fx.upstream.enqueue(Fault.status(429));
    Resp r = fx.chat(ak.key(), "hi");
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.json().has("error")).isTrue();
    JsonNode ex = fx.onlyExchange(ak.accountId());
    assertThat(ex.get("outcome").asText()).isEqualTo("upstream_error");
    assertThat(ex.get("status").asInt()).isEqualTo(429);
  }

  @Test
  void firstByteTimeoutIsGatewayTimeout() {
    fx.upstream.enqueue(Fault.delay(Duration.ofSeconds(4)));
    long start = System.nanoTime();
    Resp r = fx.chat(ak.key(), "slow");
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertError(r, 504, "upstream_timeout");
    assertThat(tookMs).isGreaterThanOrEqualTo(FIRST_BYTE_MS - 50);
    JsonNode ex = record("upstream_timeout", "upstream_timeout");
    assertThat(ex.get("status").asInt()).isEqualTo(504);
    assertOneUpstreamRequest();
  }

  @Test
  void aConnectionClosedBeforeAnsweringIsUpstreamReset() {
    fx.upstream.enqueue(Fault.closeImmediately());
    assertError(fx.chat(ak.key(), "hi"), 502, "upstream_reset");
    record("upstream_reset", "upstream_reset");
    assertOneUpstreamRequest();
  }

  @Test
  void aWholeAnswerCutShortIsUpstreamReset() {
    fx.upstream.enqueue(Fault.resetAfterChunks(1));
    assertError(fx.chat(ak.key(), "hi"), 502, "upstream_reset");
    JsonNode ex = record("upstream_reset", "upstream_reset");
    assertThat(ex.get("status").asInt()).isEqualTo(502);
  }

  @Test
  void aWholeAnswerThatStallsIsGatewayTimeout() {
    fx.upstream.enqueue(Fault.stallAfterChunks(1));
    assertError(fx.chat(ak.key(), "hi"), 504, "upstream_timeout");
    record("upstream_timeout", "upstream_timeout");
  }

  @Test
  void anAnswerOverTheSizeLimitIsRefused() {
    String body = "{\"model\":\"builtin-small\",\"n\":4,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    Resp r = fx.data("POST", "/v1/chat/completions", body, ak.key());
    JsonNode err = MalformedRequestTest.openAiError(r, 502, "upstream_reset");
    assertThat(err.get("message").asText()).contains("4096");
    record("upstream_reset", "upstream_reset");
  }

  @Test
  void aStreamDroppedMidwayEndsWithAnErrorEvent() {
    fx.upstream.enqueue(Fault.resetAfterChunks(6)); // the role chunk and five words
    Sse sse = Sse.post(fx.port(), "/v1/chat/completions", chatBody("hi", true), ak.key());
    assertThat(sse.status()).isEqualTo(200);
    String partial = sse.text();
    assertThat(partial).isNotEmpty();
    assertThat(LONG_ANSWER).startsWith(partial);
    assertThat(partial).isNotEqualTo(LONG_ANSWER);
    sse.assertErrorEvent("upstream_reset");
    JsonNode ex = record("upstream_reset", "upstream_reset");
    assertThat(ex.get("status").asInt()).as("the stream had started").isEqualTo(200);
    assertThat(ex.get("response_text").asText()).isEqualTo(partial);
    assertOneUpstreamRequest();
  }

  @Test
  void aStreamThatStallsEndsWithATimeoutEvent() {
    fx.upstream.enqueue(Fault.stallAfterChunks(4));
    long start = System.nanoTime();
    Sse sse = Sse.post(fx.port(), "/v1/chat/completions", chatBody("hi", true), ak.key());
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(IDLE_MS - 50);
    assertThat(sse.status()).isEqualTo(200);
    assertThat(sse.text()).isNotEmpty();
    sse.assertErrorEvent("upstream_timeout");
    JsonNode ex = record("upstream_timeout", "upstream_timeout");
    assertThat(ex.get("response_text").asText()).isEqualTo(sse.text());
  }

  @Test
  void aStreamThatStallsBeforeAnyEventIsGatewayTimeout() {
    fx.upstream.enqueue(Fault.stallAfterChunks(0));
    Sse sse = Sse.post(fx.port(), "/v1/chat/completions", chatBody("hi", true), ak.key());
    assertThat(sse.status()).isEqualTo(504);
    record("upstream_timeout", "upstream_timeout");
  }

  @Test
  void aClientThatHangsUpMidStreamCancelsTheUpstreamRequest() {
    AccountKey single = fx.newAccountWithKey("single"); // one request at a time
    int resetsBefore = fx.probe.reset();
    int upstreamBefore = fx.upstream.requestCount();
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write(RawHttp.request("POST", "/v1/chat/completions",
          chatBody("tell me everything", true).getBytes(StandardCharsets.UTF_8),
          "Authorization: Bearer " + single.key(), "Content-Type: application/json"));
      RawHttp.Response head = raw.readHead();
      assertThat(head.status()).isEqualTo(200);
      String got = Sse.readUntil(raw, s -> s.contains("\"content\":\"lorem"));
      assertThat(got).contains("lorem");
    } // the client hangs up here, seconds before the upstream would finish

    GatewayFixture.await("the upstream request to be reset", Duration.ofSeconds(5),
        () -> fx.probe.reset() > resetsBefore);
    List<JsonNode> records = fx.awaitExchanges(single.accountId(), 1,
        e -> e.get("outcome").asText().equals("client_cancelled"), Duration.ofSeconds(5));
    JsonNode ex = records.get(0);
    assertThat(ex.get("error_code").asText()).isEqualTo("client_cancelled");
    assertThat(ex.get("status").asInt()).isEqualTo(200);
    assertThat(LONG_ANSWER).startsWith(ex.get("response_text").asText());
    assertThat(fx.upstream.requestCount() - upstreamBefore).isEqualTo(1);

    // nothing leaked: the account's only concurrency slot is free again
    Resp next = fx.chat(single.key(), "next please");
    assertThat(next.status()).as(next.body()).isEqualTo(200);
    assertThat(fx.exchanges(single.accountId())).hasSize(2);
    assertThat(fx.metricsText()).containsPattern(
        "distillguard_requests_total\\{[^}]*outcome=\"client_cancelled\"[^}]*} [1-9]");
  }

  @Test
  void aClientThatHangsUpBeforeTheAnswerCancelsTheUpstreamRequest() {
    fx.upstream.enqueue(Fault.delay(Duration.ofMillis(FIRST_BYTE_MS - 100)));
    int begunBefore = fx.probe.begun();
    int resetsBefore = fx.probe.reset();
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write(RawHttp.request("POST", "/v1/chat/completions",
          chatBody("never mind", false).getBytes(StandardCharsets.UTF_8),
          "Authorization: Bearer " + ak.key(), "Content-Type: application/json"));
      GatewayFixture.await("the request to reach the upstream", Duration.ofSeconds(5),
          () -> fx.probe.begun() > begunBefore);
    }
    GatewayFixture.await("the upstream request to be reset", Duration.ofSeconds(5),
        () -> fx.probe.reset() > resetsBefore);
    JsonNode ex = fx.awaitExchanges(ak.accountId(), 1, e -> true, Duration.ofSeconds(5)).get(0);
    assertThat(ex.get("outcome").asText()).isEqualTo("client_cancelled");
    assertThat(ex.get("status").asInt()).isEqualTo(499);
    assertThat(fx.exchanges(ak.accountId())).hasSize(1);
  }
}
