package io.distillguard.core.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A learned combination of signals: {@code score = sigmoid(bias + Σ w_i·s_i + Σ w_ab·s_a·s_b)}, the weights fitted by
 * logistic regression on simulated traffic (see {@code docs/detection.md} and {@link DetectionModel}).
 *
 * <p>Each signal's contribution is its share of the positive logit mass: the terms {@code w_i·s_i} that push the
 * score up (an interaction term counted half to each of its two signals), scaled so the contributions add up to the
 * score. A signal with a negative weight (evidence of ordinary use) contributes 0. So "templates +0.41, conversation
 * +0.33" reads as: of a score of 0.74, templates explains 0.41 and single-turn use 0.33.
 *
 * <p>{@link #combine} does not allocate once it has seen the detector-name array (the engine passes the same array on
 * every call). Thread-safe.
 */
public final class LogisticScorer implements Scorer {
  /** Logits are clamped here so scores stay strictly inside (0, 1) and never overflow. */
  private static final double MAX_LOGIT = 30;

  /**
   * A pairwise term {@code weight·s_a·s_b}: evidence that counts only when both signals are present.
   *
   * @param a first detector name
   * @param b second detector name
   */
  public record Interaction(String a, String b, double weight) {
    public Interaction {
      Objects.requireNonNull(a, "a");
      Objects.requireNonNull(b, "b");
      if (a.equals(b)) {
        throw new IllegalArgumentException("interaction of '" + a + "' with itself");
      }
      if (!Double.isFinite(weight)) {
        throw new IllegalArgumentException("interaction weight must be finite: " + weight);
      }
    }

    /** {@code a*b}, the key used in model files. */
    public String name() {
      return a + "*" + b;
    }
  }

  private final double bias;
  private final Map<String, Double> weights;
  private final List<Interaction> interactions;
  /** Weights resolved for the last detector-name array seen, so {@link #combine} needs no map lookups. */
  private volatile Binding binding;

  private record Binding(String[] names, double[] w, int[] ia, int[] ib, double[] wi) {}

  /**
   * @param bias         intercept (logit of an account with no signal at all)
   * @param weights      per detector name, in logit units per unit of suspicion; detectors not named weigh 0
   * @param interactions pairwise terms (may be empty)
   */
  public LogisticScorer(double bias, Map<String, Double> weights, List<Interaction> interactions) {
    if (!Double.isFinite(bias)) {
      throw new IllegalArgumentException("bias must be finite: " + bias);
    }
    this.bias = bias;
    Map<String, Double> w = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new IllegalArgumentException("weight of '" + e.getKey() + "' must be finite: " + e.getValue());
      }
      w.put(Objects.requireNonNull(e.getKey()), e.getValue());
    }
    this.weights = java.util.Collections.unmodifiableMap(w);
    this.interactions = List.copyOf(interactions);
  }

  public double bias() {
    return bias;
  }

  /** Weights by detector name, in the order given. */
  public Map<String, Double> weights() {
    return weights;
  }

  public List<Interaction> interactions() {
    return interactions;
  }

  /** The logistic function, with the logit clamped to ±{@value #MAX_LOGIT}. */
  public static double sigmoid(double z) {
    double c = Math.max(-MAX_LOGIT, Math.min(MAX_LOGIT, z));
    return 1 / (1 + Math.exp(-c));
  }

  /** The inverse of {@link #sigmoid}, for reading scores as logits. */
  public static double logit(double p) {
    double c = Math.max(1e-13, Math.min(1 - 1e-13, p));
    return Math.log(c / (1 - c));
  }

  @Override
  public double combine(String[] detectors, double[] suspicions) {
    Binding b = binding;
    if (b == null || (b.names != detectors && !Arrays.equals(b.names, detectors))) {
      b = bind(detectors);
      binding = b;
    }
    double z = bias;
    double[] w = b.w;
    for (int i = 0; i < w.length; i++) {
      z += w[i] * suspicions[i];
    }
    int[] ia = b.ia;
    for (int k = 0; k < ia.length; k++) {
      z += b.wi[k] * suspicions[ia[k]] * suspicions[b.ib[k]];
    }
    return sigmoid(z);
  }

  private Binding bind(String[] detectors) {
    String[] names = detectors.clone();
    double[] w = new double[names.length];
    for (int i = 0; i < names.length; i++) {
      w[i] = weights.getOrDefault(names[i], 0.0);
    }
    List<int[]> pairs = new ArrayList<>();
    List<Double> pw = new ArrayList<>();
    for (Interaction x : interactions) {
      int a = indexOf(names, x.a());
      int c = indexOf(names, x.b());
      if (a >= 0 && c >= 0) {
        pairs.add(new int[] {a, c});
        pw.add(x.weight());
      }
    }
    int[] ia = new int[pairs.size()];
    int[] ib = new int[pairs.size()];
    double[] wi = new double[pairs.size()];
    for (int k = 0; k < ia.length; k++) {
      ia[k] = pairs.get(k)[0];
      ib[k] = pairs.get(k)[1];
      wi[k] = pw.get(k);
    }
    return new Binding(names, w, ia, ib, wi);
  }

  private static int indexOf(String[] names, String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public RiskScore score(List<Signal> signals) {
    int n = signals.size();
    String[] names = new String[n];
    double[] s = new double[n];
    long evidence = 0;
    for (int i = 0; i < n; i++) {
      Signal sig = signals.get(i);
      names[i] = sig.detector();
      s[i] = sig.suspicion();
      evidence = Math.max(evidence, sig.evidence());
    }
    double[] terms = new double[n];
    double z = bias;
    for (int i = 0; i < n; i++) {
      terms[i] = weights.getOrDefault(names[i], 0.0) * s[i];
      z += terms[i];
    }
    for (Interaction x : interactions) {
      int a = indexOf(names, x.a());
      int b = indexOf(names, x.b());
      if (a >= 0 && b >= 0) {
        double t = x.weight() * s[a] * s[b];
        z += t;
        terms[a] += t / 2;
        terms[b] += t / 2;
      }
    }
    double score = sigmoid(z);
    double positive = 0;
    for (double t : terms) {
      positive += Math.max(0, t);
    }
    List<Reason> reasons = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Signal sig = signals.get(i);
      if (sig.suspicion() > 0) {
        double c = positive == 0 ? 0 : score * Math.max(0, terms[i]) / positive;
        reasons.add(new Reason(sig.detector(), sig.suspicion(), c, sig.explanation()));
      }
    }
    reasons.sort(Comparator.comparingDouble(Reason::contribution).reversed());
    return new RiskScore(score, RiskLevel.NONE, evidence, reasons);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("LogisticScorer[bias=").append(bias);
    weights.forEach((k, v) -> sb.append(", ").append(k).append('=').append(v));
    for (Interaction x : interactions) {
      sb.append(", ").append(x.name()).append('=').append(x.weight());
    }
    return sb.append(']').toString();
  }
}
