package io.distillguard.sim.calibrate;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Verdict;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.campaign.CampaignStats;
import io.distillguard.sim.run.Disposition;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.run.RunListener;
import io.distillguard.sim.run.SimulationSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures a model on a scenario with the gateway's enforcement simulated in-process by the evaluation harness's
 * {@link InProcessRunner}: a blocked account gets 403, a throttled one is held to 10 requests a minute (429 beyond),
 * watch and degraded accounts are served (a degraded answer loses its reasoning but is an answer, so it counts as
 * harvested), every account is held to its tier's rate limits, and licensed distillers are allow-listed. This class
 * only records, per account, what was harvested before the first throttle and before the block. (The runner scores
 * every account with the model's default policy: per-tier overrides are not applied here.)
 */
public final class EnforcedRun {
  private EnforcedRun() {}

  /** What happened to one account. */
  public static final class AccountOutcome {
    public final SimAccount account;
    public final AccountKind kind;
    /** Campaign strategy, heavy-use group, or empty. */
    public final String group;
    /** Campaign id for campaign accounts, else empty. */
    public final String campaign;
    public long sent;
    public long served;
    public long attackServed;
    public RiskLevel level = RiskLevel.NONE;
    /** Attack exchanges served before the account first reached throttle (or worse) / block; -1 if never. */
    public long attackServedAtThrottle = -1;
    public long attackServedAtBlock = -1;
    public long exchangesAtThrottle = -1;
    public long exchangesAtBlock = -1;
    /** The top reason of the verdict that first throttled the account. */
    public String throttleReason = "";

    AccountOutcome(SimAccount account, AccountKind kind, String group, String campaign) {
      this.account = account;
      this.kind = kind;
      this.group = group;
      this.campaign = campaign;
    }
  }

  /** Everything a run measured. */
  public record Outcome(String scenario, boolean holdout, List<AccountOutcome> accounts, Map<String, String> strategies,
      Map<String, Long> campaignServedBeforeFirstThrottle, Map<String, Long> campaignServedBeforeFirstBlock,
      List<CampaignStats> campaignStats, long requests) {}

  public static Outcome run(Simulation sim, DetectionModel model, boolean holdout) {
    Map<String, String> strategies = sim.campaignStrategies();
    Recorder rec = new Recorder(strategies);
    InProcessRunner runner = new InProcessRunner(model.detectorSet("model:" + model.name()),
        InProcessRunner.Options.defaults());
    InProcessRunner.Result result = runner.run(new SimulationSource(sim), rec);
    Map<String, Long> beforeThrottle = new LinkedHashMap<>(rec.beforeThrottle);
    Map<String, Long> beforeBlock = new LinkedHashMap<>(rec.beforeBlock);
    for (String c : strategies.keySet()) {
      long served = rec.campaignServed.getOrDefault(c, 0L);
      beforeThrottle.putIfAbsent(c, -served - 1); // never throttled: -(total + 1)
      beforeBlock.putIfAbsent(c, -served - 1);
    }
    return new Outcome(sim.scenario().name(), holdout, new ArrayList<>(rec.accounts.values()), strategies,
        beforeThrottle, beforeBlock, sim.campaignStats(), result.events());
  }

  /** Records per-account harvest and levels from the runner's events. */
  private static final class Recorder implements RunListener {
    final Map<String, String> strategies;
    final Map<String, AccountOutcome> accounts = new LinkedHashMap<>();
    final Map<String, Long> campaignServed = new LinkedHashMap<>();
    final Map<String, Long> beforeThrottle = new LinkedHashMap<>();
    final Map<String, Long> beforeBlock = new LinkedHashMap<>();

    Recorder(Map<String, String> strategies) {
      this.strategies = strategies;
    }

    AccountOutcome account(SimAccount acct) {
      AccountOutcome a = accounts.get(acct.id());
      if (a == null) {
        AccountKind kind = AccountKind.of(acct, strategies);
        String campaign = kind.campaign() ? acct.label().group() : "";
        String group = kind.campaign() ? strategies.getOrDefault(campaign, "")
            : acct.label() == null ? "" : acct.label().group();
        a = new AccountOutcome(acct, kind, group, campaign);
        accounts.put(acct.id(), a);
      }
      return a;
    }

    @Override
    public void onExchange(SimRequest r, Disposition d, Exchange e) {
      AccountOutcome a = account(r.account());
      a.sent++;
      if (d.served()) {
        a.served++;
        if (r.attack()) {
          a.attackServed++;
          if (!a.campaign.isEmpty()) {
            campaignServed.merge(a.campaign, 1L, Long::sum);
          }
        }
      }
    }

    @Override
    public void onVerdict(SimRequest r, Verdict v) {
      AccountOutcome a = account(r.account());
      if (v.level().compareTo(a.level) <= 0) {
        return;
      }
      RiskLevel before = a.level;
      a.level = v.level();
      if (!before.atLeast(RiskLevel.THROTTLE) && a.level.atLeast(RiskLevel.THROTTLE)) {
        a.attackServedAtThrottle = a.attackServed;
        a.exchangesAtThrottle = a.sent;
        a.throttleReason = v.risk().reasons().isEmpty() ? "" : v.risk().reasons().get(0).signal();
        if (!a.campaign.isEmpty()) {
          beforeThrottle.putIfAbsent(a.campaign, campaignServed.getOrDefault(a.campaign, 0L));
        }
      }
      if (a.level == RiskLevel.BLOCK) {
        a.attackServedAtBlock = a.attackServed;
        a.exchangesAtBlock = a.sent;
        if (!a.campaign.isEmpty()) {
          beforeBlock.putIfAbsent(a.campaign, campaignServed.getOrDefault(a.campaign, 0L));
        }
      }
    }
  }
}
