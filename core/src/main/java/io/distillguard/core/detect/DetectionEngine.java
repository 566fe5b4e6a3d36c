package io.distillguard.core.detect;

import io.distillguard.core.Exchange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process detection pipeline: exchanges in, verdicts out. Keeps each account's detector states, re-scores the
 * account on each of its exchanges and emits a {@link Verdict} whenever its level rises. Levels only rise
 * automatically; lowering one is an analyst's decision (or a later policy's).
 *
 * <p>Each account gets the levels of its tier ({@link Policy#forTier}), which the engine learns from an
 * {@link AccountTiers} on the account's first exchange; without one every account gets the policy's default levels.
 *
 * <p>Not thread-safe: one engine per thread or per key partition, as a keyed stream operator would run it.
 */
public final class DetectionEngine {
  private final List<Detector<Object>> detectors;
  private final Scorer scorer;
  private final Policy policy;
  private final AccountTiers tiers;
  private final Map<String, Levels> levelsByTier = new HashMap<>();
  private final Map<String, AccountState> accounts = new HashMap<>();
  private final String[] names;
  private final double[] suspicions;

  /**
   * One tier's policy in the form the hot path reads: arrays indexed by {@link RiskLevel#ordinal()} instead of map
   * lookups and boxed values on every exchange. Shared by every account of the tier.
   */
  private static final class Levels {
    final Policy policy;
    final double[] threshold = new double[RiskLevel.values().length];
    final long[] evidence = new long[RiskLevel.values().length];

    Levels(Policy p) {
      policy = p;
      for (RiskLevel l : RiskLevel.values()) {
        Double t = p.thresholds().get(l);
        threshold[l.ordinal()] = l == RiskLevel.NONE || t == null ? Double.NaN : t;
        evidence[l.ordinal()] = p.minEvidence().getOrDefault(l, 0L);
      }
    }

    /** As {@link Policy#levelFor(String, double, long)}. */
    RiskLevel levelFor(String accountId, double score, long exchanges) {
      int best = 0;
      for (int i = 1; i < threshold.length; i++) {
        if (score >= threshold[i] && exchanges >= evidence[i]) { // NaN (no threshold) never compares true
          best = i;
        }
      }
      RiskLevel l = LEVELS[best];
      return l.atLeast(RiskLevel.THROTTLE) && policy.allowlist().contains(accountId) ? RiskLevel.WATCH : l;
    }
  }

  private static final RiskLevel[] LEVELS = RiskLevel.values();

  private static final class AccountState {
    final Object[] states;
    Levels levels;
    long exchanges;
    RiskLevel level = RiskLevel.NONE;
    double score;

    AccountState(int n) {
      states = new Object[n];
    }
  }

  /** An engine that applies the policy's default levels to every account. */
  public DetectionEngine(List<? extends Detector<?>> detectors, Scorer scorer, Policy policy) {
    this(detectors, scorer, policy, AccountTiers.NONE);
  }

  /**
   * An engine that applies each account's tier overrides.
   *
   * @param tiers where the engine learns an account's tier (asked once per account; must answer from memory)
   */
  @SuppressWarnings("unchecked")
  public DetectionEngine(List<? extends Detector<?>> detectors, Scorer scorer, Policy policy, AccountTiers tiers) {
    this.detectors = new ArrayList<>();
    for (Detector<?> d : detectors) {
      this.detectors.add((Detector<Object>) d);
    }
    this.scorer = scorer;
    this.policy = policy;
    this.tiers = tiers == null ? AccountTiers.NONE : tiers;
    this.names = this.detectors.stream().map(Detector::name).toArray(String[]::new);
    this.suspicions = new double[names.length];
  }

  /**
   * Folds one exchange into its account's state.
   *
   * @return a verdict when the account's level rose, else null; exchanges without an account return null
   */
  public Verdict accept(Exchange e) {
    if (e.accountId() == null) {
      return null;
    }
    AccountState a = accounts.computeIfAbsent(e.accountId(), id -> {
      AccountState s = new AccountState(detectors.size());
      for (int i = 0; i < detectors.size(); i++) {
        s.states[i] = detectors.get(i).newState();
      }
      s.levels = levels(tiers.tierOf(id));
      return s;
    });
    a.exchanges++;
    for (int i = 0; i < detectors.size(); i++) {
      Detector<Object> d = detectors.get(i);
      d.observe(a.states[i], e);
      suspicions[i] = d.suspicion(a.states[i]);
    }
    a.score = scorer.combine(names, suspicions);
    RiskLevel level = a.levels.levelFor(e.accountId(), a.score, a.exchanges);
    if (level.compareTo(a.level) > 0) {
      RiskLevel previous = a.level;
      a.level = level;
      return new Verdict(e.accountId(), e.eventTime(), previous, explain(a));
    }
    return null;
  }

  private Levels levels(String tier) {
    return levelsByTier.computeIfAbsent(tier == null ? "" : tier,
        t -> new Levels(policy.forTier(t.isEmpty() ? null : t)));
  }

  /** The levels (thresholds and minimum evidence) the account is held to: its tier's, or the defaults. */
  public Policy policyOf(String accountId) {
    AccountState a = accounts.get(accountId);
    return a == null ? levels(tiers.tierOf(accountId)).policy : a.levels.policy;
  }

  /** The full score with reasons; builds every detector's explanation, so callers ask only when they show it. */
  private RiskScore explain(AccountState a) {
    List<Signal> signals = new ArrayList<>(detectors.size());
    for (int i = 0; i < detectors.size(); i++) {
      signals.add(detectors.get(i).evaluate(a.states[i]));
    }
    RiskScore raw = scorer.score(signals);
    return new RiskScore(raw.score(), a.level, a.exchanges, raw.reasons());
  }

  /** The account's latest score without reasons (cheap), or 0 for an unknown account. */
  public double score(String accountId) {
    AccountState a = accounts.get(accountId);
    return a == null ? 0 : a.score;
  }

  /** The account's latest score, or {@link RiskScore#NONE} for an unknown account. */
  public RiskScore risk(String accountId) {
    AccountState a = accounts.get(accountId);
    return a == null ? RiskScore.NONE : explain(a);
  }

  /** The account's current level. */
  public RiskLevel level(String accountId) {
    AccountState a = accounts.get(accountId);
    return a == null ? RiskLevel.NONE : a.level;
  }

  /** Sets an account's level from outside (an analyst's override), so detection continues from there. */
  public void override(String accountId, RiskLevel level) {
    AccountState a = accounts.get(accountId);
    if (a != null) {
      a.level = level;
    }
  }

  public int accountCount() {
    return accounts.size();
  }

  public List<String> detectorNames() {
    return detectors.stream().map(Detector::name).toList();
  }
}
