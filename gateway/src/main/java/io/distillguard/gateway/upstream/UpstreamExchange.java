package io.distillguard.gateway.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Outcome;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.gateway.pipeline.ResponseTransform;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One call's round trip to the model server: connect, send, then relay the answer to the client whole or event by
 * event, with the first-byte and idle deadlines, client cancellation and upstream faults turned into the documented
 * errors. Runs on the call's event loop only.
 */
public final class UpstreamExchange {
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
  private static final int MAX_EVENT_BYTES = 4 << 20;

  private final HttpClient client;
  private final UpstreamSettings settings;
  private final UpstreamSettings.Target target;
  private final Call call;
  private final Buffer body;
  private final UpstreamTimer timer;
  private final List<ResponseTransform.Session> sessions = new ArrayList<>(0);
  private HttpClientRequest request;
  private boolean timedOut;
  /** We reset the request ourselves: the failures that follow are not the model server's fault. */
  private boolean cancelled;

  public UpstreamExchange(HttpClient client, UpstreamSettings settings, UpstreamSettings.Target target, Call call,
      Buffer body) {
    this.client = client;
    this.target = target;
    this.settings = settings;
    this.call = call;
    this.body = body;
    this.timer = new UpstreamTimer(DeadlineSweep.current(call.vertx()), settings.firstByteTimeoutMs(),
        settings.idleTimeoutMs(), this::onTimeout);
  }

  public void start() {
    Endpoint endpoint = call.endpoint();
    RequestOptions options = new RequestOptions()
        .setMethod(endpoint.method())
        .setHost(target.host())
        .setPort(target.port())
        .setSsl(target.ssl())
        .setURI(target.basePath() + endpoint.upstreamSuffix())
        .setConnectTimeout(settings.connectTimeoutMs());
    if (body != null) {
      options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    options.putHeader(HttpHeaders.ACCEPT, call.stream ? "text/event-stream" : "application/json");
    if (settings.apiKey() != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + settings.apiKey());
    }
    for (ResponseTransform t : call.transforms()) {
      sessions.add(t.open(call));
    }
    call.upstreamSentNanos = System.nanoTime();
    call.setCancelUpstream(this::cancel);
    client.request(options).onComplete(this::onConnected);
  }

  private void onConnected(AsyncResult<HttpClientRequest> ar) {
    if (call.isFinished()) {
      if (ar.succeeded()) {
        ar.result().reset();
      }
      return;
    }
    if (ar.failed()) {
      Throwable e = ar.cause();
      if (e instanceof ConnectTimeoutException || e instanceof java.util.concurrent.TimeoutException) {
        call.reject(ApiError.upstreamTimeout("Timed out connecting to the model server."));
      } else {
        call.reject(ApiError.upstreamUnavailable("Cannot reach the model server."));
      }
      return;
    }
    request = ar.result();
    timer.awaitFirstByte();
    (body == null ? request.send() : request.send(body)).onComplete(this::onResponse);
  }

  private void onResponse(AsyncResult<HttpClientResponse> ar) {
    if (call.isFinished()) {
      return;
    }
    if (ar.failed()) {
      timer.stop();
      if (timedOut || cancelled) {
        return;
      }
      call.reject(ApiError.upstreamBroken("The model server closed the connection before answering."));
      return;
    }
    HttpClientResponse response = ar.result();
    call.upstreamFirstByteNanos = System.nanoTime();
    timer.answerStarted();
    String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
    if (call.stream && response.statusCode() == 200 && contentType != null
        && contentType.startsWith("text/event-stream")) {
      relayStream(response);
    } else {
      relayWhole(response);
    }
  }

  // ---- whole answers ----

  private void relayWhole(HttpClientResponse response) {
    Buffer acc = Buffer.buffer();
    response.handler(chunk -> {
      timer.activity();
      if (call.isFinished()) {
        return;
      }
      acc.appendBuffer(chunk);
      if (acc.length() > settings.maxResponseBytes()) {
        timer.stop();
        cancel();
        call.reject(ApiError.upstreamBroken("The model server's answer exceeds "
            + settings.maxResponseBytes() + " bytes."));
      }
    });
    response.exceptionHandler(e -> {
      timer.stop();
      if (!call.isFinished() && !timedOut && !cancelled) {
        call.reject(ApiError.upstreamBroken("The model server dropped the connection mid-answer."));
      }
    });
    response.endHandler(v -> {
      timer.stop();
      if (!call.isFinished()) {
        completeWhole(response, acc);
      }
    });
  }

