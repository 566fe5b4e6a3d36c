package io.distillguard.provenance.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves a student on an OpenAI-compatible endpoint ({@code /v1/models}, {@code /v1/chat/completions} with or
 * without {@code stream}, {@code /v1/completions}), so it can be probed like any suspect model. Generation runs on
 * Vert.x worker threads; the event loop only parses and writes.
 */
public final class StudentServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final HttpServer server;

  private StudentServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  public static StudentServer start(NgramStudent student, String model, String host, int port, long seed) {
    Vertx vertx = Vertx.vertx();
    AtomicLong ids = new AtomicLong();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> handle(vertx, req, student, model, seed,
        ids)).listen(port, host).await();
    return new StudentServer(vertx, server);
  }

  public int port() {
    return server.actualPort();
  }

  private static void handle(Vertx vertx, HttpServerRequest req, NgramStudent student, String model, long seed,
      AtomicLong ids) {
    String path = req.path();
    if (path.endsWith("/models") && "GET".equals(req.method().name())) {
      ObjectNode body = JSON.createObjectNode().put("object", "list");
      body.putArray("data").addObject().put("id", model).put("object", "model").put("owned_by", "student");
      json(req, 200, body);
      return;
    }
    boolean chat = path.endsWith("/chat/completions");
    if (!chat && !path.endsWith("/completions")) {
      error(req, 404, "unknown path " + path);
      return;
    }
    req.body().onSuccess(buf -> {
      JsonNode in;
      try {
        in = JSON.readTree(buf.getBytes());
      } catch (Exception e) {
        error(req, 400, "body is not JSON");
        return;
      }
      String prompt = chat ? lastUser(in) : in.path("prompt").asText("");
      int max = in.path("max_tokens").asInt(in.path("max_completion_tokens").asInt(256));
      long callSeed = in.has("seed") ? in.get("seed").asLong() : seed;
      boolean stream = in.path("stream").asBoolean(false);
      vertx.executeBlocking(() -> student.generate(prompt,
              new NgramStudent.Sampling(Math.max(1, Math.min(max, 1024)), 8, 0.7, callSeed)), false)
          .onSuccess(text -> reply(req, chat, stream, model, "st-" + ids.incrementAndGet(), text))
          .onFailure(e -> error(req, 500, "generation failed"));
    });
  }

  private static String lastUser(JsonNode in) {
    String out = "";
    for (JsonNode m : in.path("messages")) {
      if ("user".equals(m.path("role").asText())) {
        out = m.path("content").asText("");
      }
    }
    return out;
  }

  private static void reply(HttpServerRequest req, boolean chat, boolean stream, String model, String id,
      String text) {
    long created = System.currentTimeMillis() / 1000;
    if (stream) {
      ObjectNode chunk = JSON.createObjectNode().put("id", id).put("created", created).put("model", model)
          .put("object", chat ? "chat.completion.chunk" : "text_completion");
      ObjectNode c = chunk.putArray("choices").addObject().put("index", 0);
      if (chat) {
        c.putObject("delta").put("role", "assistant").put("content", text);
      } else {
        c.put("text", text);
      }
      c.put("finish_reason", "stop");
      req.response().putHeader("content-type", "text/event-stream")
          .end(Buffer.buffer("data: " + chunk + "\n\ndata: [DONE]\n\n"));
      return;
    }
    ObjectNode body = JSON.createObjectNode().put("id", id).put("created", created).put("model", model)
        .put("object", chat ? "chat.completion" : "text_completion");
    ObjectNode c = body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
    if (chat) {
      c.putObject("message").put("role", "assistant").put("content", text);
    } else {
      c.put("text", text);
    }
    int tokens = WordTokens.split(text).size();
    body.putObject("usage").put("prompt_tokens", 0).put("completion_tokens", tokens).put("total_tokens", tokens);
    json(req, 200, body);
  }

  private static void json(HttpServerRequest req, int status, JsonNode body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
  }

  private static void error(HttpServerRequest req, int status, String message) {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("error").put("message", message).put("type", "invalid_request_error").putNull("param")
        .putNull("code");
    json(req, status, e);
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing on shutdown: nothing left to do
    }
  }
}
