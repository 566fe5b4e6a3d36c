package io.distillguard.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request in flight through the stage chain and everything learnt about it on the way: who sent it, what it
 * asked for, what the upstream answered. Confined to the event loop of its connection, so it needs no locking.
 *
 * <p>A call ends exactly once, through {@link #finish}: first the record hooks run (the exchange is journaled before
 * the client sees the end of the answer, so an acknowledged request is never lost), then the last bytes are
 * written, then the release hooks free limits.
 */
public final class Call {
  private static final Logger LOG = LoggerFactory.getLogger(Call.class);

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final Endpoint endpoint;
  private final String path;
  private final long startNanos;
  private final String id;

  // Who and when; set before the chain starts.
  public Instant eventTime;
  public String clientIp;
  public String userAgent;
  public String headerFingerprint;
  public Buffer body;

  // What was asked; set by the parse stage.
  public ObjectNode json;
  public String model;
  public SamplingParams params = SamplingParams.NONE;
  public boolean stream;
  public boolean clientWantsUsage;
  public List<ChatMessage> messages = List.of();

  // Who asked; set by the authenticate and enforcement stages.
  public Account account;
  public ApiKey key;
  public AccountStatus accountStatus = AccountStatus.ACTIVE;

  // What came back; set by the forward stage.
  public int promptTokens;
  public int completionTokens;
  public long upstreamSentNanos;
  public long upstreamFirstByteNanos;
  public long upstreamDoneNanos;
  private final List<StringBuilder> choiceTexts = new ArrayList<>(1);

  private final List<ResponseTransform> transforms = new ArrayList<>(0);
  private final List<Consumer<Call>> recordHooks = new ArrayList<>(1);
  private final List<Runnable> releaseHooks = new ArrayList<>(2);
  private Runnable cancelUpstream;

  private boolean finished;
  private int status;
  private Outcome outcome;
  private String errorCode;
  private long latencyMicros;

  /** An error found before the chain started (unknown URL, oversized body, bad event time). */
  public ApiError admissionError;

  /**
   * @param endpoint the endpoint, or null for an unknown URL (the call is then only recorded and refused)
   * @param path     the request path as sent, kept (shortened) for the record of unknown URLs
   */
  public Call(Vertx vertx, HttpServerRequest request, Endpoint endpoint, String path, long startNanos, String id) {
    this.vertx = vertx;
    this.request = request;
    this.endpoint = endpoint;
    this.path = endpoint != null ? endpoint.path() : (path.length() > 200 ? path.substring(0, 200) : path);
    this.startNanos = startNanos;
    this.id = id;
  }

  public Vertx vertx() {
    return vertx;
  }

  public HttpServerRequest request() {
    return request;
  }

  public HttpServerResponse response() {
    return request.response();
  }

  /** The endpoint, or null when the URL is unknown. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** The endpoint path, or the (shortened) unknown path that was requested. */
  public String path() {
    return path;
  }

  public String id() {
    return id;
  }

  public long startNanos() {
    return startNanos;
  }

  public boolean isFinished() {
    return finished;
  }

  public int status() {
    return status;
  }

  public Outcome outcome() {
    return outcome;
  }

  public String errorCode() {
    return errorCode;
  }

  public long latencyMicros() {
    return latencyMicros;
  }

  public List<ResponseTransform> transforms() {
    return transforms;
  }

  public void addTransform(ResponseTransform t) {
    transforms.add(t);
  }

  /** Runs when the call ends, before the client receives the last byte. */
  public void onRecord(Consumer<Call> hook) {
    recordHooks.add(hook);
  }

  /** Runs after the call ended, to give back what it held (concurrency slots, token budget). */
  public void onRelease(Runnable hook) {
    releaseHooks.add(hook);
  }

  /** How to abort the upstream request if the client goes away first. */
  public void setCancelUpstream(Runnable cancel) {
    this.cancelUpstream = cancel;
  }

  public void appendText(int choice, String text) {
    while (choiceTexts.size() <= choice) {
      choiceTexts.add(new StringBuilder());
    }
    choiceTexts.get(choice).append(text);
  }

  /** The generated text: choice 0, then any further choices separated by blank lines. */
  public String responseText() {
    if (choiceTexts.isEmpty()) {
      return null;
    }
    if (choiceTexts.size() == 1) {
      return choiceTexts.get(0).toString();
    }
    StringBuilder sb = new StringBuilder();
    for (StringBuilder t : choiceTexts) {
      if (sb.length() > 0) {
        sb.append("\n\n");
      }
      sb.append(t);
    }
    return sb.toString();
  }

  /** Ends the call with an OpenAI-shaped error, unless the answer has already begun. */
  public void reject(ApiError error) {
    if (finished) {
      return;
    }
    HttpServerResponse response = response();
    if (response.headWritten()) {
      finish(error.outcome(), response.getStatusCode(), error.code(), response::end);
      return;
    }
    Buffer body = Json.errorBody(error);
    finish(error.outcome(), error.status(), error.code(), () -> {
      response.setStatusCode(error.status());
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      if (error.retryAfterSeconds() > 0) {
        response.putHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
      }
      if (!request.isEnded()) {
        // The body was not read to its end; the connection cannot be reused.
        response.putHeader(HttpHeaders.CONNECTION, "close");
      }
      response.end(body);
    });
  }

  /**
   * Ends the call: records it, then writes the end of the answer, then releases what it held.
   *
   * @param writeEnd writes the last bytes to the client; runs after the exchange was recorded
   */
  public void finish(Outcome outcome, int status, String errorCode, Runnable writeEnd) {
    if (finished) {
      return;
    }
    finished = true;
    this.outcome = outcome;
    this.status = status;
    this.errorCode = errorCode;
    this.latencyMicros = (System.nanoTime() - startNanos) / 1_000;
    for (Consumer<Call> hook : recordHooks) {
      try {
        hook.accept(this);
      } catch (RuntimeException e) {
        LOG.error("recording exchange {} failed", id, e);
      }
    }
    try {
      writeEnd.run();
    } catch (RuntimeException e) {
      LOG.debug("writing the end of exchange {} failed (client gone?)", id, e);
    }
    for (Runnable hook : releaseHooks) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.error("releasing exchange {} failed", id, e);
      }
    }
  }

  /** The client went away: abort the upstream request and record what happened. */
  public void clientClosed() {
    if (finished) {
      return;
    }
    if (cancelUpstream != null) {
      cancelUpstream.run();
    }
    finish(Outcome.CLIENT_CANCELLED, response().headWritten() ? response().getStatusCode() : 499,
        "client_cancelled", () -> {});
  }

  /** A stage threw: answer 500 if nothing was sent yet, else cut the answer, and keep the gateway running. */
  public void internalError(String where, Throwable e) {
    LOG.error("{} failed on exchange {}", where, id, e);
    if (cancelUpstream != null) {
      cancelUpstream.run();
    }
    reject(ApiError.internal());
  }
}
