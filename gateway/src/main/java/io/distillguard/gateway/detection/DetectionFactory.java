package io.distillguard.gateway.detection;

import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.NoisyOrScorer;
import io.distillguard.core.detect.Policy;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detectors.ConversationDetector;
import io.distillguard.core.detectors.CoverageDetector;
import io.distillguard.core.detectors.HarvestParamsDetector;
import io.distillguard.core.detectors.LanguageDetector;
import io.distillguard.core.detectors.PaceDetector;
import io.distillguard.core.detectors.ReasoningDetector;
import io.distillguard.core.detectors.TemplateDetector;
import io.distillguard.core.detectors.TimingDetector;
import io.distillguard.gateway.config.ConfigException;
import io.distillguard.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/** Builds the detection engine a configuration describes. */
public final class DetectionFactory {
  private DetectionFactory() {}

  /** The detector names a configuration may use. */
  public static List<String> available() {
    return List.of(ReasoningDetector.NAME, TemplateDetector.NAME, CoverageDetector.NAME, HarvestParamsDetector.NAME,
        ConversationDetector.NAME, TimingDetector.NAME, LanguageDetector.NAME, PaceDetector.NAME);
  }

  public static DetectionEngine engine(GatewayConfig.Detection c) {
    List<Detector<?>> detectors = new ArrayList<>();
    for (String name : c.weights.keySet()) {
      detectors.add(detector(name, c));
    }
    Policy policy = new Policy(
        Map.of(RiskLevel.WATCH, c.watch, RiskLevel.THROTTLE, c.throttle, RiskLevel.DEGRADE, c.degrade,
            RiskLevel.BLOCK, c.block),
        Map.of(RiskLevel.THROTTLE, c.minEvidenceThrottle, RiskLevel.DEGRADE, c.minEvidenceThrottle,
            RiskLevel.BLOCK, c.minEvidenceBlock),
        new HashSet<>(c.allowlist));
    return new DetectionEngine(detectors, new NoisyOrScorer(c.weights, 0), policy);
  }

  static Detector<?> detector(String name, GatewayConfig.Detection c) {
    switch (name) {
      case ReasoningDetector.NAME: return new ReasoningDetector();
      case TemplateDetector.NAME: return new TemplateDetector();
      case CoverageDetector.NAME: return new CoverageDetector();
      case HarvestParamsDetector.NAME: return new HarvestParamsDetector();
      case ConversationDetector.NAME: return new ConversationDetector();
      case TimingDetector.NAME: return new TimingDetector();
      case LanguageDetector.NAME: return new LanguageDetector();
      case PaceDetector.NAME: return new PaceDetector(c.paceRequestsPerDay, c.paceTokensPerDay);
      default:
        throw new ConfigException("detection.weights: unknown detector '" + name + "'; available: "
            + String.join(", ", available()));
    }
  }
}
