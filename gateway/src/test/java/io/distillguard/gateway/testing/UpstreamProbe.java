package io.distillguard.gateway.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerConfig;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches the HTTP server side of a Vert.x instance through the metrics SPI: how many requests are in flight, how
 * many ended normally and how many were reset (the connection closed under them). The builtin upstream runs on such
 * an instance so tests can see that the gateway really abandoned an upstream request.
 */
public final class UpstreamProbe implements VertxMetricsFactory {
  private final Set<Object> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicInteger begun = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();
  private final AtomicInteger reset = new AtomicInteger();

  /** A Vert.x instance whose HTTP servers report to this probe. */
  public Vertx newVertx() {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MetricsOptions().setEnabled(true)))
        .withMetrics(this)
        .build();
  }

  public int inFlight() {
    return inFlight.size();
  }

  public int begun() {
    return begun.get();
  }

  public int ended() {
    return ended.get();
  }

  public int reset() {
    return reset.get();
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new VertxMetrics() {
      @Override
      public HttpServerMetrics<?, ?> createHttpServerMetrics(HttpServerConfig config, SocketAddress tcpAddress,
          SocketAddress udpAddress) {
        return new HttpServerMetrics<Object, Object>() {
          @Override
          public Object requestBegin(SocketAddress remote, HttpRequest request) {
            Object marker = new Object();
            begun.incrementAndGet();
            inFlight.add(marker);
            return marker;
          }

          @Override
          public void requestReset(Object marker) {
            if (inFlight.remove(marker)) {
              reset.incrementAndGet();
            }
          }

          @Override
          public void responseEnd(Object marker, HttpResponse response, long bytesWritten) {
            if (inFlight.remove(marker)) {
              ended.incrementAndGet();
            }
          }
        };
      }
    };
  }
}
