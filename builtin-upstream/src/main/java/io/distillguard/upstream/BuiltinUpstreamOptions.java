package io.distillguard.upstream;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings for {@link BuiltinUpstream#start(BuiltinUpstreamOptions)}. Fluent setters return
 * {@code this}; same-named no-argument methods read the value. The defaults give a loopback
 * server on an ephemeral port answering instantly from {@link Corpus#fallback()}.
 *
 * <p>Not thread-safe; {@code start} copies what it needs, so later changes do not affect a
 * running server.
 */
public final class BuiltinUpstreamOptions {
  private String host = "127.0.0.1";
  private int port = 0;
  private List<String> models = List.of("builtin-small", "builtin-large");
  private Corpus corpus;
  private Path dataDir;
  private Duration tokenDelay = Duration.ZERO;
  private int chunkTokens = 1;
  private String fixedResponse;
  private String apiKey;
  private Vertx vertx;

  /** Interface to bind; default {@code 127.0.0.1}. */
  public BuiltinUpstreamOptions host(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  public String host() {
    return host;
  }

  /** TCP port; default 0, meaning an ephemeral port (read it back with {@link BuiltinUpstream#port()}). */
  public BuiltinUpstreamOptions port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535: " + port);
    }
    this.port = port;
    return this;
  }

  public int port() {
    return port;
  }

  /** Model ids served; requests naming another model get 404 {@code model_not_found}. */
  public BuiltinUpstreamOptions models(List<String> models) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("at least one model is needed");
    }
    this.models = List.copyOf(models);
    return this;
  }

  public List<String> models() {
    return models;
  }

  /** Corpus to answer from; wins over {@link #dataDir(Path)}. */
  public BuiltinUpstreamOptions corpus(Corpus corpus) {
    this.corpus = corpus;
    return this;
  }

  /** The explicit corpus, or null. */
  public Corpus corpus() {
    return corpus;
  }

  /**
   * Data folder to load with {@link Corpus#load(Path)} at start when no {@link #corpus(Corpus)}
   * is set; null (the default) means {@link Corpus#fallback()}.
   */
  public BuiltinUpstreamOptions dataDir(Path dataDir) {
    this.dataDir = dataDir;
    return this;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The corpus {@code start} will use: the explicit one, else loaded from the data dir, else the fallback. */
  Corpus resolveCorpus() {
    if (corpus != null) {
      return corpus;
    }
    return dataDir != null ? Corpus.load(dataDir) : Corpus.fallback();
  }

  /**
   * Pause before each streamed content chunk; default zero (everything is written at once).
   * Non-zero delays below one millisecond are rounded up to one, the timer resolution.
   */
  public BuiltinUpstreamOptions tokenDelay(Duration tokenDelay) {
    if (tokenDelay.isNegative()) {
      throw new IllegalArgumentException("tokenDelay must not be negative: " + tokenDelay);
    }
    this.tokenDelay = tokenDelay;
    return this;
  }

  public Duration tokenDelay() {
    return tokenDelay;
  }

  /** Tokens per streamed content chunk; default 1. */
  public BuiltinUpstreamOptions chunkTokens(int chunkTokens) {
    if (chunkTokens < 1) {
      throw new IllegalArgumentException("chunkTokens must be >= 1: " + chunkTokens);
    }
    this.chunkTokens = chunkTokens;
    return this;
  }

  public int chunkTokens() {
    return chunkTokens;
  }

  /**
   * When non-null, every chat and text completion answers with exactly this text and no retrieval
   * is done: the cheapest mode, for throughput benchmarks. Default null.
   */
  public BuiltinUpstreamOptions fixedResponse(String fixedResponse) {
    this.fixedResponse = fixedResponse;
    return this;
  }

  public String fixedResponse() {
    return fixedResponse;
  }

  /**
   * When non-null, {@code /v1} requests must carry {@code Authorization: Bearer <apiKey>} or get an
   * OpenAI-shaped 401. The {@code /_builtin} control endpoints never require it. Default null.
   */
  public BuiltinUpstreamOptions apiKey(String apiKey) {
    this.apiKey = apiKey;
    return this;
  }

  public String apiKey() {
    return apiKey;
  }

  /**
   * Existing Vert.x instance to run on (left running by {@link BuiltinUpstream#close()}); null,
   * the default, makes the server create and own one.
   */
  public BuiltinUpstreamOptions vertx(Vertx vertx) {
    this.vertx = vertx;
    return this;
  }

  public Vertx vertx() {
    return vertx;
  }
}
