package io.distillguard.app;

import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillguard builtin-upstream}: run the stand-in model server on its own, for tests and benchmarks. */
@Command(name = "builtin-upstream", mixinStandardHelpOptions = true,
    description = "Run the builtin OpenAI-compatible stand-in server (retrieves canned answers; not a model).")
final class UpstreamCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "9090", description = "port (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory for the answer corpus")
  String dataSets;

  @Option(names = "--token-delay-ms", defaultValue = "0", description = "pause between streamed tokens")
  long tokenDelayMs;

  @Option(names = "--fixed-response", description = "answer every request with this text (cheapest mode)")
  String fixedResponse;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535");
    }
    if (tokenDelayMs < 0) {
      throw new IllegalArgumentException("--token-delay-ms must not be negative");
    }
    BuiltinUpstreamOptions o = new BuiltinUpstreamOptions().host(host).port(port)
        .tokenDelay(Duration.ofMillis(tokenDelayMs));
    if (fixedResponse != null) {
      o.fixedResponse(fixedResponse);
    }
    var dir = DataSets.locate(dataSets);
    if (dir != null && fixedResponse == null) {
      o.dataDir(dir);
    }
    BuiltinUpstream up = BuiltinUpstream.start(o);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      up.close();
      stopped.countDown();
    }));
    System.out.println("builtin upstream (stand-in, not a model) listening on " + up.baseUrl());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