  private void completeWhole(HttpClientResponse response, Buffer acc) {
    call.upstreamDoneNanos = System.nanoTime();
    int status = response.statusCode();
    if (status >= 500) {
      call.reject(ApiError.upstreamStatus(status));
      return;
    }
    if (status < 300 && sessions.isEmpty()) {
      // Nothing to rewrite: read usage and texts in one streaming pass instead of building the answer's tree.
      if (!scanAnswer(acc)) {
        call.reject(notAnObject());
        return;
      }
      finishWhole(status, acc);
      return;
    }
    JsonNode root = null;
    try {
      root = acc.length() == 0 ? null : Json.MAPPER.readTree(acc.getBytes());
    } catch (IOException e) {
      root = null;
    }
    if (status >= 300) {
      relayUpstreamError(response, status, root, acc);
      return;
    }
    if (!(root instanceof ObjectNode obj)) {
      call.reject(notAnObject());
      return;
    }
    Buffer out = acc;
    if (call.endpoint().generates()) {
      readUsage(obj.get("usage"));
      boolean changed = false;
      JsonNode choices = obj.get("choices");
      if (choices instanceof ArrayNode arr) {
        for (int i = 0; i < arr.size(); i++) {
          JsonNode choice = arr.get(i);
          int index = choice.path("index").asInt(i);
          ObjectNode holder = call.endpoint() == Endpoint.CHAT_COMPLETIONS
              ? (choice.get("message") instanceof ObjectNode m ? m : null)
              : (choice instanceof ObjectNode c ? c : null);
          String field = call.endpoint() == Endpoint.CHAT_COMPLETIONS ? "content" : "text";
          if (holder == null || !holder.path(field).isTextual()) {
            continue;
          }
          String text = holder.get(field).asText();
          String served = transformWhole(index, text);
          if (!served.equals(text)) {
            holder.put(field, served);
            changed = true;
          }
          call.appendText(index, served);
        }
      }
      if (changed) {
        out = Json.write(obj);
      }
    } else if (call.endpoint() == Endpoint.EMBEDDINGS) {
      readUsage(obj.get("usage"));
    }
    finishWhole(status, out);
  }

  private static ApiError notAnObject() {
    return new ApiError(502, "upstream_error", "upstream_invalid_response",
        "The model server's answer is not a JSON object.", null, 0, Outcome.UPSTREAM_ERROR);
  }

  private void finishWhole(int status, Buffer out) {
    Buffer payload = out;
    HttpServerResponse client = call.response();
    call.finish(Outcome.OK, status, null, () -> {
      client.setStatusCode(status);
      client.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      client.putHeader("x-request-id", call.id());
      client.end(payload);
    });
  }

