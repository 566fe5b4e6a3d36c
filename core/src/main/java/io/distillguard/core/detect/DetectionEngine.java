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
 * <p>Not thread-safe: one engine per thread or per key partition, as a keyed stream operator would run it.
 */
public final class DetectionEngine {
  private final List<Detector<Object>> detectors;
  private final Scorer scorer;
  private final Policy policy;
  private final Map<String, AccountState> accounts = new HashMap<>();

  private static final class AccountState {
    final Object[] states;
    long exchanges;
    RiskLevel level = RiskLevel.NONE;
    RiskScore last = RiskScore.NONE;

    AccountState(int n) {
      states = new Object[n];
    }
  }

  @SuppressWarnings("unchecked")
  public DetectionEngine(List<? extends Detector<?>> detectors, Scorer scorer, Policy policy) {
    this.detectors = new ArrayList<>();
    for (Detector<?> d : detectors) {
      this.detectors.add((Detector<Object>) d);
    }
    this.scorer = scorer;
    this.policy = policy;
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
      return s;
    });
    a.exchanges++;
    List<Signal> signals = new ArrayList<>(detectors.size());
    for (int i = 0; i < detectors.size(); i++) {
      Detector<Object> d = detectors.get(i);
      d.observe(a.states[i], e);
      signals.add(d.evaluate(a.states[i]));
    }
    RiskScore raw = scorer.score(signals);
    RiskLevel level = policy.levelFor(e.accountId(), raw.score(), a.exchanges);
    a.last = new RiskScore(raw.score(), level, a.exchanges, raw.reasons());
    if (level.compareTo(a.level) > 0) {
      RiskLevel previous = a.level;
      a.level = level;
      return new Verdict(e.accountId(), e.eventTime(), previous, a.last);
    }
    return null;
  }

  /** The account's latest score, or {@link RiskScore#NONE} for an unknown account. */
  public RiskScore risk(String accountId) {
    AccountState a = accounts.get(accountId);
    return a == null ? RiskScore.NONE : a.last;
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
