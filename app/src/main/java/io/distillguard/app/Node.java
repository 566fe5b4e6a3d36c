package io.distillguard.app;

import io.distillguard.gateway.Gateway;
import io.distillguard.gateway.NodeName;
import io.distillguard.gateway.admin.AdminToken;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.Store;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.ui.Dashboard;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** One running DistillGuard node: store, optional builtin upstream, gateway. Closed in reverse order. */
final class Node implements AutoCloseable {
  final Store store;
  final BuiltinUpstream upstream;
  final Gateway gateway;
  final GatewayConfig config;

  private Node(GatewayConfig config, Store store, BuiltinUpstream upstream, Gateway gateway) {
    this.config = config;
    this.store = store;
    this.upstream = upstream;
    this.gateway = gateway;
  }

  /**
   * Starts a node.
   *
   * @param dataSets where the builtin upstream finds its answer corpus; null for its small built-in corpus
   */
  static Node start(GatewayConfig config, Path dataSets) {
    return start(config, dataSets, System.getenv(STORE_PASSWORD_ENV));
  }

  /** @param storePassword the PostgreSQL store's password (null for none or for SQLite); never logged */
  static Node start(GatewayConfig config, Path dataSets, String storePassword) {
    if (config.replay && !config.forceReplay && !isLoopback(config.server.host)) {
      throw new IllegalArgumentException("replay mode lets clients choose event times; it is refused on the "
          + "non-loopback address " + config.server.host + " unless --force-replay is given");
    }
    Path dataDir = Path.of(config.dataDir);
    Store store = openStore(config, dataDir, storePassword);
    BuiltinUpstream upstream = null;
    try {
      String url = config.upstream.url;
      if ("builtin".equals(url)) {
        BuiltinUpstreamOptions o = new BuiltinUpstreamOptions().host("127.0.0.1").port(0);
        if (dataSets != null) {
          o.dataDir(dataSets);
        }
        upstream = BuiltinUpstream.start(o);
        url = upstream.baseUrl();
      }
      String token = AdminToken.resolve(config.admin.token, System.getenv(AdminToken.ENV), dataDir);
      Gateway gateway = Gateway.builder(config, store).upstreamUrl(url).adminToken(token)
          .adminExtension((router, g) -> Dashboard.mount(router, g, store, config, new Dashboard.Options(dataDir,
              "1".equals(System.getenv("DISTILLGUARD_UI_SECURE_COOKIES")), java.time.Clock.systemUTC())))
          .start();
      return new Node(config, store, upstream, gateway);
    } catch (RuntimeException e) {
      if (upstream != null) {
        upstream.close();
      }
      store.close();
      throw e;
    }
  }

  /** Where the PostgreSQL store's password comes from (it is never read from the configuration file). */
  static final String STORE_PASSWORD_ENV = "DISTILLGUARD_STORE_PASSWORD";

  /**
   * The SQLite file in the data directory, or the PostgreSQL database {@code store.url} names. For PostgreSQL this
   * node's name is settled here ({@code store.node}, else generated into the data directory) and written back into
   * the configuration, so the store's journal checkpoint and the gateway's rate-limit sync use the same one.
   *
   * @param password the database password, or null; never logged
   */
  static Store openStore(GatewayConfig config, Path dataDir, String password) {
    GatewayConfig.StoreSettings s = config.store;
    if (s.url == null) {
      return JdbcStore.openSqlite(dataDir);
    }
    s.node = NodeName.resolve(s.node, dataDir);
    return JdbcStore.openPostgres(new JdbcStore.PostgresSettings(s.url, s.user, password, s.poolSize,
        s.connectionTimeout, s.node));
  }

  String dataUrl() {
    return "http://" + hostForUrl(config.server.host) + ":" + gateway.port();
  }

  /** The analyst dashboard (sign in with the admin token). */
  String dashboardUrl() {
    return adminUrl() + "/ui/";
  }

  String adminUrl() {
    return "http://" + hostForUrl(config.admin.host) + ":" + gateway.adminPort();
  }

  @Override
  public void close() {
    gateway.close();
    if (upstream != null) {
      upstream.close();
    }
    store.close();
  }

  private static String hostForUrl(String host) {
    return "0.0.0.0".equals(host) ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
