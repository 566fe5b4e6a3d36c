package io.distillguard.core.detect;

import io.distillguard.core.detectors.VolumeThresholdDetector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A named detection configuration: the detectors, the scorer that combines their signals and the policy that turns
 * the score into an action. The evaluation harness, the gateway and the command line pick sets by name
 * ({@code --detectors baseline}); {@link #register} adds more.
 *
 * <p>A set is immutable; {@link #newEngine} gives a fresh {@link DetectionEngine} (with its own per-account state)
 * each time, so one set can drive several independent runs.
 */
public final class DetectorSet {
  /** Name of the baseline set every evaluation report compares against. */
  public static final String BASELINE = "baseline";
  /** Name of the calibrated model bundled with the core library ({@link DetectionModel#loadDefault()}). */
  public static final String DEFAULT = "default";

  /**
   * Daily request threshold of the baseline: more than 5,000 requests in 24 hours. The default tier allows 600
   * requests a minute, so a single account could send far more. In the {@code week-10k} scenario the busiest ordinary
   * customer sends at most 3,844 requests in any 24 hours, so none is flagged; of the default tier's legitimate heavy
   * users, researchers (at most 1,823) and most benchmark runners (1,192 to 2,744, one at 5,980) stay below it while
   * product integrations (10,284 and 14,753) cross it: the baseline flags heavy users, as a fixed volume rule does in
   * practice, but not all of them. See {@code docs/evaluation.md}.
   */
  public static final long BASELINE_REQUESTS_PER_DAY = 5_000;

  private static final Map<String, Registration> REGISTRY = new LinkedHashMap<>();

  private record Registration(String description, Supplier<DetectorSet> factory) {}

  static {
    register(BASELINE, "volume threshold only: more than " + BASELINE_REQUESTS_PER_DAY
        + " requests in 24 hours blocks the account", DetectorSet::baseline);
    register(DEFAULT, "the calibrated logistic model shipped with the core library (default-model.properties), "
        + "as the gateway runs it", () -> DetectionModel.loadDefault().detectorSet(DEFAULT));
  }

  private final String name;
  private final String description;
  private final List<Detector<?>> detectors;
  private final Scorer scorer;
  private final Policy policy;

  public DetectorSet(String name, String description, List<? extends Detector<?>> detectors, Scorer scorer,
      Policy policy) {
    this.name = requireName(name);
    this.description = description == null ? "" : description;
    this.detectors = List.copyOf(detectors);
    this.scorer = Objects.requireNonNull(scorer, "scorer");
    this.policy = Objects.requireNonNull(policy, "policy");
    if (this.detectors.isEmpty()) {
      throw new IllegalArgumentException("a detector set needs at least one detector");
    }
    Set<String> seen = new HashSet<>();
    for (Detector<?> d : this.detectors) {
      if (!seen.add(d.name())) {
        throw new IllegalArgumentException("detector '" + d.name() + "' appears twice in set '" + name + "'");
      }
    }
  }

  /**
   * The naive baseline: {@link VolumeThresholdDetector} at {@link #BASELINE_REQUESTS_PER_DAY}, weight 1, and a
   * policy under which its signal (0 or 1) goes straight to {@code BLOCK}. There is no evidence minimum: crossing the
   * threshold is itself thousands of exchanges.
   */
  public static DetectorSet baseline() {
    Policy policy = new Policy(Map.of(RiskLevel.WATCH, 0.5, RiskLevel.THROTTLE, 0.6, RiskLevel.DEGRADE, 0.7,
        RiskLevel.BLOCK, 0.8), Map.of(), Set.of());
    return new DetectorSet(BASELINE, "volume threshold only (" + BASELINE_REQUESTS_PER_DAY + " requests/24 h → block)",
        List.of(new VolumeThresholdDetector(BASELINE_REQUESTS_PER_DAY)),
        new NoisyOrScorer(Map.of(VolumeThresholdDetector.NAME, 1.0), 1.0), policy);
  }

  /**
   * Registers a set under a name (lower-case letters, digits and {@code -}), replacing an earlier registration of
   * that name. The factory runs on every {@link #named} call.
   */
  public static synchronized void register(String name, String description, Supplier<DetectorSet> factory) {
    REGISTRY.put(requireName(name), new Registration(description == null ? "" : description,
        Objects.requireNonNull(factory, "factory")));
  }

  /** Names of the registered sets, in registration order. */
  public static synchronized List<String> available() {
    return List.copyOf(REGISTRY.keySet());
  }

  /** The one-line description a set was registered with, or null for an unknown name. */
  public static synchronized String describe(String name) {
    Registration r = REGISTRY.get(name);
    return r == null ? null : r.description();
  }

  /**
   * The set for a name, or for a comma-separated list of names (combined with {@link #combine}).
   *
   * @throws IllegalArgumentException naming the available sets when a name is unknown
   */
  public static DetectorSet named(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("no detector set named; available: " + String.join(", ", available()));
    }
    List<DetectorSet> parts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String raw : spec.split(",")) {
      String n = raw.trim();
      if (n.isEmpty() || !names.add(n)) {
        continue;
      }
      Registration r;
      synchronized (DetectorSet.class) {
        r = REGISTRY.get(n);
      }
      if (r == null) {
        throw new IllegalArgumentException("unknown detector set '" + printable(n) + "'; available: "
            + String.join(", ", available()));
      }
      parts.add(r.factory().get());
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("no detector set named; available: " + String.join(", ", available()));
    }
    return parts.size() == 1 ? parts.get(0)
        : combine(String.join(",", parts.stream().map(DetectorSet::name).toList()), parts);
  }

  /**
   * Several sets as one: their detectors side by side (a detector name already taken by an earlier set is skipped),
   * each set's scorer applied to its own detectors' signals and the set scores combined by noisy-OR
   * ({@code 1 - Π(1 - s_i)}), and the first set's policy.
   */
  public static DetectorSet combine(String name, List<DetectorSet> sets) {
    if (sets.isEmpty()) {
      throw new IllegalArgumentException("combine: no sets");
    }
    if (sets.size() == 1) {
      return sets.get(0);
    }
    List<Detector<?>> detectors = new ArrayList<>();
    Map<String, Integer> owner = new HashMap<>();
    List<Scorer> scorers = new ArrayList<>();
    StringBuilder description = new StringBuilder();
    for (DetectorSet s : sets) {
      int index = scorers.size();
      scorers.add(s.scorer);
      for (Detector<?> d : s.detectors) {
        if (owner.putIfAbsent(d.name(), index) == null) {
          detectors.add(d);
        }
      }
      description.append(description.length() == 0 ? "" : " + ").append(s.name);
    }
    return new DetectorSet(name, description.toString(), detectors, new CombinedScorer(scorers, owner),
        sets.get(0).policy);
  }

  /** A fresh engine with this set's detectors, scorer and policy (default levels for every account). */
  public DetectionEngine newEngine() {
    return new DetectionEngine(detectors, scorer, policy);
  }

  /**
   * A fresh engine whose policy also allow-lists the given accounts (e.g. customers licensed to distil, whom an
   * operator lists in the policy): they are scored and may reach {@code WATCH}, never more.
   */
  public DetectionEngine newEngine(Set<String> extraAllowlist) {
    return newEngine(extraAllowlist, AccountTiers.NONE);
  }

  /** As {@link #newEngine(Set)}, each account held to its tier's levels (the policy's per-tier overrides). */
  public DetectionEngine newEngine(Set<String> extraAllowlist, AccountTiers tiers) {
    return new DetectionEngine(detectors, scorer, policy.withAllowlist(extraAllowlist), tiers);
  }

  /**
   * The same set with one detector alone (same scorer and policy), for ablation: named
   * {@code <set>[<detector>]}.
   *
   * @throws IllegalArgumentException when the set has no detector of that name
   */
  public DetectorSet only(String detectorName) {
    for (Detector<?> d : detectors) {
      if (d.name().equals(detectorName)) {
        return new DetectorSet(name + "[" + detectorName + "]", "only " + detectorName + " of " + name,
            List.of(d), scorer, policy);
      }
    }
    throw new IllegalArgumentException("set '" + name + "' has no detector '" + printable(detectorName) + "'");
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public List<Detector<?>> detectors() {
    return detectors;
  }

  public List<String> detectorNames() {
    return detectors.stream().map(Detector::name).toList();
  }

  public Scorer scorer() {
    return scorer;
  }

  public Policy policy() {
    return policy;
  }

  @Override
  public String toString() {
    return "DetectorSet[" + name + ": " + String.join(", ", detectorNames()) + "]";
  }

  private static String requireName(String name) {
    if (name == null || name.isEmpty() || name.length() > 200) {
      throw new IllegalArgumentException("detector set name must be 1 to 200 characters");
    }
    return name;
  }

  /** For error messages: user input shortened and stripped of control characters. */
  private static String printable(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "…" : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  /** Scores each member set's signals with its own scorer and combines the set scores by noisy-OR. */
  private static final class CombinedScorer implements Scorer {
    private final List<Scorer> scorers;
    private final Map<String, Integer> owner;

    CombinedScorer(List<Scorer> scorers, Map<String, Integer> owner) {
      this.scorers = List.copyOf(scorers);
      this.owner = Map.copyOf(owner);
    }

    @Override
    public RiskScore score(List<Signal> signals) {
      List<List<Signal>> groups = new ArrayList<>();
      for (int i = 0; i < scorers.size(); i++) {
        groups.add(new ArrayList<>());
      }
      for (Signal s : signals) {
        groups.get(owner.getOrDefault(s.detector(), 0)).add(s);
      }
      double logKeep = 0;
      long evidence = 0;
      RiskScore[] parts = new RiskScore[scorers.size()];
      double[] logs = new double[scorers.size()];
      for (int i = 0; i < scorers.size(); i++) {
        parts[i] = scorers.get(i).score(groups.get(i));
        logs[i] = -Math.log1p(-Math.min(0.999999, parts[i].score()));
        logKeep += logs[i];
        evidence = Math.max(evidence, parts[i].evidence());
      }
      double score = 1 - Math.exp(-logKeep);
      List<Reason> reasons = new ArrayList<>();
      for (int i = 0; i < parts.length; i++) {
        double setShare = logKeep == 0 ? 0 : score * logs[i] / logKeep;
        double setScore = parts[i].score();
        for (Reason r : parts[i].reasons()) {
          double c = setScore == 0 ? 0 : r.contribution() / setScore * setShare;
          reasons.add(new Reason(r.signal(), r.value(), c, r.explanation()));
        }
      }
      reasons.sort(Comparator.comparingDouble(Reason::contribution).reversed());
      return new RiskScore(score, RiskLevel.NONE, evidence, reasons);
    }
  }
}
