package io.distillguard.bench;

import io.distillguard.core.Exchange;
import io.distillguard.store.ExchangeCounts;
import io.distillguard.store.ExchangeRepository;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Helpers for the JMH benchmarks. */
final class BenchSupport {
  private BenchSupport() {}

  /** The headers an OpenAI SDK client sends with a chat completion (names in the SDK's order). */
  static MultiMap sdkHeaders(String key, int contentLength) {
    return MultiMap.caseInsensitiveMultiMap()
        .add("Host", "127.0.0.1:8080")
        .add("Accept-Encoding", "gzip, deflate")
        .add("Connection", "keep-alive")
        .add("Accept", "application/json")
        .add("Content-Type", "application/json")
        .add("User-Agent", "OpenAI/Python 1.99.0")
        .add("X-Stainless-Lang", "python")
        .add("X-Stainless-Package-Version", "1.99.0")
        .add("X-Stainless-OS", "Linux")
        .add("X-Stainless-Arch", "x64")
        .add("X-Stainless-Runtime", "CPython")
        .add("X-Stainless-Runtime-Version", "3.12.3")
        .add("Authorization", "Bearer " + key)
        .add("X-Stainless-Async", "false")
        .add("x-stainless-retry-count", "0")
        .add("x-stainless-read-timeout", "600")
        .add("Content-Length", Integer.toString(contentLength));
  }

  /**
   * A stand-in for a server request that answers only what the stages before the forward stage read (headers,
   * method, path, peer address). The stages never touch the response on the success path.
   */
  static HttpServerRequest request(MultiMap headers, String path) {
    SocketAddress peer = SocketAddress.inetSocketAddress(53122, "127.0.0.1");
    return (HttpServerRequest) Proxy.newProxyInstance(BenchSupport.class.getClassLoader(),
        new Class<?>[] {HttpServerRequest.class}, (proxy, m, args) -> switch (m.getName()) {
          case "headers" -> headers;
          case "getHeader" -> headers.get(args[0].toString());
          case "method" -> HttpMethod.POST;
          case "path", "uri" -> path;
          case "remoteAddress" -> peer;
          case "isEnded" -> true;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "bench-request";
          default -> {
            Class<?> r = m.getReturnType();
            yield r == boolean.class ? false : r == long.class ? 0L : r == int.class ? 0 : null;
          }
        });
  }

  /** An exchange repository that stores nothing, so the exchange log's own cost can be measured alone. */
  static final class NullRepository implements ExchangeRepository {
    private volatile long checkpoint;

    @Override
    public int append(List<Exchange> batch, long journalSeq) {
      checkpoint = Math.max(checkpoint, journalSeq);
      return batch.size();
    }

    @Override
    public long checkpoint() {
      return checkpoint;
    }

    @Override
    public List<Exchange> list(String accountId, Instant before, int limit) {
      return List.of();
    }

    @Override
    public ExchangeCounts counts(String accountId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long count() {
      return 0;
    }

    @Override
    public int deleteBefore(Instant cutoff) {
      return 0;
    }
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
