package io.distillguard.sim.calibrate;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.sim.campaign.CampaignStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tables of {@link EnforcedRun} outcomes: per campaign, whether and how fast it was stopped; per benign group, how
 * many accounts were touched at each level; and the targets checked.
 */
public final class Measurement {
  /** Strategies that per-account detection must catch. */
  public static final Set<String> REQUIRED = Set.of("naive", "low-and-slow", "reasoning-harvest",
      "multilingual-sweep", "mixed-proxy");

  private Measurement() {}

  /** One campaign's result. */
  public record CampaignRow(String scenario, String campaign, String strategy, int accounts, int throttled,
      int blocked, long campaignBeforeThrottle, boolean campaignThrottled, long campaignBeforeBlock,
      boolean campaignBlocked, long medianBeforeThrottle, long medianBeforeBlock, long harvested,
      double fractionHarvested, String topReason) {

    public boolean detected() {
      return throttled > 0;
    }
  }

  /** One benign group's result. */
  public record BenignRow(String group, int accounts, int watch, int throttle, int blocked) {}

  /** Everything measured over some runs. */
  public record Summary(List<CampaignRow> campaigns, List<BenignRow> benign, int benignAccounts, int benignThrottled,
      int benignBlocked, int heavyThrottled, int heavyBlocked) {

    /** Every campaign of a required strategy reached throttle. */
    public boolean allRequiredDetected() {
      return campaigns.stream().filter(c -> REQUIRED.contains(c.strategy())).allMatch(CampaignRow::detected);
    }

    public double benignThrottleRate() {
      return benignAccounts == 0 ? 0 : (double) benignThrottled / benignAccounts;
    }
  }

  public static Summary summarize(List<EnforcedRun.Outcome> outcomes) {
    List<CampaignRow> campaigns = new ArrayList<>();
    Map<String, int[]> benign = new TreeMap<>();
    int benignAccounts = 0;
    int benignThrottled = 0;
    int benignBlocked = 0;
    int heavyThrottled = 0;
    int heavyBlocked = 0;
    for (EnforcedRun.Outcome o : outcomes) {
      Map<String, List<EnforcedRun.AccountOutcome>> byCampaign = new LinkedHashMap<>();
      for (String c : o.strategies().keySet()) {
        byCampaign.put(c, new ArrayList<>());
      }
      for (EnforcedRun.AccountOutcome a : o.accounts()) {
        if (a.kind.campaign()) {
          byCampaign.get(a.campaign).add(a);
          continue;
        }
        String g = switch (a.kind) {
          case ORDINARY -> "ordinary";
          case HEAVY -> "heavy: " + a.group;
          default -> "licensed distiller (allow-listed)";
        };
        int[] row = benign.computeIfAbsent(g, k -> new int[4]);
        row[0]++;
        row[1] += a.level.atLeast(RiskLevel.WATCH) ? 1 : 0;
        row[2] += a.level.atLeast(RiskLevel.THROTTLE) ? 1 : 0;
        row[3] += a.level == RiskLevel.BLOCK ? 1 : 0;
        if (a.kind != AccountKind.LICENSED) {
          benignAccounts++;
          boolean t = a.level.atLeast(RiskLevel.THROTTLE);
          boolean b = a.level == RiskLevel.BLOCK;
          benignThrottled += t ? 1 : 0;
          benignBlocked += b ? 1 : 0;
          if (a.kind == AccountKind.HEAVY) {
            heavyThrottled += t ? 1 : 0;
            heavyBlocked += b ? 1 : 0;
          }
        }
      }
      Map<String, CampaignStats> stats = new LinkedHashMap<>();
      for (CampaignStats s : o.campaignStats()) {
        stats.put(s.id(), s);
      }
      for (Map.Entry<String, List<EnforcedRun.AccountOutcome>> e : byCampaign.entrySet()) {
        List<EnforcedRun.AccountOutcome> as = e.getValue();
        long[] atThrottle = as.stream().mapToLong(a -> a.attackServedAtThrottle >= 0 ? a.attackServedAtThrottle
            : a.attackServed).sorted().toArray();
        long[] atBlock = as.stream().mapToLong(a -> a.attackServedAtBlock >= 0 ? a.attackServedAtBlock
            : a.attackServed).sorted().toArray();
        long harvested = as.stream().mapToLong(a -> a.attackServed).sum();
        Map<String, Integer> reasons = new TreeMap<>();
        for (EnforcedRun.AccountOutcome a : as) {
          if (!a.throttleReason.isEmpty()) {
            reasons.merge(a.throttleReason, 1, Integer::sum);
          }
        }
        String top = reasons.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
            .orElse("");
        long bt = o.campaignServedBeforeFirstThrottle().get(e.getKey());
        long bb = o.campaignServedBeforeFirstBlock().get(e.getKey());
        CampaignStats st = stats.get(e.getKey());
        campaigns.add(new CampaignRow(o.scenario(), e.getKey(), o.strategies().get(e.getKey()), as.size(),
            (int) as.stream().filter(a -> a.level.atLeast(RiskLevel.THROTTLE)).count(),
            (int) as.stream().filter(a -> a.level == RiskLevel.BLOCK).count(), bt >= 0 ? bt : -bt - 1, bt >= 0,
            bb >= 0 ? bb : -bb - 1, bb >= 0, median(atThrottle), median(atBlock), harvested,
            st == null ? Double.NaN : st.fractionHarvested(), top));
      }
    }
    List<BenignRow> rows = new ArrayList<>();
    benign.forEach((g, r) -> rows.add(new BenignRow(g, r[0], r[1], r[2], r[3])));
    return new Summary(campaigns, rows, benignAccounts, benignThrottled, benignBlocked, heavyThrottled,
        heavyBlocked);
  }

