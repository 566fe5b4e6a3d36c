package io.distillguard.sim.eval;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Verdict;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.run.Disposition;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.run.RunListener;
import io.distillguard.sim.run.SyntheticAnswers;
import io.distillguard.sim.run.TrafficSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Records one in-process run and computes its {@link EvalReport.RunReport}: what each campaign harvested before
 * detection acted, how many benign accounts were touched at each action level, which detector drove escalations,
 * and risk over time. Everything is computed online from the run's events in order, so memory grows with accounts
 * and campaign prompts, not with exchanges.
 */
public final class RunMetrics implements RunListener {
  public static final String ORDINARY = "ordinary";
  public static final String HEAVY = "heavy";
  public static final String CLASS_BENIGN_ORDINARY = "benign ordinary";
  public static final String CLASS_BENIGN_HEAVY = "benign heavy";
  public static final String CLASS_CAMPAIGN_PREFIX = "campaign ";
  private static final String NO_REASON = "(no reason)";

  private final Map<String, Acc> accounts = new HashMap<>();
  private final Map<String, Camp> campaigns = new LinkedHashMap<>();
  private final Map<String, long[]> contributions = new TreeMap<>();
  private final List<Instant> sampleTimes = new ArrayList<>();
  private final Map<String, Series> series = new LinkedHashMap<>();
  /** Risk classes in order: benign ordinary, benign heavy, then one per campaign. */
  private final List<String> classNames = new ArrayList<>(List.of(CLASS_BENIGN_ORDINARY, CLASS_BENIGN_HEAVY));
  private int[] classSizes = new int[2];
  private int registered;

  private static final class Acc {
    final SimAccount account;
    final Label label;
    final Camp campaign;
    final int cls;
    long sent;
    long attackSent;
    long attackServed;
    long nonAttackSent;
    long nonAttackRefusedByEnforcement;
    long refusedByEnforcement;
    long refusedByLimits;
    RiskLevel max = RiskLevel.NONE;
    long attackServedAtBlock = -1;
    /** Reasoning characters in answers served, over the run and while degraded; withheld while degraded. */
    long reasoningServed;
    long reasoningServedDegraded;
    long reasoningWithheld;
    long servedDegraded;
    long reasoningAskedDegraded;
    boolean degraded;

    Acc(SimAccount account, Camp campaign, int cls) {
      this.account = account;
      this.label = account.label() == null ? Label.BENIGN : account.label();
      this.campaign = campaign;
      this.cls = cls;
    }
  }

  private static final class Camp {
    final String id;
    String strategy;
    int promptSetSize;
    int accounts;
    Instant firstRequest;
    Instant firstWatch;
    Instant firstThrottle;
    Instant firstBlock;
    long attackSent;
    long attackServed;
    long servedBeforeThrottle = -1;
    long servedBeforeBlock = -1;
    int accountsThrottled;
    int accountsBlocked;
    long nonAttackSent;
    long nonAttackRefused;
    final Set<Long> prompts = new HashSet<>();
    final int cls;
    int promptsHarvestedBySource = -1;
    boolean countDigests = true;

    Camp(String id, String strategy, int cls) {
      this.id = id;
      this.strategy = strategy;
      this.cls = cls;
    }
  }

  private static final class Series {
    final List<Double> median = new ArrayList<>();
    final List<Double> p90 = new ArrayList<>();
    final List<Integer> n = new ArrayList<>();
  }

  @Override
  public void onStart(TrafficSource source) {
    for (Map.Entry<String, String> c : source.campaignStrategies().entrySet()) {
      Camp camp = campaign(c.getKey());
      camp.strategy = c.getValue();
      camp.promptSetSize = Math.max(0, source.campaignPromptSetSize(c.getKey()));
      camp.countDigests = source.campaignPromptsHarvested(c.getKey()) < 0;
    }
  }

  private Camp campaign(String id) {
    Camp c = campaigns.get(id);
    if (c == null) {
      c = new Camp(id, "unknown", classNames.size());
      campaigns.put(id, c);
      classNames.add(CLASS_CAMPAIGN_PREFIX + id);
      classSizes = Arrays.copyOf(classSizes, classNames.size());
    }
    return c;
  }

  private Acc account(SimAccount a) {
    Acc acc = accounts.get(a.id());
    if (acc == null) {
      Label l = a.label() == null ? Label.BENIGN : a.label();
      Camp c = l.kind() == Label.Kind.CAMPAIGN ? campaign(l.group()) : null;
      int cls = c != null ? c.cls : l.kind() == Label.Kind.BENIGN ? 0 : 1;
      acc = new Acc(a, c, cls);
      accounts.put(a.id(), acc);
      classSizes[cls]++;
      if (acc.campaign != null) {
        acc.campaign.accounts++;
      }
    }
    return acc;
  }

