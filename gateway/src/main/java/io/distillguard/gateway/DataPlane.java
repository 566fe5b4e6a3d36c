package io.distillguard.gateway;

import io.distillguard.gateway.net.HeaderFingerprint;
import io.distillguard.gateway.net.TrustedProxies;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.gateway.pipeline.StageChain;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.Vertx;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The entry of the data plane: turns an HTTP request into a {@link Call} (client address, event time, body read
 * within the size limit) and runs it through the stage chain.
 */
final class DataPlane {
  static final String EVENT_TIME_HEADER = "X-DistillGuard-Event-Time";

  private final Vertx vertx;
  private final StageChain chain;
  private final TrustedProxies proxies;
  private final long maxBodyBytes;
  private final boolean replay;

  DataPlane(Vertx vertx, StageChain chain, TrustedProxies proxies, long maxBodyBytes, boolean replay) {
    this.vertx = vertx;
    this.chain = chain;
    this.proxies = proxies;
    this.maxBodyBytes = maxBodyBytes;
    this.replay = replay;
  }

  void handle(HttpServerRequest request) {
    long start = System.nanoTime();
    String path = request.path();
    Endpoint endpoint = Endpoint.forPath(path);
    Call call = new Call(vertx, request, endpoint, path == null ? "" : path, start, Ids.exchangeId());
    call.clientIp = proxies.clientAddress(request.remoteAddress().hostAddress(), request.getHeader("X-Forwarded-For"));
    call.userAgent = truncate(request.getHeader(HttpHeaders.USER_AGENT), 512);
    call.headerFingerprint = HeaderFingerprint.of(request.headers());
    call.eventTime = Instant.now();
    boolean[] started = {false};
    Runnable startChain = () -> {
      started[0] = true;
      chain.start(call);
    };
    // A client that leaves before its request is complete is still recorded, once, as cancelled.
    Runnable clientGone = () -> {
      if (started[0]) {
        call.clientClosed();
      } else {
        call.admissionError = ApiError.clientGone();
        startChain.run();
      }
    };
    request.response().closeHandler(v -> clientGone.run());
    if (endpoint == null) {
      call.admissionError = ApiError.notFound(call.path());
    } else if (endpoint.method() != request.method()) {
      call.admissionError = ApiError.methodNotAllowed(request.method().name(), endpoint.path());
    }
    if (replay && call.admissionError == null) {
      String t = request.getHeader(EVENT_TIME_HEADER);
      if (t != null) {
        try {
          call.eventTime = parseEventTime(t);
        } catch (DateTimeException e) {
          call.admissionError = ApiError.badRequest("invalid_event_time",
              EVENT_TIME_HEADER + " must be an ISO-8601 timestamp such as 2026-01-05T09:30:00Z.", null);
        }
      }
    }
    if (call.admissionError != null || endpoint.method() != io.vertx.core.http.HttpMethod.POST) {
      startChain.run();
      return;
    }
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > maxBodyBytes) {
          call.admissionError = ApiError.tooLarge(maxBodyBytes);
          startChain.run();
          return;
        }
      } catch (NumberFormatException e) {
        // Netty rejects malformed lengths before we get here; treat anything else as unknown length.
      }
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.trim().equalsIgnoreCase("100-continue")) {
      // The client waits for this before sending the body (curl does for bodies over 1 KiB).
      request.response().writeContinue();
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > maxBodyBytes) {
        refused[0] = true;
        call.admissionError = ApiError.tooLarge(maxBodyBytes);
        startChain.run();
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> clientGone.run());
    request.endHandler(v -> {
      if (!refused[0]) {
        call.body = body;
        startChain.run();
      }
    });
  }

  static Instant parseEventTime(String text) {
    String t = text.trim();
    try {
      return Instant.parse(t);
    } catch (DateTimeException e) {
      return OffsetDateTime.parse(t).toInstant();
    }
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
