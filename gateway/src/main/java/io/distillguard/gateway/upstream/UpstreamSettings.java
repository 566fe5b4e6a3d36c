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

  public static UpstreamSettings from(GatewayConfig.Upstream u, String resolvedUrl) {
    String base = resolvedUrl.endsWith("/") ? resolvedUrl.substring(0, resolvedUrl.length() - 1) : resolvedUrl;
    return new UpstreamSettings(base, u.apiKey == null || u.apiKey.isBlank() ? null : u.apiKey,
        u.connectTimeout.toMillis(), u.firstByteTimeout.toMillis(), u.idleTimeout.toMillis(), u.maxConnections,
        u.maxResponseBytes);
  }
}
