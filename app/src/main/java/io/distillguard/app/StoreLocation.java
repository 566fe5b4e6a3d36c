package io.distillguard.app;

import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.Store;
import io.distillguard.store.jdbc.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which store an offline command ({@code report}, {@code verify-audit}) reads: the SQLite file of {@code --data-dir},
 * or, with {@code --config}, the store that configuration names — the PostgreSQL database gateway nodes share when it
 * sets {@code store.url} (its password from {@value Node#STORE_PASSWORD_ENV}, as for {@code serve}).
 */
final class StoreLocation {
  private final GatewayConfig config;
  private final Path dataDir;
  private final String password;

  private StoreLocation(GatewayConfig config, Path dataDir, String password) {
    this.config = config;
    this.dataDir = dataDir;
    this.password = password;
  }

  /** @param configFile the gateway's configuration, or null to read {@code dataDir}'s SQLite file */
  static StoreLocation of(Path configFile, Path dataDir, Map<String, String> env) {
    if (configFile == null) {
      return new StoreLocation(null, dataDir, null);
    }
    GatewayConfig c = ConfigSources.resolve(configFile, env, new ConfigSources.Flags(null, null, null,
        dataDir == null ? null : dataDir.toString(), null, null, null));
    return new StoreLocation(c, Path.of(c.dataDir), env.get(Node.STORE_PASSWORD_ENV));
  }

  /** The data directory (case files and probe results live there whatever the store). */
  Path dataDir() {
    return dataDir;
  }

  /** Why there is nothing to open, or null when there is. */
  String missing() {
    if (config != null && config.store.url != null) {
      return null;
    }
    return Files.exists(dataDir.resolve(JdbcStore.SQLITE_FILE)) ? null
        : "no DistillGuard store in " + dataDir.toAbsolutePath() + " (use --data-dir, or --config for a shared store)";
  }

  /** Opens the store; the caller closes it. */
  Store open() {
    if (config == null) {
      return JdbcStore.openSqlite(dataDir);
    }
    return Node.openStore(config, dataDir, password);
  }
}