  /**
   * Reads the usage and each choice's text of a successful answer without building its tree, with the same reading
   * as the tree path: a choice's index defaults to its position, a text counts only when it is a JSON string.
   *
   * @return false when the answer is not a well-formed JSON object
   */
  private boolean scanAnswer(Buffer answer) {
    boolean chat = call.endpoint() == Endpoint.CHAT_COMPLETIONS;
    boolean texts = call.endpoint().generates();
    try (JsonParser p = Json.MAPPER.getFactory().createParser(answer.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("usage".equals(name) && value == JsonToken.START_OBJECT) {
          scanUsage(p);
        } else if (texts && "choices".equals(name) && value == JsonToken.START_ARRAY) {
          int position = 0;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            scanChoice(p, position++, chat);
          }
        } else {
          p.skipChildren();
        }
      }
      return true; // like readTree, what follows the object is not looked at
    } catch (IOException e) {
      return false;
    }
  }

  private void scanUsage(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if ("prompt_tokens".equals(name) && v.isScalarValue()) {
        call.promptTokens = p.getValueAsInt(call.promptTokens);
      } else if ("completion_tokens".equals(name) && v.isScalarValue()) {
        call.completionTokens = p.getValueAsInt(call.completionTokens);
      } else {
        p.skipChildren();
      }
    }
  }

  private void scanChoice(JsonParser p, int position, boolean chat) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    int index = position;
    String text = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if ("index".equals(name) && v.isScalarValue()) {
        index = p.getValueAsInt(position);
      } else if (chat && "message".equals(name) && v == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken fv = p.nextToken();
          if ("content".equals(field) && fv == JsonToken.VALUE_STRING) {
            text = p.getText();
          } else {
            p.skipChildren();
          }
        }
      } else if (!chat && "text".equals(name) && v == JsonToken.VALUE_STRING) {
        text = p.getText();
      } else {
        p.skipChildren();
      }
    }
    if (text != null) {
      call.appendText(index, text);
    }
  }

  /** 4xx from the model server (unknown model, bad parameter): the client gets it as it was, it is their error. */
  private void relayUpstreamError(HttpClientResponse response, int status, JsonNode root, Buffer acc) {
    JsonNode code = root == null ? null : root.path("error").path("code");
    String errorCode = code != null && code.isTextual() ? code.asText() : "upstream_" + status;
    Buffer payload = root != null && root.has("error") ? acc
        : Json.errorBody(new ApiError(status, "upstream_error", errorCode,
            "The model server refused the request with status " + status, null, 0, Outcome.UPSTREAM_ERROR));
    String retryAfter = response.getHeader("Retry-After");
    HttpServerResponse client = call.response();
    call.finish(Outcome.UPSTREAM_ERROR, status, errorCode, () -> {
      client.setStatusCode(status);
      client.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      if (retryAfter != null) {
        client.putHeader("Retry-After", retryAfter);
      }
      client.end(payload);
    });
  }

  private String transformWhole(int choice, String text) {
    String out = text;
    for (ResponseTransform.Session s : sessions) {
      out = s.push(choice, out) + s.flush(choice);
    }
    return out;
  }

  // ---- streams ----

  private void relayStream(HttpClientResponse response) {
    HttpServerResponse client = call.response();
    client.setStatusCode(200);
    client.setChunked(true);
    client.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
    client.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    client.putHeader("x-request-id", call.id());
    StreamState state = new StreamState();
    SseParser parser = new SseParser(event -> onEvent(event, state), MAX_EVENT_BYTES);
    response.handler(chunk -> {
      timer.activity();
      if (call.isFinished()) {
        return;
      }
      try {
        parser.feed(chunk);
      } catch (IllegalStateException e) {
        timer.stop();
        cancel();
        endStreamWithError(ApiError.upstreamBroken("The model server sent an oversized event."));
        return;
      }
      if (client.writeQueueFull()) {
        response.pause();
        client.drainHandler(v -> response.resume());
      }
    });
    response.exceptionHandler(e -> {
      timer.stop();
      if (!call.isFinished() && !timedOut && !cancelled) {
        endStreamWithError(ApiError.upstreamBroken("The model server dropped the stream mid-answer."));
      }
    });
    response.endHandler(v -> {
      timer.stop();
      if (call.isFinished()) {
        return;
      }
      String rest = parser.remainder();
      if (!rest.isEmpty()) {
        onEvent(rest, state);
      }
      call.upstreamDoneNanos = System.nanoTime();
      writeHeldBack(state);
      // [DONE] and the end of the response go out only after the exchange is journaled.
      call.finish(Outcome.OK, 200, null, () -> {
        if (state.sawDone) {
          client.write(DONE);
        }
        client.end();
      });
    });
  }

  private final class StreamState {
    boolean sawDone;
    String lastId;
    String lastModel;
    JsonNode lastCreated;
    final List<Integer> choicesSeen = new ArrayList<>(1);
  }

  private void onEvent(String event, StreamState state) {
    String data = SseParser.data(event);
    if (data == null) {
      call.response().write(event + "\n\n");
      return;
    }
    if ("[DONE]".equals(data.strip())) {
      state.sawDone = true;
      return;
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(data);
    } catch (IOException e) {
      call.response().write(event + "\n\n");
      return;
    }
    if (!(node instanceof ObjectNode obj)) {
      call.response().write(event + "\n\n");
      return;
    }
    state.lastId = obj.path("id").asText(null);
    state.lastModel = obj.path("model").asText(null);
    state.lastCreated = obj.get("created");
    JsonNode usage = obj.get("usage");
    if (usage != null && usage.isObject()) {
      readUsage(usage);
    }
    JsonNode choices = obj.get("choices");
    boolean changed = false;
    if (choices instanceof ArrayNode arr) {
      if (arr.isEmpty() && usage != null && usage.isObject() && !call.clientWantsUsage) {
        return; // the usage chunk the gateway asked for on its own behalf
      }
      for (int i = 0; i < arr.size(); i++) {
        JsonNode choice = arr.get(i);
        int index = choice.path("index").asInt(i);
        if (!state.choicesSeen.contains(index)) {
          state.choicesSeen.add(index);
        }
        ObjectNode holder = textHolder(choice);
        String field = call.endpoint() == Endpoint.CHAT_COMPLETIONS ? "content" : "text";
        if (holder == null || !holder.path(field).isTextual()) {
          continue;
        }
        String text = holder.get(field).asText();
        String served = text;
        for (ResponseTransform.Session s : sessions) {
          served = s.push(index, served);
        }
        if (!served.equals(text)) {
          holder.put(field, served);
          changed = true;
        }
        call.appendText(index, served);
      }
    }
    if (changed) {
      call.response().write(Buffer.buffer("data: ").appendBuffer(Json.write(obj)).appendString("\n\n"));
    } else {
      call.response().write(event + "\n\n");
    }
  }

  private ObjectNode textHolder(JsonNode choice) {
    if (call.endpoint() == Endpoint.CHAT_COMPLETIONS) {
      return choice.get("delta") instanceof ObjectNode d ? d : null;
    }
    return choice instanceof ObjectNode c ? c : null;
  }

  /** Sends what transforms held back at the end of each choice, as one extra chunk per choice. */
  private void writeHeldBack(StreamState state) {
    if (sessions.isEmpty()) {
      return;
    }
    for (int index : state.choicesSeen) {
      String rest = "";
      for (ResponseTransform.Session s : sessions) {
        rest = s.push(index, rest) + s.flush(index);
      }
      if (rest.isEmpty()) {
        continue;
      }
      call.appendText(index, rest);
      ObjectNode chunk = Json.MAPPER.createObjectNode();
      if (state.lastId != null) {
        chunk.put("id", state.lastId);
      }
      boolean chat = call.endpoint() == Endpoint.CHAT_COMPLETIONS;
      chunk.put("object", chat ? "chat.completion.chunk" : "text_completion");
      if (state.lastCreated != null) {
        chunk.set("created", state.lastCreated);
      }
      if (state.lastModel != null) {
        chunk.put("model", state.lastModel);
      }
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", index);
      if (chat) {
        choice.putObject("delta").put("content", rest);
      } else {
        choice.put("text", rest);
      }
      choice.putNull("finish_reason");
      call.response().write(Buffer.buffer("data: ").appendBuffer(Json.write(chunk)).appendString("\n\n"));
    }
  }

  /** A stream that already started cannot change its status: the error goes out as a final event. */
  private void endStreamWithError(ApiError error) {
    HttpServerResponse client = call.response();
    if (!client.headWritten()) {
      call.reject(error);
      return;
    }
    call.upstreamDoneNanos = System.nanoTime();
    Buffer event = Buffer.buffer("data: ").appendBuffer(Json.errorBody(error)).appendString("\n\n");
    call.finish(error.outcome(), 200, error.code(), () -> client.end(event));
  }

  // ---- faults ----

  private void onTimeout() {
    timedOut = true;
    cancel();
    if (call.isFinished()) {
      return;
    }
    ApiError error = call.response().headWritten()
        ? ApiError.upstreamTimeout("The model server stopped sending for too long.")
        : ApiError.upstreamTimeout("The model server did not answer in time.");
    if (call.response().headWritten()) {
      endStreamWithError(error);
    } else {
      call.reject(error);
    }
  }

  private void cancel() {
    cancelled = true;
    timer.stop();
    if (request != null) {
      request.reset();
    }
  }

  private void readUsage(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return;
    }
    call.promptTokens = usage.path("prompt_tokens").asInt(call.promptTokens);
    call.completionTokens = usage.path("completion_tokens").asInt(call.completionTokens);
  }
}
