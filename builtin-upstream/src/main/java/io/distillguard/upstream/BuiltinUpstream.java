package io.distillguard.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stand-in for an OpenAI-compatible model server, for demos, tests and benchmarks of the
 * DistillGuard gateway, in the spirit of OkHttp's MockWebServer.
 *
 * <p><b>It is not a model.</b> Chat and text completions are canned answers retrieved from a
 * {@link Corpus} of question/answer pairs (BM25 over the questions, matched against the last user
 * message); embeddings are hashed bags of words. Every response says so: models are
 * {@code owned_by} {@value Models#OWNER} and completions carry the {@code system_fingerprint}
 * {@value Wire#SYSTEM_FINGERPRINT}.
 *
 * <p>Endpoints: {@code GET /v1/models}, {@code GET /v1/models/{id}},
 * {@code POST /v1/chat/completions}, {@code POST /v1/completions} (both with {@code stream},
 * {@code stream_options.include_usage}, {@code n}, {@code max_tokens}) and
 * {@code POST /v1/embeddings}, with OpenAI's response and error shapes. Faults ({@link Fault})
 * can be queued from Java, via {@code POST /_builtin/faults}, or per request with the
 * {@code x-builtin-fault} header.
 *
 * <p>It speaks plain HTTP/1.1 (no TLS, no h2c upgrade), runs on a Vert.x event loop and never
 * blocks it; token pacing uses timers. Instances are thread-safe.
 */
public final class BuiltinUpstream implements AutoCloseable {
  private static final long STARTUP_TIMEOUT_SECONDS = 30;
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpServer server;
  private final UpstreamHandler handler;
  private final String host;

  private BuiltinUpstream(Vertx vertx, boolean ownsVertx, HttpServer server,
      UpstreamHandler handler, String host) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.server = server;
    this.handler = handler;
    this.host = host;
  }

  /**
   * Starts a server and blocks until it listens (port 0 picks a free port). Loads the corpus first
   * if the options name a data dir. Must not be called on a Vert.x event-loop thread, which it
   * would block.
   *
   * @throws IllegalStateException when called on an event loop or the server cannot listen
   */
  public static BuiltinUpstream start(BuiltinUpstreamOptions options) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("BuiltinUpstream.start blocks; call it off the event loop");
    }
    Settings settings = Settings.from(options);
    boolean ownsVertx = options.vertx() == null;
    Vertx vertx = ownsVertx ? Vertx.vertx() : options.vertx();
    UpstreamHandler handler = new UpstreamHandler(vertx, settings);
    HttpServer server = vertx.createHttpServer(new HttpServerOptions()
            .setTcpNoDelay(true) // SSE chunks must leave immediately, not wait for Nagle
            .setHandle100ContinueAutomatically(true) // curl sends Expect for bodies > 1 KiB
            // HTTP/1.1 only: faults are defined in terms of one request per connection at a
            // time (closing a connection), which an h2c upgrade would blur.
            .setHttp2ClearTextEnabled(false))
        .requestHandler(handler);
    try {
      await(server.listen(options.port(), options.host()));
    } catch (RuntimeException e) {
      if (ownsVertx) {
        vertx.close();
      }
      throw new IllegalStateException("builtin upstream could not listen on " + options.host()
          + ":" + options.port(), e);
    }
    return new BuiltinUpstream(vertx, ownsVertx, server, handler, options.host());
  }

  /** The port listened on. */
  public int port() {
    return server.actualPort();
  }

  /** Base URL of the OpenAI API, e.g. {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    String h = host;
    if (h.equals("0.0.0.0")) {
      h = "127.0.0.1"; // bound everywhere: loopback is the address every client can use
    } else if (h.equals("::") || h.equals("[::]")) {
      h = "[::1]";
    } else if (h.contains(":") && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return "http://" + h + ":" + port() + "/v1";
  }

  /** Queues a fault for the next request that arrives without an {@code x-builtin-fault} header (FIFO). */
  public void enqueue(Fault fault) {
    handler.enqueue(java.util.Objects.requireNonNull(fault, "fault"));
  }

  /** Requests received on {@code /v1} and unknown paths; the {@code /_builtin} control endpoints are not counted. */
  public int requestCount() {
    return handler.log().count();
  }

  /**
   * The oldest recorded request not yet taken, or null when there is none; does not wait. At most
   * the latest 1000 untaken requests are kept. Control endpoint calls are not recorded.
   */
  public RecordedRequest takeRequest() {
    return handler.log().take();
  }

  /**
   * Stops listening and closes open connections (stalled streams included), then closes the
   * Vert.x instance if this server created it. Blocks until done; idempotent.
   */
  @Override
  public void close() {
    try {
      await(server.close());
    } finally {
      if (ownsVertx) {
        await(vertx.close());
      }
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture()
          .get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + STARTUP_TIMEOUT_SECONDS + " s", e);
    }
  }

  /**
   * Runs the server standalone until the process is stopped. Arguments: {@code --port N}
   * (default 8090), {@code --host H} (default 127.0.0.1), {@code --data DIR} (dataset folder for
   * {@link Corpus#load(Path)}), {@code --token-delay-ms N}, {@code --chunk-tokens N},
   * {@code --fixed-response TEXT}, {@code --api-key KEY}.
   */
  public static void main(String[] args) {
    BuiltinUpstreamOptions options;
    try {
      options = parseArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: BuiltinUpstream [--port N] [--host H] [--data DIR]"
          + " [--token-delay-ms N] [--chunk-tokens N] [--fixed-response TEXT] [--api-key KEY]");
      System.exit(2);
      return;
    }
    BuiltinUpstream upstream = start(options);
    Runtime.getRuntime().addShutdownHook(new Thread(upstream::close, "builtin-upstream-stop"));
    System.out.println("builtin upstream (stand-in, not a model) listening on "
        + upstream.baseUrl());
    System.out.flush();
    // Vert.x's non-daemon event-loop threads keep the JVM alive after main returns.
  }

  static BuiltinUpstreamOptions parseArgs(String[] args) {
    BuiltinUpstreamOptions options = new BuiltinUpstreamOptions().port(8090);
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + flag);
      }
      String value = args[++i];
      switch (flag) {
        case "--port" -> options.port(parseInt(flag, value));
        case "--host" -> options.host(value);
        case "--data" -> options.dataDir(Path.of(value));
        case "--token-delay-ms" -> options.tokenDelay(Duration.ofMillis(parseInt(flag, value)));
        case "--chunk-tokens" -> options.chunkTokens(parseInt(flag, value));
        case "--fixed-response" -> options.fixedResponse(value);
        case "--api-key" -> options.apiKey(value);
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    return options;
  }

  private static int parseInt(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs an integer, got '" + value + "'");
    }
  }
}
