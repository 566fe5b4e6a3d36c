package io.distillguard.gateway.config;

import io.distillguard.gateway.net.TrustedProxies;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Checks a {@link GatewayConfig} as a whole; the first problem found is thrown, naming its field. */
public final class ConfigValidator {
  static final long MAX_PER_MINUTE = 1_000_000_000L;
  private ConfigValidator() {}

  public static GatewayConfig validate(GatewayConfig c) {
    require(c.server != null, "server", "is missing");
    port("server.port", c.server.port);
    require(notBlank(c.server.host), "server.host", "must not be empty");
    require(c.server.maxBodyBytes >= 1024, "server.max-body-bytes", "must be at least 1024");
    require(c.server.eventLoops >= 0, "server.event-loops", "must be 0 (one per core) or more");
    require(c.admin != null, "admin", "is missing");
    port("admin.port", c.admin.port);
    require(notBlank(c.admin.host), "admin.host", "must not be empty");
    if (c.admin.port != 0 && c.admin.port == c.server.port && c.admin.host.equals(c.server.host)) {
      throw new ConfigException("admin.port: must differ from server.port");
    }
    require(c.admin.token == null || c.admin.token.isEmpty() || c.admin.token.length() >= 16,
        "admin.token", "must be at least 16 characters");
    require(c.upstream != null, "upstream", "is missing");
    require(notBlank(c.upstream.url), "upstream.url", "must be a URL or 'builtin'");
    if (!"builtin".equals(c.upstream.url)) {
      try {
        URI u = URI.create(c.upstream.url);
        require("http".equals(u.getScheme()) || "https".equals(u.getScheme()), "upstream.url",
            "must start with http:// or https://");
        require(u.getHost() != null, "upstream.url", "has no host");
      } catch (IllegalArgumentException e) {
        throw new ConfigException("upstream.url: not a valid URL: " + e.getMessage());
      }
    }
    positive("upstream.connect-timeout", c.upstream.connectTimeout);
    positive("upstream.first-byte-timeout", c.upstream.firstByteTimeout);
    positive("upstream.idle-timeout", c.upstream.idleTimeout);
    require(c.upstream.maxConnections >= 1, "upstream.max-connections", "must be at least 1");
    require(c.upstream.maxResponseBytes >= 1024, "upstream.max-response-bytes", "must be at least 1024");
    require(notBlank(c.dataDir), "data-dir", "must not be empty");
    require(c.trustedProxies != null, "trusted-proxies", "must be a list (may be empty)");
    for (int i = 0; i < c.trustedProxies.size(); i++) {
      try {
        TrustedProxies.parseCidr(c.trustedProxies.get(i));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("trusted-proxies[" + i + "]: " + e.getMessage());
      }
    }
    require(c.limits != null && c.limits.tiers != null, "limits.tiers", "is missing");
    require(c.limits.tiers.containsKey("default"), "limits.tiers", "must define a 'default' tier");
    for (Map.Entry<String, GatewayConfig.Tier> e : c.limits.tiers.entrySet()) {
      String p = "limits.tiers." + e.getKey();
      require(e.getValue() != null, p, "is empty");
      limitSet(p + ".account", e.getValue().account);
      limitSet(p + ".key", e.getValue().key);
    }
    limitSet("limits.throttled", c.limits.throttled);
    store(c.store);
    require("local".equals(c.limits.backend) || "postgresql".equals(c.limits.backend), "limits.backend",
        "must be local or postgresql");
    require(!"postgresql".equals(c.limits.backend) || c.store.url != null, "limits.backend",
        "postgresql needs store.url (the PostgreSQL store the nodes share)");
    require(c.limits.syncInterval != null && c.limits.syncInterval.toMillis() >= 50
        && c.limits.syncInterval.compareTo(Duration.ofMinutes(1)) <= 0, "limits.sync-interval",
        "must be between 50ms and 1m");
    require(c.linkage != null, "linkage", "is missing");
    require(c.linkage.interval != null && !c.linkage.interval.isNegative() && !c.linkage.interval.isZero(),
        "linkage.interval", "must be a positive duration");
    require(c.linkage.queueCapacity > 0, "linkage.queue-capacity", "must be positive");
    require(c.linkage.threads >= 1 && c.linkage.threads <= 64, "linkage.threads", "must be 1 to 64");
    GatewayConfig.Detection d = c.detection;
    require(d != null, "detection", "is missing");
    fraction("detection.watch", d.watch);
    fraction("detection.throttle", d.throttle);
    fraction("detection.degrade", d.degrade);
    fraction("detection.block", d.block);
    require(d.minEvidenceThrottle == null || d.minEvidenceThrottle >= 0, "detection.min-evidence-throttle",
        "must be 0 or more");
    require(d.minEvidenceBlock == null || d.minEvidenceBlock >= 0, "detection.min-evidence-block",
        "must be 0 or more");
    require(d.allowlist != null, "detection.allowlist", "must be a list (may be empty)");
    if (d.enabled) {
      // loads the model file and applies the overrides: a missing or invalid file, or overrides that break the
      // order of the levels, fail here with the key named
      io.distillguard.gateway.detection.DetectionFactory.model(d);
    }
    require(d.queueCapacity >= 1, "detection.queue-capacity", "must be at least 1");
    GatewayConfig.Provenance pv = c.provenance;
    require(pv != null, "provenance", "is missing");
    require("account".equals(pv.keys) || "global".equals(pv.keys), "provenance.keys", "must be account or global");
    require(pv.masterSecret == null || pv.masterSecret.trim().length() >= 16, "provenance.master-secret",
        "must be 16 characters at least (or unset: DISTILLGUARD_WATERMARK_SECRET or a generated one)");
    require(pv.strength != null, "provenance.strength", "must map account statuses to strengths");
    for (Map.Entry<String, Double> e : pv.strength.entrySet()) {
      boolean known = java.util.Arrays.stream(io.distillguard.core.AccountStatus.values())
          .anyMatch(st -> st.name().equalsIgnoreCase(e.getKey()));
      require(known, "provenance.strength." + e.getKey(), "is not an account status");
      require(e.getValue() != null && e.getValue() >= 0 && e.getValue() <= 1, "provenance.strength." + e.getKey(),
          "must be between 0 and 1");
    }
    alerts(c.alerts);
    GatewayConfig.ExchangeLog l = c.exchangeLog;
    require(l != null, "exchange-log", "is missing");
    require(l.queueCapacity >= 1, "exchange-log.queue-capacity", "must be at least 1");
    require(l.batchSize >= 1, "exchange-log.batch-size", "must be at least 1");
    positive("exchange-log.flush-interval", l.flushInterval);
    require(l.retentionDays >= 0, "exchange-log.retention-days", "must be 0 (keep forever) or more");
    require(l.segmentBytes >= 64 * 1024, "exchange-log.segment-bytes", "must be at least 65536");
    KafkaConfigValidator.validate(c);
    return c;
  }

