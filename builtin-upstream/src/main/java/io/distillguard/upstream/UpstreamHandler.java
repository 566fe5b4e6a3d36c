package io.distillguard.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for every HTTP request: reads the body (up to {@value #MAX_BODY_BYTES} bytes),
 * serves the {@code /_builtin} control endpoints, and otherwise records the request, picks its
 * fault, checks the API key and dispatches to an endpoint. Runs on one event loop.
 *
 * <p>Order for {@code /v1} and unknown paths: record, then fault ({@code close}, {@code delay},
 * {@code status} act here; the mid-response kinds go to {@link ReplyWriter}), then API key, then
 * routing. So an injected status wins over a bad key, as a broken upstream would.
 */
final class UpstreamHandler implements Handler<HttpServerRequest> {
  static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
  static final String FAULT_HEADER = "x-builtin-fault";
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);

  private final Vertx vertx;
  private final Settings settings;
  private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final RequestLog log = new RequestLog();
  private final ReplyWriter writer;
  private final Models models;
  private final ChatCompletions chat;
  private final TextCompletions completions;
  private final Embeddings embeddings;

  UpstreamHandler(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.writer = new ReplyWriter(vertx, settings.tokenDelayMillis());
    Answers answers = new Answers(settings);
    this.models = new Models(settings, Wire.nowEpochSeconds());
    this.chat = new ChatCompletions(settings, answers);
    this.completions = new TextCompletions(settings, answers);
    this.embeddings = new Embeddings(settings);
  }

  void enqueue(Fault fault) {
    faults.add(fault);
  }

  RequestLog log() {
    return log;
  }

  @Override
  public void handle(HttpServerRequest request) {
    request.exceptionHandler(e -> LOG.debug("request failed: {}", e.toString()));
    request.response().exceptionHandler(e -> LOG.debug("response failed: {}", e.toString()));
    String declared = request.getHeader("content-length");
    if (declared != null && parseLength(declared) > MAX_BODY_BYTES) {
      rejectTooLarge(request);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(chunk -> {
      if (tooLarge[0]) {
        return;
      }
      if (body.length() + chunk.length() > MAX_BODY_BYTES) {
        tooLarge[0] = true;
        rejectTooLarge(request);
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.endHandler(v -> {
      if (!tooLarge[0]) {
        onBody(request, body.toString(StandardCharsets.UTF_8));
      }
    });
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1; // Vert.x's own parser rejects malformed lengths
    }
  }

  private void rejectTooLarge(HttpServerRequest request) {
    log.record(recorded(request, ""));
    request.response()
        .setStatusCode(413)
        .putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(ApiError.tooLarge(MAX_BODY_BYTES).toJson())
        // Do not read (or wait for) the rest of an oversized upload.
        .onComplete(ar -> request.connection().close());
  }

  private void onBody(HttpServerRequest request, String body) {
    String path = request.path();
    if (path.startsWith("/_builtin/")) {
      writer.write(request, control(request, path, body), null);
      return;
    }
    log.record(recorded(request, body));
    Fault fault;
    try {
      fault = pickFault(request);
    } catch (IllegalArgumentException e) {
      writer.write(request, Reply.error(ApiError.invalid("Invalid " + FAULT_HEADER + " header: "
          + e.getMessage(), null, null)), null);
      return;
    }
    if (fault == null) {
      answer(request, body, null);
      return;
    }
    switch (fault.kind()) {
      case CLOSE -> request.connection().close();
      case DELAY -> vertx.setTimer(Math.max(1, fault.delay().toMillis()),
          id -> answer(request, body, null));
      case STATUS -> writer.write(request, Reply.error(ApiError.injected(fault.status())), null);
      case RESET_AFTER_CHUNKS, STALL_AFTER_CHUNKS -> answer(request, body, fault);
    }
  }

  /** The header's fault if present (queue untouched), else the next queued one, else null. */
  private Fault pickFault(HttpServerRequest request) {
    String header = request.getHeader(FAULT_HEADER);
    if (header != null) {
      return Fault.parse(header);
    }
    return faults.poll();
  }

  private void answer(HttpServerRequest request, String body, Fault fault) {
    Reply reply;
    try {
      checkApiKey(request);
      reply = route(request, body);
    } catch (ApiError e) {
      reply = Reply.error(e);
    } catch (RuntimeException e) {
      LOG.warn("builtin upstream failed on {} {}", request.method(), request.path(), e);
      reply = Reply.error(new ApiError(500, "The builtin upstream failed: " + e,
          "server_error", null, null));
    }
    writer.write(request, reply, fault);
  }

  private void checkApiKey(HttpServerRequest request) {
    if (settings.apiKey() == null) {
      return;
    }
    String auth = request.getHeader("authorization");
    String expected = "bearer " + settings.apiKey();
    if (auth == null || auth.length() != expected.length()
        || !auth.regionMatches(true, 0, expected, 0, 7) // scheme is case-insensitive
        || !auth.regionMatches(7, expected, 7, expected.length() - 7)) {
      throw ApiError.unauthorized(auth != null);
    }
  }

  private Reply route(HttpServerRequest request, String body) {
    String path = request.path();
    HttpMethod method = request.method();
    if (path.equals("/v1/models")) {
      requireMethod(request, HttpMethod.GET);
      return models.list();
    }
    if (path.startsWith("/v1/models/") && path.length() > "/v1/models/".length()) {
      requireMethod(request, HttpMethod.GET);
      return models.get(path.substring("/v1/models/".length()));
    }
    return switch (path) {
      case "/v1/chat/completions" -> {
        requireMethod(request, HttpMethod.POST);
        yield chat.handle(jsonObject(body));
      }
      case "/v1/completions" -> {
        requireMethod(request, HttpMethod.POST);
        yield completions.handle(jsonObject(body));
      }
      case "/v1/embeddings" -> {
        requireMethod(request, HttpMethod.POST);
        yield embeddings.handle(jsonObject(body));
      }
      default -> throw ApiError.unknownPath(method.name(), path);
    };
  }

  private static void requireMethod(HttpServerRequest request, HttpMethod method) {
    if (!request.method().equals(method)) {
      throw ApiError.methodNotAllowed(request.method().name(), request.path());
    }
  }

  private static JsonNode jsonObject(String body) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiError.badJson();
    }
    if (node == null || !node.isObject()) {
      throw ApiError.badJson();
    }
    return node;
  }

  /**
   * {@code POST /_builtin/faults} enqueues a fault (204; 400 on bad JSON), {@code DELETE} clears
   * the queue (204), {@code GET /_builtin/health} answers 200. These are not recorded, counted or
   * subject to faults and API key, so a harness can always steer the server.
   */
  private Reply control(HttpServerRequest request, String path, String body) {
    HttpMethod method = request.method();
    if (path.equals("/_builtin/faults") && method.equals(HttpMethod.POST)) {
      try {
        faults.add(Fault.parse(body));
      } catch (IllegalArgumentException e) {
        return Reply.error(ApiError.invalid(e.getMessage(), null, null));
      }
      return new Reply.JsonBody(204, "");
    }
    if (path.equals("/_builtin/faults") && method.equals(HttpMethod.DELETE)) {
      faults.clear();
      return new Reply.JsonBody(204, "");
    }
    if (path.equals("/_builtin/health") && method.equals(HttpMethod.GET)) {
      return new Reply.JsonBody(200, "{\"status\":\"ok\"}");
    }
    return Reply.error(ApiError.unknownPath(method.name(), path));
  }

  private static RecordedRequest recorded(HttpServerRequest request, String body) {
    Map<String, String> headers = new HashMap<>();
    request.headers().forEach((name, value) ->
        headers.merge(name.toLowerCase(Locale.ROOT), value, (a, b) -> a + ", " + b));
    return new RecordedRequest(request.method().name(), request.path(), headers, body);
  }
}