  @Override
  public void onExchange(SimRequest r, Disposition d, Exchange e) {
    Acc a = account(r.account());
    a.sent++;
    Camp c = a.campaign;
    if (c != null && c.firstRequest == null) {
      c.firstRequest = r.time();
    }
    if (d.byEnforcement()) {
      a.refusedByEnforcement++;
    } else if (!d.served()) {
      a.refusedByLimits++;
    } else {
      reasoning(a, e);
    }
    if (r.attack()) {
      a.attackSent++;
      if (c != null) {
        c.attackSent++;
      }
      if (d.served()) {
        a.attackServed++;
        if (c != null) {
          c.attackServed++;
          if (c.countDigests) {
            c.prompts.add(promptKey(e));
          }
        }
      }
    } else if (c != null) {
      a.nonAttackSent++;
      c.nonAttackSent++;
      if (d.byEnforcement()) {
        a.nonAttackRefusedByEnforcement++;
        c.nonAttackRefused++;
      }
    }
  }

  /**
   * What degrading did to one served answer: the runner serves a degraded account (level {@code degrade}, which
   * {@link #onVerdict} has recorded by the time its next request comes) the answer without its reasoning.
   */
  private static void reasoning(Acc a, Exchange e) {
    int served = SyntheticAnswers.reasoningChars(e.responseText());
    a.reasoningServed += served;
    if (a.max != RiskLevel.DEGRADE) {
      return;
    }
    a.servedDegraded++;
    a.reasoningServedDegraded += served;
    String sha = e.promptSha256();
    long hash = sha != null && sha.length() >= 16 ? Long.parseUnsignedLong(sha, 0, 16, 16) : 0;
    int withheld = SyntheticAnswers.reasoningCharsFor(lastUserText(e), hash) - served;
    if (withheld > 0) {
      a.reasoningAskedDegraded++;
      a.reasoningWithheld += withheld;
    }
  }

  private static String lastUserText(Exchange e) {
    String text = null;
    for (io.distillguard.core.ChatMessage m : e.messages()) {
      if (m.content() != null && !"assistant".equals(m.role()) && !"system".equals(m.role())) {
        text = m.content();
      }
    }
    return text;
  }

  /** 64 bits of the prompt digest, or of the user text when there is none. */
  private static long promptKey(Exchange e) {
    String sha = e.promptSha256();
    if (sha != null && sha.length() >= 16) {
      return Long.parseUnsignedLong(sha, 0, 16, 16);
    }
    return e.userText().hashCode();
  }

  @Override
  public void onVerdict(SimRequest r, Verdict v) {
    Acc a = account(r.account());
    RiskLevel level = v.level();
    if (!level.atLeast(RiskLevel.WATCH) || level.compareTo(a.max) <= 0) {
      return;
    }
    RiskLevel before = a.max;
    a.max = level;
    String top = v.risk().reasons().isEmpty() ? NO_REASON : v.risk().reasons().get(0).signal();
    long[] counts = contributions.computeIfAbsent(top, k -> new long[4]);
    boolean campaign = a.campaign != null;
    counts[campaign ? 0 : 1]++;
    if (level.atLeast(RiskLevel.THROTTLE)) {
      counts[campaign ? 2 : 3]++;
    }
    if (level == RiskLevel.BLOCK) {
      a.attackServedAtBlock = a.attackServed;
    }
    a.degraded |= level == RiskLevel.DEGRADE;
    Camp c = a.campaign;
    if (c == null) {
      return;
    }
    if (!before.atLeast(RiskLevel.THROTTLE) && level.atLeast(RiskLevel.THROTTLE)) {
      c.accountsThrottled++;
    }
    if (level == RiskLevel.BLOCK) {
      c.accountsBlocked++;
    }
    if (c.firstWatch == null) {
      c.firstWatch = v.at();
    }
    if (c.firstThrottle == null && level.atLeast(RiskLevel.THROTTLE)) {
      c.firstThrottle = v.at();
      c.servedBeforeThrottle = c.attackServed;
    }
    if (c.firstBlock == null && level == RiskLevel.BLOCK) {
      c.firstBlock = v.at();
      c.servedBeforeBlock = c.attackServed;
    }
  }

