package io.distillguard.gateway.upstream;

import io.distillguard.gateway.config.GatewayConfig;

/**
 * Where and how to reach the model server.
 *
 * @param baseUrl base URL including {@code /v1}, without a trailing slash
 */
public record UpstreamSettings(
    String baseUrl, String apiKey, long connectTimeoutMs, long firstByteTimeoutMs, long idleTimeoutMs,
    int maxConnections, long maxResponseBytes) {

  /**
   * The base URL taken apart once, so a request sets host, port and path instead of parsing an absolute URI each
   * time.
   */
  public record Target(String host, int port, boolean ssl, String basePath) {}

  public Target target() {
    java.net.URI u = java.net.URI.create(baseUrl);
    boolean ssl = "https".equalsIgnoreCase(u.getScheme());
    int port = u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80;
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    return new Target(u.getHost(), port, ssl, path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
  }

  public static UpstreamSettings from(GatewayConfig.Upstream u, String resolvedUrl) {
    String base = resolvedUrl.endsWith("/") ? resolvedUrl.substring(0, resolvedUrl.length() - 1) : resolvedUrl;
    return new UpstreamSettings(base, u.apiKey == null || u.apiKey.isBlank() ? null : u.apiKey,
        u.connectTimeout.toMillis(), u.firstByteTimeout.toMillis(), u.idleTimeout.toMillis(), u.maxConnections,
        u.maxResponseBytes);
  }
}
