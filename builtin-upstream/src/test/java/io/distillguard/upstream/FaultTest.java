package io.distillguard.upstream;

import static io.distillguard.upstream.TestHttp.chatBody;
import static io.distillguard.upstream.TestHttp.json;
import static io.distillguard.upstream.TestHttp.postJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fault kind, injected from Java, the control endpoint and the per-request header. */
class FaultTest {
  private static Vertx vertx;
  private BuiltinUpstream upstream;
  private String chatUrl;

  @BeforeAll
  static void sharedVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @BeforeEach
  void start() {
    upstream = BuiltinUpstream.start(new BuiltinUpstreamOptions().vertx(vertx));
    chatUrl = upstream.baseUrl() + "/chat/completions";
  }

  @AfterEach
  void stop() {
    upstream.close();
  }

  private static String streamingChat() {
    return chatBody("builtin-small", "How do I boil an egg?", "\"stream\":true");
  }

  @Test
  void statusFaultAnswersThatStatusWithErrorBodyOnce() throws Exception {
    upstream.enqueue(Fault.status(503));

    HttpResponse<String> faulted = postJson(chatUrl, chatBody("builtin-small", "hi", ""));
    HttpResponse<String> next = postJson(chatUrl, chatBody("builtin-small", "hi", ""));

    assertThat(faulted.statusCode()).isEqualTo(503);
    assertThat(json(faulted).get("error").get("type").asText()).isEqualTo("server_error");
    assertThat(next.statusCode()).isEqualTo(200);
  }

  @Test
  void faultsApplyInFifoOrder() throws Exception {
    upstream.enqueue(Fault.status(429));
    upstream.enqueue(Fault.status(500));

    assertThat(postJson(chatUrl, chatBody("builtin-small", "a", "")).statusCode()).isEqualTo(429);
    assertThat(postJson(chatUrl, chatBody("builtin-small", "b", "")).statusCode()).isEqualTo(500);
    assertThat(postJson(chatUrl, chatBody("builtin-small", "c", "")).statusCode()).isEqualTo(200);
  }

  @Test
  void delayFaultWaitsBeforeAnswering() throws Exception {
    upstream.enqueue(Fault.delay(Duration.ofMillis(300)));

    long t0 = System.nanoTime();
    HttpResponse<String> response = postJson(chatUrl, chatBody("builtin-small", "hi", ""));
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(300);
  }

  @Test
  void resetAfterChunksTruncatesTheStreamWithoutDone() throws Exception {
    upstream.enqueue(Fault.resetAfterChunks(3));

    HttpResponse<InputStream> response = TestHttp.CLIENT.send(
        TestHttp.post(chatUrl, streamingChat()).build(), HttpResponse.BodyHandlers.ofInputStream());
    List<String> events = new CopyOnWriteArrayList<>();
    IOException failure = TestHttp.readEvents(response.body(), events);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(failure).as("a truncated chunked body must fail the read").isNotNull();
    assertThat(events).hasSize(3).doesNotContain("[DONE]");
    assertThat(postJson(chatUrl, chatBody("builtin-small", "hi", "")).statusCode())
        .as("the server keeps serving after the reset").isEqualTo(200);
  }

  @Test
  void resetOnNonStreamingSendsHalfTheBodyThenCloses() {
    upstream.enqueue(Fault.resetAfterChunks(0));

    assertThatThrownBy(() -> postJson(chatUrl, chatBody("builtin-small", "hi", "")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void closeImmediatelySendsNothing() {
    upstream.enqueue(Fault.closeImmediately());

    assertThatThrownBy(() -> postJson(chatUrl, chatBody("builtin-small", "hi", "")))
        .isInstanceOf(IOException.class);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void stallAfterChunksKeepsTheConnectionOpenAndSilent() throws Exception {
    upstream.enqueue(Fault.stallAfterChunks(2));

    HttpResponse<InputStream> response = TestHttp.CLIENT.send(
        TestHttp.post(chatUrl, streamingChat()).build(), HttpResponse.BodyHandlers.ofInputStream());
    List<String> events = new CopyOnWriteArrayList<>();
    CompletableFuture<IOException> reader =
        CompletableFuture.supplyAsync(() -> TestHttp.readEvents(response.body(), events));

    // The client-side idle timeout fires: the stream neither ends nor fails on its own.
    assertThatThrownBy(() -> reader.get(500, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    assertThat(events).hasSize(2).doesNotContain("[DONE]");
    upstream.close(); // closes the stalled connection, which ends the reader
    assertThat(reader.get(10, TimeUnit.SECONDS)).isNotNull();
    upstream = BuiltinUpstream.start(new BuiltinUpstreamOptions().vertx(vertx)); // for @AfterEach
  }

  @Test
  void controlEndpointQueuesFaults() throws Exception {
    String control = "http://127.0.0.1:" + upstream.port() + "/_builtin/faults";

    HttpResponse<String> accepted = postJson(control, "{\"kind\":\"status\",\"status\":502}");
    HttpResponse<String> rejected = postJson(control, "{\"kind\":\"status\"");
    HttpResponse<String> unknownKind = postJson(control, "{\"kind\":\"explode\"}");

    assertThat(accepted.statusCode()).isEqualTo(204);
    assertThat(rejected.statusCode()).isEqualTo(400);
    assertThat(json(rejected).get("error").get("type").asText())
        .isEqualTo("invalid_request_error");
    assertThat(unknownKind.statusCode()).isEqualTo(400);
    assertThat(postJson(chatUrl, chatBody("builtin-small", "hi", "")).statusCode())
        .isEqualTo(502);
    assertThat(upstream.requestCount()).as("control calls are not counted").isEqualTo(1);
  }

  @Test
  void headerFaultAppliesToThatRequestAndBeatsTheQueue() throws Exception {
    upstream.enqueue(Fault.status(500));

    HttpResponse<String> viaHeader = TestHttp.send(TestHttp.post(chatUrl,
        chatBody("builtin-small", "hi", "")).header("x-builtin-fault", Fault.status(418).toJson()));
    HttpResponse<String> queued = postJson(chatUrl, chatBody("builtin-small", "hi", ""));
    HttpResponse<String> badHeader = TestHttp.send(TestHttp.post(chatUrl,
        chatBody("builtin-small", "hi", "")).header("x-builtin-fault", "nope"));

    assertThat(viaHeader.statusCode()).isEqualTo(418);
    assertThat(queued.statusCode()).isEqualTo(500);
    assertThat(badHeader.statusCode()).isEqualTo(400);
  }

  @Test
  void faultJsonRoundTrips() {
    for (Fault f : List.of(Fault.delay(Duration.ofMillis(500)), Fault.status(500),
        Fault.resetAfterChunks(3), Fault.closeImmediately(), Fault.stallAfterChunks(2))) {
      assertThat(Fault.parse(f.toJson())).isEqualTo(f);
    }
    assertThat(Fault.parse("{\"kind\":\"delay\",\"millis\":500}"))
        .isEqualTo(Fault.delay(Duration.ofMillis(500)));
    assertThatThrownBy(() -> Fault.parse("{\"kind\":\"delay\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.status(200)).isInstanceOf(IllegalArgumentException.class);
  }
}