  private static void store(GatewayConfig.StoreSettings s) {
    require(s != null, "store", "is missing");
    if (s.url != null) {
      // The URL is echoed only up to its query string, which may carry credentials.
      int q = s.url.indexOf('?');
      require(s.url.startsWith("jdbc:postgresql://") && s.url.length() > "jdbc:postgresql://".length(), "store.url",
          "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), not '"
              + (q < 0 ? s.url : s.url.substring(0, q) + "?...") + "'");
      require(!s.url.toLowerCase(java.util.Locale.ROOT).contains("password="), "store.url",
          "must not carry a password: set DISTILLGUARD_STORE_PASSWORD");
    }
    require(s.user == null || !s.user.isBlank(), "store.user", "must not be empty (or leave it unset)");
    require(s.poolSize >= 1 && s.poolSize <= 200, "store.pool-size", "must be between 1 and 200");
    require(s.connectionTimeout != null && s.connectionTimeout.toMillis() >= 250, "store.connection-timeout",
        "must be at least 250ms");
    require(s.node == null || s.node.matches("[A-Za-z0-9._-]{1,64}"), "store.node",
        "must be 1 to 64 letters, digits, dots, underscores or dashes");
  }

  private static void limitSet(String path, GatewayConfig.LimitSet l) {
    require(l != null, path, "is missing");
    // Bucket4j keeps nanosecond arithmetic on the refill rate; far beyond any real limit it overflows and every
    // request would fail, so anything above a billion a minute is refused here (0 means unlimited).
    require(l.requestsPerMinute >= 0 && l.requestsPerMinute <= MAX_PER_MINUTE, path + ".requests-per-minute",
        "must be 0 (unlimited) or between 1 and " + MAX_PER_MINUTE);
    require(l.tokensPerMinute >= 0 && l.tokensPerMinute <= MAX_PER_MINUTE, path + ".tokens-per-minute",
        "must be 0 (unlimited) or between 1 and " + MAX_PER_MINUTE);
    require(l.concurrent >= 0, path + ".concurrent", "must be 0 (unlimited) or more");
  }

  private static void fraction(String path, Double v) {
    require(v == null || (v > 0 && v < 1), path, "must be between 0 and 1 (exclusive), or unset to use the model's");
  }

  private static void port(String path, int port) {
    require(port >= 0 && port <= 65535, path, "must be between 0 and 65535");
  }

  private static void positive(String path, Duration d) {
    require(d != null && !d.isNegative() && !d.isZero(), path, "must be a positive duration such as 500ms or 30s");
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  private static void require(boolean ok, String path, String problem) {
    if (!ok) {
      throw new ConfigException(path + ": " + problem);
    }
  }

  private static void alerts(GatewayConfig.Alerts a) {
    require(a != null && a.webhooks != null, "alerts.webhooks", "must be a list (may be empty)");
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < a.webhooks.size(); i++) {
      GatewayConfig.Webhook w = a.webhooks.get(i);
      String p = "alerts.webhooks[" + i + "]";
      require(w != null, p, "is empty");
      require(notBlank(w.name) && names.add(w.name), p + ".name", "must be set and unique");
      require(notBlank(w.url), p + ".url", "must be an http:// or https:// URL");
      try {
        URI u = URI.create(w.url);
        require(("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
            p + ".url", "must be an http:// or https:// URL with a host");
      } catch (IllegalArgumentException e) {
        throw new ConfigException(p + ".url: not a valid URL: " + e.getMessage());
      }
      require(w.minLevel != null && java.util.List.of("watch", "throttle", "degrade", "block").contains(w.minLevel),
          p + ".min-level", "must be watch, throttle, degrade or block");
      require(w.cooldown != null && !w.cooldown.isNegative(), p + ".cooldown", "must be zero or a positive duration");
      require(w.maxAttempts >= 1 && w.maxAttempts <= 20, p + ".max-attempts", "must be 1 to 20");
      positive(p + ".initial-backoff", w.initialBackoff);
      positive(p + ".max-backoff", w.maxBackoff);
      positive(p + ".timeout", w.timeout);
      require(w.headers != null, p + ".headers", "must be a map (may be empty)");
    }
  }
}