  @Override
  public void onSample(Instant at, DetectionEngine engine) {
    int k = classNames.size();
    double[][] values = new double[k][];
    int[] n = new int[k];
    for (int c = 0; c < k; c++) {
      values[c] = new double[classSizes[c]];
    }
    for (Acc a : accounts.values()) {
      values[a.cls][n[a.cls]++] = engine.score(a.account.id());
    }
    sampleTimes.add(at);
    for (int c = 0; c < k; c++) {
      Series s = series.computeIfAbsent(classNames.get(c), x -> new Series());
      // A class first seen now (a campaign not announced at start) gets empty points for the earlier samples.
      while (s.n.size() < sampleTimes.size() - 1) {
        s.median.add(null);
        s.p90.add(null);
        s.n.add(0);
      }
      double[] sorted = values[c];
      Arrays.sort(sorted);
      s.median.add(n[c] == 0 ? null : quantile(sorted, 0.5));
      s.p90.add(n[c] == 0 ? null : quantile(sorted, 0.9));
      s.n.add(n[c]);
    }
  }

  /** Nearest-rank quantile of sorted values: the smallest value with at least {@code q} of them at or below it. */
  static double quantile(double[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  @Override
  public void onEnd(Instant at, TrafficSource source) {
    registered = source.accounts().size();
    for (Camp c : campaigns.values()) {
      c.promptsHarvestedBySource = source.campaignPromptsHarvested(c.id);
    }
  }

  /** The report of this run. */
  public EvalReport.RunReport report(DetectorSet set, InProcessRunner.Result result) {
    List<EvalReport.CampaignResult> cs = new ArrayList<>();
    Map<String, List<Long>> harvest = new LinkedHashMap<>();
    Map<String, List<Long>> perCampaign = new HashMap<>();
    for (Acc a : accounts.values()) {
      if (a.campaign != null) {
        perCampaign.computeIfAbsent(a.campaign.id, k -> new ArrayList<>())
            .add(a.attackServedAtBlock >= 0 ? a.attackServedAtBlock : a.attackServed);
      }
    }
    long collateralSent = 0;
    long collateralRefused = 0;
    for (Camp c : campaigns.values()) {
      Double toWatch = seconds(c.firstRequest, c.firstWatch);
      Double toThrottle = seconds(c.firstRequest, c.firstThrottle);
      Double toBlock = seconds(c.firstRequest, c.firstBlock);
      long distinct = c.promptsHarvestedBySource >= 0 ? c.promptsHarvestedBySource : c.prompts.size();
      Double fraction = c.promptSetSize <= 0 ? null : Math.min(1.0, distinct / (double) c.promptSetSize);
      cs.add(new EvalReport.CampaignResult(c.id, c.strategy, c.accounts, c.firstRequest, c.firstThrottle != null,
          c.firstWatch, c.firstThrottle, c.firstBlock, toWatch, toThrottle, toBlock, c.attackSent, c.attackServed,
          c.servedBeforeThrottle >= 0 ? c.servedBeforeThrottle : c.attackServed,
          c.servedBeforeBlock >= 0 ? c.servedBeforeBlock : c.attackServed, c.accountsThrottled, c.accountsBlocked,
          rate(c.accountsThrottled, c.accounts), rate(c.accountsBlocked, c.accounts), c.promptSetSize,
          distinct, fraction, c.nonAttackSent, c.nonAttackRefused));
      List<Long> values = perCampaign.getOrDefault(c.id, new ArrayList<>());
      values.sort(null);
      harvest.put(c.id, values);
      collateralSent += c.nonAttackSent;
      collateralRefused += c.nonAttackRefused;
    }

    Map<String, long[]> benign = new LinkedHashMap<>();
    benign.put(ORDINARY, new long[8]);
    benign.put(HEAVY, new long[8]);
    Set<String> groups = new TreeSet<>();
    for (Acc a : accounts.values()) {
      if (a.label.kind() == Label.Kind.BENIGN_HEAVY) {
        groups.add(a.label.group().isEmpty() ? "unspecified" : a.label.group());
      }
    }
    for (String g : groups) {
      benign.put(HEAVY + "/" + g, new long[8]);
    }
    for (Acc a : accounts.values()) {
      if (a.label.kind() == Label.Kind.BENIGN) {
        add(benign.get(ORDINARY), a);
      } else if (a.label.kind() == Label.Kind.BENIGN_HEAVY) {
        add(benign.get(HEAVY), a);
        add(benign.get(HEAVY + "/" + (a.label.group().isEmpty() ? "unspecified" : a.label.group())), a);
      }
    }
    List<EvalReport.BenignResult> bs = new ArrayList<>();
    for (Map.Entry<String, long[]> b : benign.entrySet()) {
      long[] v = b.getValue();
      int n = (int) v[0];
      bs.add(new EvalReport.BenignResult(b.getKey(), n, (int) v[1], (int) v[2], (int) v[3], (int) v[4],
          rate(v[1], n), rate(v[2], n), rate(v[3], n), rate(v[4], n), v[5], v[6], v[7]));
    }

    List<EvalReport.DetectorContribution> dc = new ArrayList<>();
    Set<String> names = new java.util.LinkedHashSet<>(set.detectorNames());
    names.addAll(contributions.keySet());
    for (String name : names) {
      long[] c = contributions.getOrDefault(name, new long[4]);
      dc.add(new EvalReport.DetectorContribution(name, c[0], c[1], c[2], c[3]));
    }

    Map<String, long[]> deg = new LinkedHashMap<>();
    for (Camp c : campaigns.values()) {
      deg.put(CLASS_CAMPAIGN_PREFIX + c.id, new long[6]);
    }
    deg.put(CLASS_BENIGN_ORDINARY, new long[6]);
    deg.put(CLASS_BENIGN_HEAVY, new long[6]);
    for (Acc a : accounts.values()) {
      if (!a.degraded) {
        continue;
      }
      long[] v = deg.get(a.campaign != null ? CLASS_CAMPAIGN_PREFIX + a.campaign.id
          : a.label.kind() == Label.Kind.BENIGN ? CLASS_BENIGN_ORDINARY : CLASS_BENIGN_HEAVY);
      v[0]++;
      v[1] += a.servedDegraded;
      v[2] += a.reasoningAskedDegraded;
      v[3] += a.reasoningServed;
      v[4] += a.reasoningServedDegraded;
      v[5] += a.reasoningWithheld;
    }
    List<EvalReport.DegradeEffect> degrade = new ArrayList<>();
    for (Map.Entry<String, long[]> g : deg.entrySet()) {
      long[] v = g.getValue();
      degrade.add(new EvalReport.DegradeEffect(g.getKey(), (int) v[0], v[1], v[2], v[3], v[4], v[5],
          v[4] + v[5] == 0 ? null : v[5] / (double) (v[4] + v[5])));
    }

    Map<String, EvalReport.ClassSeries> risk = new LinkedHashMap<>();
    for (Map.Entry<String, Series> s : series.entrySet()) {
      risk.put(s.getKey(), new EvalReport.ClassSeries(s.getValue().median, s.getValue().p90, s.getValue().n));
    }

    EvalReport.Traffic traffic = new EvalReport.Traffic(result.events(), result.served(),
        result.refusedByEnforcement(), result.refusedByLimits(), result.verdicts(), accounts.size(),
        Math.max(registered, accounts.size()), result.firstEvent(), result.lastEvent());
    EvalReport.Performance perf = new EvalReport.Performance(result.events(), result.wallNanos() / 1e9,
        round(result.eventsPerSecond()), result.sourceNanos() / 1e9, round(result.eventsPerSecondExcludingSource()),
        result.cpuNanos() / 1e9, round(result.eventsPerCpuSecond()), round(result.eventsPerCpuSecondExcludingSource()));
    return new EvalReport.RunReport(new EvalReport.DetectorInfo(set.name(), set.description(), set.detectorNames()),
        traffic, perf, cs, bs, new EvalReport.Collateral(collateralSent, collateralRefused), dc,
        new EvalReport.RiskSeries(sampleTimes, risk), harvest, degrade);
  }

  /** Adds one account to a benign tally: accounts, ≥watch, ≥throttle, ≥degrade, blocked, exchanges, refused by enforcement, by limits. */
  private static void add(long[] v, Acc a) {
    v[0]++;
    v[1] += a.max.atLeast(RiskLevel.WATCH) ? 1 : 0;
    v[2] += a.max.atLeast(RiskLevel.THROTTLE) ? 1 : 0;
    v[3] += a.max.atLeast(RiskLevel.DEGRADE) ? 1 : 0;
    v[4] += a.max == RiskLevel.BLOCK ? 1 : 0;
    v[5] += a.sent;
    v[6] += a.refusedByEnforcement;
    v[7] += a.refusedByLimits;
  }

  private static Double seconds(Instant from, Instant to) {
    return from == null || to == null ? null : Duration.between(from, to).toMillis() / 1000.0;
  }

  private static double rate(long k, long n) {
    return n == 0 ? 0 : k / (double) n;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
