package io.distillguard.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sends a {@link Reply}, applying token pacing and the two faults that strike mid-response
 * ({@link Fault.Kind#RESET_AFTER_CHUNKS}, {@link Fault.Kind#STALL_AFTER_CHUNKS}). Runs on the
 * request's event loop and never blocks it: pauses are Vert.x timers.
 */
final class ReplyWriter {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.UTF_8);
  private final Vertx vertx;
  private final long tokenDelayMillis;

  ReplyWriter(Vertx vertx, long tokenDelayMillis) {
    this.vertx = vertx;
    this.tokenDelayMillis = tokenDelayMillis;
  }

  /**
   * Writes {@code reply}; {@code fault} is null or one of the mid-response kinds (others were
   * applied before the request was dispatched).
   */
  void write(HttpServerRequest request, Reply reply, Fault fault) {
    HttpServerResponse response = request.response();
    if (response.closed() || response.ended()) {
      return; // the client went away while we waited (e.g. during a delay fault)
    }
    if (reply instanceof Reply.JsonBody json) {
      writeJson(request, json, fault);
    } else {
      writeStream(request, (Reply.EventStream) reply, fault);
    }
  }

  private static void writeJson(HttpServerRequest request, Reply.JsonBody json, Fault fault) {
    HttpServerResponse response = request.response().setStatusCode(json.status());
    if (!json.body().isEmpty()) {
      response.putHeader("content-type", "application/json");
    }
    Buffer body = Buffer.buffer(json.body());
    if (fault == null) {
      response.end(body);
      return;
    }
    // Announce the whole body, deliver half: the client sees a premature end of the message.
    response.putHeader("content-length", Integer.toString(body.length()));
    Future<Void> written = response.write(body.slice(0, body.length() / 2));
    if (fault.kind() == Fault.Kind.RESET_AFTER_CHUNKS) {
      written.onComplete(ar -> request.connection().close());
    }
  }

  private void writeStream(HttpServerRequest request, Reply.EventStream stream, Fault fault) {
    request.response()
        .setStatusCode(200)
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache")
        .setChunked(true);
    int limit = fault == null
        ? stream.events().size()
        : Math.min(fault.chunks(), stream.events().size());
    new StreamJob(request, stream.events(), limit, fault).next();
  }

  /** One streaming response in progress: writes events up to {@code limit}, pausing as asked. */
  private final class StreamJob {
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final List<Reply.Event> events;
    private final int limit;
    private final Fault fault;
    private int index;
    private boolean delayed; // the pause before events[index] has already happened
    private long timerId = -1;
    private boolean cancelled;

    StreamJob(HttpServerRequest request, List<Reply.Event> events, int limit, Fault fault) {
      this.request = request;
      this.response = request.response();
      this.events = events;
      this.limit = limit;
      this.fault = fault;
      response.closeHandler(v -> cancel());
    }

    private void cancel() {
      cancelled = true;
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
      }
    }

    /** Writes every event that needs no pause in one buffer, then schedules the next pause. */
    void next() {
      if (cancelled || response.closed()) {
        return;
      }
      Buffer batch = Buffer.buffer();
      while (index < limit) {
        Reply.Event event = events.get(index);
        if (event.paced() && tokenDelayMillis > 0 && !delayed) {
          if (batch.length() > 0) {
            response.write(batch);
          } else if (!response.headWritten()) {
            response.writeHead(); // let the client see the status before the first pause
          }
          delayed = true;
          timerId = vertx.setTimer(tokenDelayMillis, id -> {
            timerId = -1;
            next();
          });
          return;
        }
        batch.appendBytes(DATA).appendString(event.data()).appendBytes(EVENT_END);
        index++;
        delayed = false;
      }
      finish(batch);
    }

    private void finish(Buffer batch) {
      if (fault == null) {
        response.end(batch);
        return;
      }
      Future<Void> written = batch.length() > 0 ? response.write(batch)
          : response.headWritten() ? Future.succeededFuture() : response.writeHead();
      if (fault.kind() == Fault.Kind.RESET_AFTER_CHUNKS) {
        // Close only once the bytes are on the socket, so the client reliably gets exactly
        // the promised events before the connection dies.
        written.onComplete(ar -> request.connection().close());
      }
      // STALL_AFTER_CHUNKS: deliberately nothing more; the connection stays open until the
      // client gives up or the server closes.
    }
  }
}
