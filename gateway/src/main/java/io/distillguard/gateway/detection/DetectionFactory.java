package io.distillguard.gateway.detection;

import io.distillguard.core.Account;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.config.ConfigException;
import io.distillguard.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the detection engine a configuration describes: the model file named by {@code detection.model} (else the
 * model bundled with the release), with the configuration's level overrides and extra allow-listed accounts.
 */
public final class DetectionFactory {
  private DetectionFactory() {}

  /** The detector names a model may use. */
  public static List<String> available() {
    return DetectionModel.DETECTORS;
  }

  /**
   * The model the configuration asks for, overrides applied.
   *
   * @throws ConfigException naming {@code detection.model} (file missing or invalid) or the overridden keys
   */
  public static DetectionModel model(GatewayConfig.Detection c) {
    DetectionModel m;
    if (c.model == null || c.model.isBlank()) {
      m = DetectionModel.loadDefault();
    } else {
      try {
        m = DetectionModel.load(Path.of(c.model));
      } catch (IllegalArgumentException e) { // InvalidModelException and bad paths
        throw new ConfigException("detection.model: " + e.getMessage());
      }
    }
    Map<RiskLevel, Double> thresholds = new EnumMap<>(RiskLevel.class);
    put(thresholds, RiskLevel.WATCH, c.watch);
    put(thresholds, RiskLevel.THROTTLE, c.throttle);
    put(thresholds, RiskLevel.DEGRADE, c.degrade);
    put(thresholds, RiskLevel.BLOCK, c.block);
    Map<RiskLevel, Long> evidence = new EnumMap<>(RiskLevel.class);
    if (c.minEvidenceThrottle != null) {
      // as before models: the throttle minimum also holds for degrade (a harsher action never needs less evidence)
      evidence.put(RiskLevel.THROTTLE, c.minEvidenceThrottle);
      evidence.put(RiskLevel.DEGRADE, Math.max(c.minEvidenceThrottle, m.minEvidence().get(RiskLevel.DEGRADE)));
    }
    if (c.minEvidenceBlock != null) {
      evidence.put(RiskLevel.BLOCK, c.minEvidenceBlock);
    }
    if (!thresholds.isEmpty() || !evidence.isEmpty()) {
      try {
        m = m.withLevels(thresholds, evidence);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("detection: the overrides (watch, throttle, degrade, block, min-evidence-*) do "
            + "not fit the model's levels: " + e.getMessage());
      }
    }
    if (c.allowlist != null && !c.allowlist.isEmpty()) {
      try {
        m = m.withAllowlist(new HashSet<>(c.allowlist));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("detection.allowlist: " + e.getMessage());
      }
    }
    return m;
  }

  /** An engine that gives every account the model's default levels (no tier known). */
  public static DetectionEngine engine(GatewayConfig.Detection c) {
    return model(c).newEngine();
  }

  /**
   * An engine that holds each account to its tier's levels ({@code tier.<tier>.*} of the model), learning the tier
   * from the gateway's in-memory account directory (never the store: detection must not wait on I/O).
   */
  public static DetectionEngine engine(GatewayConfig.Detection c, AccountDirectory directory) {
    return model(c).newEngine(id -> {
      Account a = directory.account(id);
      return a == null ? null : a.tier();
    }, Set.of());
  }

  private static void put(Map<RiskLevel, Double> m, RiskLevel level, Double v) {
    if (v != null) {
      m.put(level, v);
    }
  }
}
