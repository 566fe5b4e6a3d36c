package io.distillguard.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distillguard.gateway.config.ConfigException;
import io.distillguard.gateway.config.ConfigLoader;
import io.distillguard.gateway.config.ConfigValidator;
import io.distillguard.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the effective configuration in three layers: the YAML file (if any), then environment variables, then
 * command-line flags. The result is validated as a whole.
 */
final class ConfigSources {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigSources() {}

  /** Command-line values; null means "not given". */
  record Flags(Integer port, Integer adminPort, String upstream, String dataDir, Boolean replay, Boolean forceReplay,
      String host) {}

  static GatewayConfig resolve(Path file, Map<String, String> env, Flags flags) {
    GatewayConfig c = file == null ? new GatewayConfig() : ConfigLoader.load(file, YAML);
    applyEnv(c, env);
    if (flags.port() != null) {
      c.server.port = flags.port();
    }
    if (flags.adminPort() != null) {
      c.admin.port = flags.adminPort();
    }
    if (flags.upstream() != null) {
      c.upstream.url = flags.upstream();
    }
    if (flags.dataDir() != null) {
      c.dataDir = flags.dataDir();
    }
    if (flags.replay() != null) {
      c.replay = flags.replay();
    }
    if (flags.forceReplay() != null) {
      c.forceReplay = flags.forceReplay();
    }
    if (flags.host() != null) {
      c.server.host = flags.host();
    }
    ConfigValidator.validate(c);
    return c;
  }

  private static void applyEnv(GatewayConfig c, Map<String, String> env) {
    String v;
    if ((v = env.get("DISTILLGUARD_PORT")) != null) {
      c.server.port = intVar("DISTILLGUARD_PORT", v);
    }
    if ((v = env.get("DISTILLGUARD_ADMIN_PORT")) != null) {
      c.admin.port = intVar("DISTILLGUARD_ADMIN_PORT", v);
    }
    if ((v = env.get("DISTILLGUARD_UPSTREAM")) != null) {
      c.upstream.url = v;
    }
    if ((v = env.get("DISTILLGUARD_UPSTREAM_API_KEY")) != null) {
      c.upstream.apiKey = v;
    }
    if ((v = env.get("DISTILLGUARD_DATA_DIR")) != null) {
      c.dataDir = v;
    }
    // The store's password has no setting: Node reads DISTILLGUARD_STORE_PASSWORD itself, so it is never in a file.
    if ((v = env.get("DISTILLGUARD_STORE_URL")) != null) {
      c.store.url = v;
    }
    if ((v = env.get("DISTILLGUARD_STORE_USER")) != null) {
      c.store.user = v;
    }
  }

  private static int intVar(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + ": '" + value + "' is not a number");
    }
  }
}
