package io.distillguard.sim.eval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of evaluating detector sets on one scenario: one {@link RunReport} per run (the chosen set first, the
 * baseline next when it differs, then each detector alone when ablation was asked for). Every number of the
 * Markdown report is here, and this record is what {@code report.json} holds. Metric definitions:
 * {@code docs/evaluation.md}.
 *
 * @param primary  name of the chosen set (the first run)
 * @param baseline name of the baseline run, or null when the chosen set is the baseline
 * @param ablation names of the single-detector runs, empty without ablation
 */
public record EvalReport(ScenarioInfo scenario, String primary, String baseline, List<String> ablation,
    List<RunReport> runs) {

  public EvalReport {
    ablation = List.copyOf(ablation);
    runs = List.copyOf(runs);
  }

  /** The run of a detector set, or null. */
  public RunReport run(String detectorSet) {
    for (RunReport r : runs) {
      if (r.detectors().name().equals(detectorSet)) {
        return r;
      }
    }
    return null;
  }

  public RunReport primaryRun() {
    return runs.get(0);
  }

  /**
   * What degrading did to one group's accounts that reached {@code degrade} (each campaign, benign ordinary, benign
   * heavy). Reasoning characters are those of the step-by-step part of the answers.
   *
   * @param accountsDegraded            accounts of the group that were degraded at some point
   * @param answersWhileDegraded        answers served to them while degraded
   * @param reasoningAskedWhileDegraded of those, answers to prompts asking for reasoning
   * @param reasoningCharsServed        reasoning characters served to them over the whole run
   * @param reasoningCharsServedDegraded reasoning characters served while degraded
   * @param reasoningCharsWithheld      reasoning characters degrading removed from their answers
   * @param withheldShare               withheld / (withheld + served while degraded); null when nothing was asked
   */
  public record DegradeEffect(String group, int accountsDegraded, long answersWhileDegraded,
      long reasoningAskedWhileDegraded, long reasoningCharsServed, long reasoningCharsServedDegraded,
      long reasoningCharsWithheld, Double withheldShare) {}

  /** What was simulated. */
  public record ScenarioInfo(String name, String description, String source, long seed, Instant start, Instant end,
      Map<String, String> campaignStrategies) {
    public ScenarioInfo {
      campaignStrategies = ordered(campaignStrategies);
    }
  }

  /** Everything measured in one run of one detector set. */
  public record RunReport(DetectorInfo detectors, Traffic traffic, Performance performance,
      List<CampaignResult> campaigns, List<BenignResult> benign, Collateral collateral,
      List<DetectorContribution> contributions, RiskSeries risk, Map<String, List<Long>> harvestBeforeBlock,
      List<DegradeEffect> degrade) {

    public RunReport {
      campaigns = List.copyOf(campaigns);
      benign = List.copyOf(benign);
      contributions = List.copyOf(contributions);
      harvestBeforeBlock = ordered(harvestBeforeBlock);
      degrade = degrade == null ? List.of() : List.copyOf(degrade);
    }

    /** A run report without degrade measurements. */
    public RunReport(DetectorInfo detectors, Traffic traffic, Performance performance,
        List<CampaignResult> campaigns, List<BenignResult> benign, Collateral collateral,
        List<DetectorContribution> contributions, RiskSeries risk, Map<String, List<Long>> harvestBeforeBlock) {
      this(detectors, traffic, performance, campaigns, benign, collateral, contributions, risk, harvestBeforeBlock,
          List.of());
    }

    public CampaignResult campaign(String id) {
      for (CampaignResult c : campaigns) {
        if (c.id().equals(id)) {
          return c;
        }
      }
      return null;
    }

    public BenignResult benign(String group) {
      for (BenignResult b : benign) {
        if (b.group().equals(group)) {
          return b;
        }
      }
      return null;
    }
  }

  public record DetectorInfo(String name, String description, List<String> detectors) {
    public DetectorInfo {
      detectors = List.copyOf(detectors);
    }
  }

  /**
   * Totals of the run.
   *
   * @param accounts accounts that sent at least one request
   * @param registered accounts the simulation created (some may never have sent a request)
   */
  public record Traffic(long exchanges, long served, long refusedByEnforcement, long refusedByLimits,
      long verdicts, int accounts, int registered, Instant firstEvent, Instant lastEvent) {}

  /**
   * Speed of the in-process run (varies between machines and runs, unlike every other number).
   *
   * @param sourceSeconds       estimated wall time spent generating traffic (the simulation), part of wallSeconds
   * @param cpuSeconds          CPU time of the run's thread (0 when unknown); rates per CPU second do not suffer
   *                            when other processes share the machine
   */
  public record Performance(long events, double wallSeconds, double eventsPerSecond, double sourceSeconds,
      double eventsPerSecondExcludingSource, double cpuSeconds, double eventsPerCpuSecond,
      double eventsPerCpuSecondExcludingSource) {}

  /**
   * How one campaign fared.
   *
   * @param accounts                  campaign accounts that sent at least one request
   * @param detected                  some account of the campaign reached {@code THROTTLE} or more
   * @param secondsToWatch            from the campaign's first request to its first account at {@code WATCH} or
   *                                  more; null when never
   * @param secondsToDetection        same, to {@code THROTTLE} or more; null when missed
   * @param secondsToBlock            same, to {@code BLOCK}; null when never
   * @param harvested                 attack exchanges served to its accounts in the whole run
   * @param harvestedBeforeThrottle   attack exchanges served before its first account reached {@code THROTTLE}
   *                                  (including the exchange that triggered it); all of them when never
   * @param harvestedBeforeBlock      same for {@code BLOCK}
   * @param promptSetSize             prompts the campaign set out to harvest, 0 when unknown
   * @param distinctPromptsHarvested  distinct prompts of the set with at least one served answer, as the campaign
   *                                  counts them; when the traffic source cannot say, distinct digests of served
   *                                  attack requests
   * @param promptSetFractionHarvested distinct prompts harvested / prompt set size, capped at 1; null when unknown
   * @param nonAttackSent             requests of its accounts that were not attack traffic (mixed proxies)
   * @param nonAttackRefusedByEnforcement those of them refused by a block or throttle (collateral damage)
   */
  public record CampaignResult(String id, String strategy, int accounts, Instant firstRequest, boolean detected,
      Instant firstWatch, Instant firstThrottle, Instant firstBlock, Double secondsToWatch, Double secondsToDetection,
      Double secondsToBlock, long attackSent, long harvested, long harvestedBeforeThrottle, long harvestedBeforeBlock,
      int accountsThrottled, int accountsBlocked, double accountsThrottledFraction, double accountsBlockedFraction,
      int promptSetSize, long distinctPromptsHarvested, Double promptSetFractionHarvested, long nonAttackSent,
      long nonAttackRefusedByEnforcement) {}

  /**
   * False positives on one class of benign accounts ({@code ordinary}, {@code heavy}, or {@code heavy/<group>}).
   * An account counts at a level when detection ever put it there; rates are over accounts that sent at least one
   * request.
   *
   * @param refusedByEnforcement exchanges refused because of a block or throttle (403, or 429 while throttled)
   * @param refusedByLimits      exchanges refused by the ordinary tier limits (429 while not throttled)
   */
  public record BenignResult(String group, int accounts, int atWatch, int atThrottle, int atDegrade, int blocked,
      double watchRate, double throttleRate, double degradeRate, double blockRate, long exchanges,
      long refusedByEnforcement, long refusedByLimits) {}

  /** Non-attack traffic of campaign accounts (the ordinary customers behind a mixed proxy). */
  public record Collateral(long nonAttackSent, long nonAttackRefusedByEnforcement) {}

  /**
   * How often a detector was the top reason (largest contribution) of an escalation verdict.
   *
   * @param onCampaign         escalations of campaign accounts to any level
   * @param onBenign           escalations of benign accounts to any level
   * @param onCampaignThrottle escalations of campaign accounts to {@code THROTTLE} or more
   * @param onBenignThrottle   escalations of benign accounts to {@code THROTTLE} or more
   */
  public record DetectorContribution(String detector, long onCampaign, long onBenign, long onCampaignThrottle,
      long onBenignThrottle) {}

  /**
   * Risk scores sampled over time per class of accounts ({@code benign ordinary}, {@code benign heavy},
   * {@code campaign <id>}), over the accounts of the class that had sent a request by then.
   */
  public record RiskSeries(List<Instant> times, Map<String, ClassSeries> classes) {
    public RiskSeries {
      times = List.copyOf(times);
      classes = ordered(classes);
    }
  }

  /** Median and 90th percentile (nearest rank) of the class's risk scores at each sample time; null when empty. */
  public record ClassSeries(List<Double> median, List<Double> p90, List<Integer> accounts) {
    public ClassSeries {
      median = Collections.unmodifiableList(new ArrayList<>(median));
      p90 = Collections.unmodifiableList(new ArrayList<>(p90));
      accounts = List.copyOf(accounts);
    }
  }

  private static <K, V> Map<K, V> ordered(Map<K, V> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
