package io.distillguard.sim.http;

import io.distillguard.gateway.Gateway;
import io.distillguard.gateway.config.ConfigValidator;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A real gateway (replay mode, ephemeral ports, SQLite in a temporary directory) in front of a real builtin upstream,
 * for driving over HTTP in tests. Adds a {@code tiny} tier (one request a minute per account).
 */
public final class LiveGateway implements AutoCloseable {
  public static final String TOKEN = "sim-test-admin-token-0123456789";

  public final BuiltinUpstream upstream;
  public final JdbcStore store;
  public final Gateway gateway;

  private LiveGateway(Path dir, Consumer<GatewayConfig> tweak) {
    upstream = BuiltinUpstream.start(new BuiltinUpstreamOptions().host("127.0.0.1").port(0));
    GatewayConfig c = new GatewayConfig();
    c.dataDir = dir.toString();
    c.server.port = 0;
    c.server.eventLoops = 2;
    c.admin.port = 0;
    c.replay = true;
    c.exchangeLog.flushInterval = Duration.ofMillis(10);
    c.upstream.firstByteTimeout = Duration.ofSeconds(10);
    c.limits.tiers.put("tiny", GatewayConfig.Tier.of(GatewayConfig.LimitSet.of(1, 0, 0),
        GatewayConfig.LimitSet.of(0, 0, 0)));
    tweak.accept(c);
    ConfigValidator.validate(c);
    store = JdbcStore.openSqlite(dir);
    gateway = Gateway.builder(c, store).upstreamUrl(upstream.baseUrl()).adminToken(TOKEN).start();
  }

  public static LiveGateway start(Path dir) {
    return new LiveGateway(dir, c -> {});
  }

  public static LiveGateway start(Path dir, Consumer<GatewayConfig> tweak) {
    return new LiveGateway(dir, tweak);
  }

  public String dataUrl() {
    return "http://127.0.0.1:" + gateway.port();
  }

  public String adminUrl() {
    return "http://127.0.0.1:" + gateway.adminPort();
  }

  /** Waits until every exchange so far is in the store. */
  public void flush() {
    gateway.exchangeLog().flush(Duration.ofSeconds(10));
  }

  @Override
  public void close() {
    gateway.close();
    upstream.close();
    store.close();
  }
}