  private static long median(long[] sorted) {
    return sorted.length == 0 ? -1 : sorted[(sorted.length - 1) / 2];
  }

  /** The tables and the targets for a set of runs. */
  public static String render(String title, Summary s) {
    StringBuilder sb = new StringBuilder();
    sb.append("### ").append(title).append("\n\n");
    TextTable c = new TextTable("scenario / campaign", "strategy", "accounts", "throttled", "blocked",
        "harvested before 1st throttle (campaign)", "per account, median: before throttle", "before block",
        "harvested in all", "prompt set harvested", "top reason at throttle");
    for (CampaignRow r : s.campaigns()) {
      c.row(r.scenario() + " / " + r.campaign(), r.strategy(), r.accounts(), r.throttled(), r.blocked(),
          r.campaignThrottled() ? TextTable.n(r.campaignBeforeThrottle()) : "never (" + TextTable.n(
              r.campaignBeforeThrottle()) + ")", r.throttled() > 0 ? TextTable.n(r.medianBeforeThrottle()) : "–",
          r.blocked() > 0 ? TextTable.n(r.medianBeforeBlock()) : "not blocked (" + TextTable.n(
              r.medianBeforeBlock()) + ")", TextTable.n(r.harvested()),
          Double.isNaN(r.fractionHarvested()) ? "–" : String.format(Locale.ROOT, "%.1f%%",
              100 * r.fractionHarvested()), r.topReason());
    }
    sb.append(c.render()).append('\n');
    TextTable b = new TextTable("benign accounts (that sent)", "accounts", ">= watch", ">= throttle", "blocked");
    for (BenignRow r : s.benign()) {
      b.row(r.group(), TextTable.n(r.accounts()), TextTable.pct(r.watch(), r.accounts()),
          TextTable.pct(r.throttle(), r.accounts()), TextTable.pct(r.blocked(), r.accounts()));
    }
    sb.append(b.render()).append('\n');
    List<String> missed = s.campaigns().stream().filter(r -> REQUIRED.contains(r.strategy()) && !r.detected())
        .map(r -> r.scenario() + "/" + r.campaign()).toList();
    long[] perAccountThrottle = s.campaigns().stream().filter(r -> REQUIRED.contains(r.strategy()))
        .mapToLong(r -> r.throttled() > 0 ? r.medianBeforeThrottle() : Long.MAX_VALUE).toArray();
    long over200 = Arrays.stream(perAccountThrottle).filter(v -> v > 200).count();
    long over1000 = s.campaigns().stream().filter(r -> REQUIRED.contains(r.strategy()))
        .filter(r -> r.medianBeforeBlock() > 1000).count();
    sb.append(String.format(Locale.ROOT, "Targets: required campaigns detected: %s; benign >= throttle %s of %,d "
            + "(%.3f%%, target <= 0.1%%), blocked %d (target 0); heavy users throttled %d, blocked %d; required "
            + "campaigns with per-account median > 200 before throttle: %d, > 1,000 before block (or in all, when "
            + "never blocked): %d.%n",
        missed.isEmpty() ? "all" : "MISSED " + missed, TextTable.n(s.benignThrottled()), s.benignAccounts(),
        100 * s.benignThrottleRate(), s.benignBlocked(), s.heavyThrottled(), s.heavyBlocked(), over200, over1000));
    return sb.toString();
  }
}
