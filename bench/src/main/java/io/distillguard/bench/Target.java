package io.distillguard.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * One thing to send the chat completion to (the gateway or the upstream directly), with its own keep-alive
 * connection pool. Both targets get byte-identical requests (same body, same headers).
 */
final class Target {
  final String name;
  final String host;
  final int port;
  final String path;
  private final RequestOptions options;
  private final Buffer body;
  private HttpClient client;

  /**
   * @param baseUrl server root or API base ({@code http://h:p} or {@code http://h:p/v1}); the chat completions
   *                path is appended
   */
  Target(String name, String baseUrl, String key, byte[] body) {
    this.name = name;
    URI u = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
    this.host = u.getHost();
    this.port = u.getPort() < 0 ? 80 : u.getPort();
    String p = u.getPath() == null ? "" : u.getPath();
    if (p.endsWith("/v1")) {
      p = p.substring(0, p.length() - 3);
    }
    this.path = p + "/v1/chat/completions";
    this.body = Buffer.buffer(body);
    this.options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key);
  }

  String url() {
    return "http://" + host + ":" + port + path;
  }

  /** (Re)creates the connection pool with room for {@code connections} keep-alive connections. */
  void open(Vertx vertx, int connections) {
    close();
    client = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(600)
            .setPipelining(false)
            .setTcpNoDelay(true)
            .setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /** Sends one request and reads the whole answer; completes with the status code. */
  Future<Integer> send() {
    return client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
