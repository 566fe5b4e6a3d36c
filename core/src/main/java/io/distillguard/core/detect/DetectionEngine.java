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
  private AccountStateCodec codec;

  /**
   * One tier's policy in the form the hot path reads: arrays indexed by {@link RiskLevel#ordinal()} instead of map
   * lookups and boxed values on every exchange. Shared by every account of the tier.
   */
  static final class Levels {
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

  /** A finding from outside the engine and the log-odds it adds per unit of suspicion. */
  record External(Signal signal, double weight) {}

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
    return accept(accounts.computeIfAbsent(e.accountId(), this::newState), e);
  }

  // ------------------------------------------------------------------------------------------ keyed use

  /**
   * A fresh state for an account, for a caller that keeps each account's state itself (a keyed stream operator
   * holds it in its per-key state) and passes it to {@link #accept(AccountState, Exchange)}. The account's tier is
   * asked of the engine's {@link AccountTiers} now, as {@link #accept(Exchange)} does on an account's first
   * exchange. The engine's own per-account map is not touched.
   */
  public AccountState newState(String accountId) {
    Object[] states = new Object[detectors.size()];
    for (int i = 0; i < states.length; i++) {
      states[i] = detectors.get(i).newState();
    }
    String tier = tiers.tierOf(accountId);
    AccountState s = new AccountState(accountId, states, tier);
    s.levels = levels(tier);
    return s;
  }

  /**
   * Folds one exchange into a state the caller holds: exactly what {@link #accept(Exchange)} does with the state it
   * keeps for the exchange's account. The exchange must be the state's account's.
   *
   * @return a verdict when the account's level rose, else null
   */
  public Verdict accept(AccountState a, Exchange e) {
    if (a.levels == null) { // a state read back from its serialized form: re-attach its tier's levels
      a.levels = levels(a.tier);
    }
    a.exchanges++;
    for (int i = 0; i < detectors.size(); i++) {
      Detector<Object> d = detectors.get(i);
      d.observe(a.states[i], e);
      suspicions[i] = d.suspicion(a.states[i]);
    }
    a.cheapScore = scorer.combine(names, suspicions);
    a.score = a.externals == null ? a.cheapScore : withExternals(a.cheapScore, a);
    return escalate(a.accountId, e.eventTime(), a);
  }

  /**
   * Folds a finding computed outside the engine into the account's score: the expensive tier's tests on prompt
   * embeddings, which run on another thread and report now and then. The finding replaces the previous one of the
   * same signal name and adds {@code weight × suspicion} to the score's log-odds, as a detector of a logistic model
   * with that weight would; the score is re-leveled at once.
   *
   * @param at     event time of the exchange the finding rests on (the verdict carries it)
   * @param weight log-odds per unit of suspicion, at least 0 (a finding never lowers a score)
   * @return a verdict when the account's level rose, else null; null for an account the engine has not seen
   */
  public Verdict external(String accountId, java.time.Instant at, Signal signal, double weight) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("weight must be finite and >= 0: " + weight);
    }
    AccountState a = accounts.get(accountId);
    return a == null ? null : external(a, at, signal, weight);
  }

  /** As {@link #external(String, java.time.Instant, Signal, double)}, on a state the caller holds. */
  public Verdict external(AccountState a, java.time.Instant at, Signal signal, double weight) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("weight must be finite and >= 0: " + weight);
    }
    if (a.levels == null) {
      a.levels = levels(a.tier);
    }
    if (a.externals == null) {
      a.externals = new java.util.LinkedHashMap<>(4);
    }
    a.externals.put(signal.detector(), new External(signal, weight));
    a.score = withExternals(a.cheapScore, a);
    return escalate(a.accountId, at, a);
  }

  private Verdict escalate(String accountId, java.time.Instant at, AccountState a) {
    RiskLevel level = a.levels.levelFor(accountId, a.score, a.exchanges);
    if (level.compareTo(a.level) > 0) {
      RiskLevel previous = a.level;
      a.level = level;
      return new Verdict(accountId, at, previous, explain(a));
    }
    return null;
  }

  private static double withExternals(double cheap, AccountState a) {
    double z = LogisticScorer.logit(cheap);
    for (External x : a.externals.values()) {
      z += x.weight() * x.signal().suspicion();
    }
    return LogisticScorer.sigmoid(z);
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
    if (a.externals == null) {
      return new RiskScore(raw.score(), a.level, a.exchanges, raw.reasons());
    }
    // The detectors keep the contributions the scorer gave them; the external findings share what they added to
    // the score, in proportion to their log-odds terms, so the contributions still add up to the score.
    double score = withExternals(raw.score(), a);
    double added = score - raw.score();
    double mass = 0;
    for (External x : a.externals.values()) {
      mass += x.weight() * x.signal().suspicion();
    }
    List<Reason> reasons = new ArrayList<>(raw.reasons());
    for (External x : a.externals.values()) {
      Signal s = x.signal();
      if (s.suspicion() > 0) {
        double c = mass > 0 ? added * x.weight() * s.suspicion() / mass : 0;
        reasons.add(new Reason(s.detector(), s.suspicion(), c, s.explanation()));
      }
    }
    reasons.sort(java.util.Comparator.comparingDouble(Reason::contribution).reversed());
    return new RiskScore(score, a.level, a.exchanges, reasons);
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

  /** The latest score with reasons of a state the caller holds. */
  public RiskScore risk(AccountState a) {
    return explain(a);
  }

  /**
   * The codec that writes and reads this engine's account states (its detectors' states included), for a caller
   * that keeps them outside the engine and must checkpoint them.
   */
  public AccountStateCodec stateCodec() {
    AccountStateCodec c = codec;
    if (c == null) {
      c = new AccountStateCodec(detectors);
      codec = c;
    }
    return c;
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

  /**
   * The account's detector states, in {@link #detectorNames()} order (the live objects, not copies), or null for an
   * unknown account: what a keyed stream operator checkpoints per account, and what the state-size benchmark measures.
   */
  public Object[] detectorStates(String accountId) {
    AccountState a = accounts.get(accountId);
    return a == null ? null : a.states.clone();
  }

  public int accountCount() {
    return accounts.size();
  }

  /**
   * Every account state the engine holds in its own map (the live objects), for a caller that checkpoints a whole
   * in-process engine (a stream operator holding one, as linkage does for its clusters' traffic).
   */
  public java.util.Collection<AccountState> states() {
    return java.util.Collections.unmodifiableCollection(accounts.values());
  }

  /**
   * Puts a state read back from its serialized form ({@link #stateCodec()}) into the engine's own map, replacing
   * the account's state if it had one: the inverse of {@link #states()} on restore.
   */
  public void restoreState(AccountState state) {
    accounts.put(java.util.Objects.requireNonNull(state, "state").accountId, state);
  }

  public List<String> detectorNames() {
    return detectors.stream().map(Detector::name).toList();
  }
}
