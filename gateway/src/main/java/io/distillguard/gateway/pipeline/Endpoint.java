package io.distillguard.gateway.pipeline;

import io.vertx.core.http.HttpMethod;

/** The OpenAI-compatible endpoints the data plane serves. */
public enum Endpoint {
  CHAT_COMPLETIONS("/v1/chat/completions", HttpMethod.POST),
  COMPLETIONS("/v1/completions", HttpMethod.POST),
  EMBEDDINGS("/v1/embeddings", HttpMethod.POST),
  MODELS("/v1/models", HttpMethod.GET);

  private final String path;
  private final HttpMethod method;

  Endpoint(String path, HttpMethod method) {
    this.path = path;
    this.method = method;
  }

  public String path() {
    return path;
  }

  public HttpMethod method() {
    return method;
  }

  /** The path below the upstream base URL (which already ends in {@code /v1}). */
  public String upstreamSuffix() {
    return path.substring(3);
  }

  /** Whether this endpoint generates text (and so can stream and carry a watermark). */
  public boolean generates() {
    return this == CHAT_COMPLETIONS || this == COMPLETIONS;
  }

  public static Endpoint forPath(String path) {
    for (Endpoint e : values()) {
      if (e.path.equals(path)) {
        return e;
      }
    }
    return null;
  }
}
