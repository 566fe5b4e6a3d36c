package io.distillguard.app;

import io.distillguard.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillguard serve}: run the gateway until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the gateway in front of a model server until interrupted.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file")
  Path config;

  @Option(names = "--port", description = "data-plane port (default 8080)")
  Integer port;

  @Option(names = "--admin-port", description = "admin API port (default 8081)")
  Integer adminPort;

  @Option(names = "--host", description = "data-plane bind address (default 127.0.0.1)")
  String host;

  @Option(names = "--upstream", paramLabel = "URL|builtin",
      description = "base URL of the OpenAI-compatible model server including /v1, or 'builtin' for the stand-in")
  String upstream;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "where the store and journal live")
  String dataDir;

  @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory (builtin upstream corpus)")
  String dataSets;

  @Option(names = "--replay", description = "take event times from the X-DistillGuard-Event-Time header")
  Boolean replay;

  @Option(names = "--force-replay", description = "allow --replay on a non-loopback address")
  Boolean forceReplay;

  @Override
  public Integer call() throws Exception {
    GatewayConfig c = ConfigSources.resolve(config, System.getenv(),
        new ConfigSources.Flags(port, adminPort, upstream, dataDir, replay, forceReplay, host));
    Node node = Node.start(c, DataSets.locate(dataSets));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "shutdown"));
    System.out.println("DistillGuard gateway listening on " + node.dataUrl() + "/v1");
    System.out.println("  admin API:   " + node.adminUrl() + "/admin/v1 (token in "
        + Path.of(c.dataDir).toAbsolutePath().resolve("admin-token") + " unless set)");
    System.out.println("  metrics:     " + node.adminUrl() + "/metrics");
    System.out.println("  store:       " + (c.store.url == null
        ? "SQLite in " + Path.of(c.dataDir).toAbsolutePath()
        : "PostgreSQL " + c.store.url.replaceAll("\\?.*", "?...") + " (node " + c.store.node + ", rate limits "
            + c.limits.backend + ")"));
    System.out.println("  dashboard:   " + node.dashboardUrl() + " (sign in with the admin token)");
    System.out.println("  upstream:    " + (node.upstream != null
        ? node.upstream.baseUrl() + " (builtin stand-in, not a model)" : c.upstream.url));
    if (c.replay) {
      System.out.println("  replay mode: event times come from X-DistillGuard-Event-Time");
    }
    System.out.flush();
    stopped.await();
    return 0;
  }
}
