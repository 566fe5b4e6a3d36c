package io.distillguard.core.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Treats each weighted signal as independent evidence: {@code score = 1 - Π(1 - w·s)}. A single strong signal can
 * carry the score, several moderate ones add up, and the contributions (each signal's share of
 * {@code Σ -log(1 - w·s)}) explain it.
 */
public final class NoisyOrScorer implements Scorer {
  private final Map<String, Double> weights;
  private final double defaultWeight;

  /** @param weights per detector name; detectors not named get {@code defaultWeight} */
  public NoisyOrScorer(Map<String, Double> weights, double defaultWeight) {
    this.weights = Map.copyOf(weights);
    this.defaultWeight = defaultWeight;
  }

  @Override
  public double combine(String[] detectors, double[] suspicions) {
    double logKeep = 0;
    for (int i = 0; i < suspicions.length; i++) {
      double p = Math.min(0.999999, weights.getOrDefault(detectors[i], defaultWeight) * suspicions[i]);
      logKeep += -Math.log1p(-p);
    }
    return 1 - Math.exp(-logKeep);
  }

  @Override
  public RiskScore score(List<Signal> signals) {
    double logKeep = 0;
    long evidence = 0;
    double[] parts = new double[signals.size()];
    for (int i = 0; i < signals.size(); i++) {
      Signal s = signals.get(i);
      double p = Math.min(0.999999, weights.getOrDefault(s.detector(), defaultWeight) * s.suspicion());
      parts[i] = -Math.log1p(-p);
      logKeep += parts[i];
      evidence = Math.max(evidence, s.evidence());
    }
    double score = 1 - Math.exp(-logKeep);
    List<Reason> reasons = new ArrayList<>();
    for (int i = 0; i < signals.size(); i++) {
      Signal s = signals.get(i);
      if (s.suspicion() > 0) {
        reasons.add(new Reason(s.detector(), s.suspicion(), logKeep == 0 ? 0 : score * parts[i] / logKeep,
            s.explanation()));
      }
    }
    reasons.sort(Comparator.comparingDouble(Reason::contribution).reversed());
    return new RiskScore(score, RiskLevel.NONE, evidence, reasons);
  }
}
