package io.distillguard.sim.eval;

import static io.distillguard.sim.eval.Text.count;
import static io.distillguard.sim.eval.Text.duration;
import static io.distillguard.sim.eval.Text.md;
import static io.distillguard.sim.eval.Text.percent;
import static io.distillguard.sim.eval.Text.ratio;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.distillguard.sim.eval.EvalReport.BenignResult;
import io.distillguard.sim.eval.EvalReport.CampaignResult;
import io.distillguard.sim.eval.EvalReport.DetectorContribution;
import io.distillguard.sim.eval.EvalReport.RunReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an {@link EvalReport} to a directory: {@code report.md} (for people), {@code report.json} (every number)
 * and {@code charts/} (PNG and SVG). Reports hold ids, names and numbers, never prompt or answer text; every string
 * that came from a scenario file or traffic is escaped for Markdown.
 */
public final class ReportWriter {
  public static final String MARKDOWN = "report.md";
  public static final String JSON = "report.json";
  public static final String CHARTS = "charts";

  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  /** Writes everything; returns the paths written, Markdown first. */
  public static List<Path> write(EvalReport report, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    Path charts = dir.resolve(CHARTS);
    Map<String, List<String>> chartFiles = new LinkedHashMap<>();
    for (RunReport run : chartedRuns(report)) {
      String slug = Text.slug(run.detectors().name());
      List<String> names = new ArrayList<>();
      String risk = "risk-over-time-" + slug;
      written.addAll(Charts.save(Charts.riskOverTime("Risk score over time, " + run.detectors().name() + " ("
          + report.scenario().name() + ")", report.scenario().start(), run.risk()), charts, risk));
      names.add(risk);
      Map<String, Long> totals = new LinkedHashMap<>();
      for (CampaignResult c : run.campaigns()) {
        totals.put(c.id(), c.harvestedBeforeBlock());
      }
      String harvest = "harvest-before-block-" + slug;
      written.addAll(Charts.save(Charts.harvestBeforeBlock("Harvest before block per account, "
          + run.detectors().name() + " (" + report.scenario().name() + ")", run.harvestBeforeBlock(), totals),
          charts, harvest));
      names.add(harvest);
      chartFiles.put(run.detectors().name(), names);
    }
    Path md = dir.resolve(MARKDOWN);
    Files.writeString(md, markdown(report, chartFiles), StandardCharsets.UTF_8);
    Path json = dir.resolve(JSON);
    Files.writeString(json, json(report), StandardCharsets.UTF_8);
    List<Path> out = new ArrayList<>();
    out.add(md);
    out.add(json);
    out.addAll(written);
    return out;
  }

  /** The report as JSON. */
  public static String json(EvalReport report) throws IOException {
    return MAPPER.writeValueAsString(report) + "\n";
  }

  private static List<RunReport> chartedRuns(EvalReport report) {
    List<RunReport> runs = new ArrayList<>();
    runs.add(report.primaryRun());
    if (report.baseline() != null) {
      runs.add(report.run(report.baseline()));
    }
    return runs;
  }

  /** The Markdown report; {@code chartFiles} maps a run name to its chart base names under {@code charts/}. */
  public static String markdown(EvalReport report, Map<String, List<String>> chartFiles) {
    StringBuilder sb = new StringBuilder();
    EvalReport.ScenarioInfo s = report.scenario();
    RunReport primary = report.primaryRun();
    RunReport baseline = report.baseline() == null ? null : report.run(report.baseline());
    sb.append("# DistillGuard evaluation: ").append(md(s.name())).append("\n\n");
    if (!s.description().isBlank()) {
      sb.append(md(s.description().strip())).append("\n\n");
    }
    sb.append("| | |\n|---|---|\n");
    row(sb, "scenario", md(s.source()));
    row(sb, "seed", Long.toString(s.seed()));
    row(sb, "simulated period", (s.start() == null ? "?" : s.start().toString()) + " to "
        + (s.end() == null ? "?" : s.end().toString()));
    row(sb, "detector set", md(primary.detectors().name()) + ": " + md(primary.detectors().description()));
    row(sb, "detectors", md(String.join(", ", primary.detectors().detectors())));
    if (baseline != null) {
      row(sb, "compared with", md(baseline.detectors().name()) + ": " + md(baseline.detectors().description()));
    }
    row(sb, "runner", "in-process (detection core directly, simulated enforcement and tier limits)");
    sb.append('\n');

    sb.append("## Summary\n\n");
    List<RunReport> cols = new ArrayList<>();
    cols.add(primary);
    if (baseline != null) {
      cols.add(baseline);
    }
    sb.append("| metric |");
    for (RunReport r : cols) {
      sb.append(' ').append(md(r.detectors().name())).append(" |");
    }
    sb.append('\n').append("|---|").append("---:|".repeat(cols.size())).append('\n');
    summaryRow(sb, cols, "campaigns detected (≥ throttle)", r -> ratio(detected(r), r.campaigns().size()));
    summaryRow(sb, cols, "median time to detection (detected campaigns)", r -> duration(medianTimeToDetection(r)));
    summaryRow(sb, cols, "attack answers harvested, all campaigns", r -> count(sum(r, CampaignResult::harvested)));
    summaryRow(sb, cols, "harvested before first throttle, all campaigns",
        r -> count(sum(r, CampaignResult::harvestedBeforeThrottle)));
    summaryRow(sb, cols, "harvested before first block, all campaigns",
        r -> count(sum(r, CampaignResult::harvestedBeforeBlock)));
    summaryRow(sb, cols, "benign ordinary accounts ≥ throttle", r -> benignRatio(r, RunMetrics.ORDINARY, true));
    summaryRow(sb, cols, "benign heavy accounts ≥ throttle", r -> benignRatio(r, RunMetrics.HEAVY, true));
    summaryRow(sb, cols, "benign accounts blocked", r -> {
      BenignResult o = r.benign(RunMetrics.ORDINARY);
      BenignResult h = r.benign(RunMetrics.HEAVY);
      return ratio((long) o.blocked() + h.blocked(), (long) o.accounts() + h.accounts());
    });
    summaryRow(sb, cols, "benign exchanges refused by enforcement", r -> {
      BenignResult o = r.benign(RunMetrics.ORDINARY);
      BenignResult h = r.benign(RunMetrics.HEAVY);
      return ratio(o.refusedByEnforcement() + h.refusedByEnforcement(), o.exchanges() + h.exchanges());
    });
    sb.append('\n');

    for (RunReport r : cols) {
      campaigns(sb, r);
    }
    for (RunReport r : cols) {
      benign(sb, r);
    }
    degrade(sb, cols);
    sb.append("## Detectors\n\n");
    sb.append("How often each detector was the top reason (largest contribution) of an escalation verdict.\n\n");
    for (RunReport r : cols) {
      sb.append("### ").append(md(r.detectors().name())).append("\n\n");
      sb.append("| detector | top reason, campaign escalations | top reason, benign escalations | "
          + "campaign escalations ≥ throttle | benign escalations ≥ throttle |\n|---|---:|---:|---:|---:|\n");
      for (DetectorContribution d : r.contributions()) {
        sb.append("| ").append(md(d.detector())).append(" | ").append(count(d.onCampaign())).append(" | ")
            .append(count(d.onBenign())).append(" | ").append(count(d.onCampaignThrottle())).append(" | ")
            .append(count(d.onBenignThrottle())).append(" |\n");
      }
      sb.append('\n');
    }

    sb.append("## Ablation\n\n");
    if (report.ablation().isEmpty()) {
      sb.append(primary.detectors().detectors().size() > 1
          ? "Not run; `--ablation` runs the scenario once more with each detector alone.\n\n"
          : "The set has a single detector, so its ablation is the set itself.\n\n");
    } else {
      sb.append("The scenario again with each detector alone (same scorer and policy).\n\n");
      sb.append("| run | campaigns detected | median time to detection | harvested before block | "
          + "benign ordinary ≥ throttle | benign heavy ≥ throttle |\n|---|---:|---:|---:|---:|---:|\n");
      List<RunReport> abl = new ArrayList<>();
      abl.add(primary);
      for (String n : report.ablation()) {
        abl.add(report.run(n));
      }
      for (RunReport r : abl) {
        sb.append("| ").append(md(r.detectors().name())).append(" | ")
            .append(ratio(detected(r), r.campaigns().size())).append(" | ")
            .append(duration(medianTimeToDetection(r))).append(" | ")
            .append(count(sum(r, CampaignResult::harvestedBeforeBlock))).append(" | ")
            .append(benignRatio(r, RunMetrics.ORDINARY, true)).append(" | ")
            .append(benignRatio(r, RunMetrics.HEAVY, true)).append(" |\n");
      }
      sb.append('\n');
    }

    sb.append("## Harvest before block per account\n\n");
    sb.append("Attack answers each campaign account got before it was blocked (all it got when never blocked).\n\n");
    for (RunReport r : cols) {
      sb.append("### ").append(md(r.detectors().name())).append("\n\n");
      sb.append("| campaign | accounts | blocked | min | median | p90 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
      for (CampaignResult c : r.campaigns()) {
        List<Long> v = r.harvestBeforeBlock().getOrDefault(c.id(), List.of());
        sb.append("| ").append(md(c.id())).append(" | ").append(count(v.size())).append(" | ")
            .append(count(c.accountsBlocked())).append(" | ")
            .append(v.isEmpty() ? "-" : count(v.get(0))).append(" | ")
            .append(v.isEmpty() ? "-" : count(nearestRank(v, 0.5))).append(" | ")
            .append(v.isEmpty() ? "-" : count(nearestRank(v, 0.9))).append(" | ")
            .append(v.isEmpty() ? "-" : count(v.get(v.size() - 1))).append(" |\n");
      }
      sb.append('\n');
    }

    sb.append("## Charts\n\n");
    for (Map.Entry<String, List<String>> e : chartFiles.entrySet()) {
      sb.append("### ").append(md(e.getKey())).append("\n\n");
      for (String base : e.getValue()) {
        String title = base.startsWith("risk") ? "Risk score over time (median solid, p90 dashed)"
            : "Harvest before block per account";
        sb.append("![").append(title).append("](").append(CHARTS).append('/').append(base).append(".png) ")
            .append("([SVG](").append(CHARTS).append('/').append(base).append(".svg))\n\n");
      }
    }
    if (chartFiles.isEmpty()) {
      sb.append("No charts were written.\n\n");
    }

    sb.append("## Runs\n\n");
    sb.append("| run | exchanges | served | refused by enforcement | refused by tier limits | verdicts | accounts | "
        + "wall time | CPU time | events per CPU second | same, without traffic generation |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (RunReport r : report.runs()) {
      EvalReport.Traffic t = r.traffic();
      EvalReport.Performance p = r.performance();
      sb.append("| ").append(md(r.detectors().name())).append(" | ").append(count(t.exchanges())).append(" | ")
          .append(count(t.served())).append(" | ").append(count(t.refusedByEnforcement())).append(" | ")
          .append(count(t.refusedByLimits())).append(" | ").append(count(t.verdicts())).append(" | ")
          .append(count(t.accounts())).append(" | ")
          .append(String.format(Locale.ROOT, "%.1f s", p.wallSeconds())).append(" | ")
          .append(String.format(Locale.ROOT, "%.1f s", p.cpuSeconds())).append(" | ")
          .append(count(Math.round(p.eventsPerCpuSecond()))).append(" | ")
          .append(count(Math.round(p.eventsPerCpuSecondExcludingSource()))).append(" |\n");
    }
    sb.append("\nOne thread runs the simulation, enforcement and detection; CPU time is that thread's. ");
    sb.append("Wall times and rates vary between machines and runs; every other number is determined by the "
        + "scenario, its seed, the data directory and the detector set. Definitions: `docs/evaluation.md`.\n");
    return sb.toString();
  }

  private static void campaigns(StringBuilder sb, RunReport r) {
    sb.append("## Campaigns: ").append(md(r.detectors().name())).append("\n\n");
    if (r.campaigns().isEmpty()) {
      sb.append("The scenario has no campaigns.\n\n");
      return;
    }
    sb.append("| campaign | strategy | accounts | detected | time to watch | time to detection | time to block | "
        + "harvested before throttle | harvested before block | harvested total | accounts ≥ throttle | "
        + "accounts blocked | prompt set harvested |\n"
        + "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (CampaignResult c : r.campaigns()) {
      sb.append("| ").append(md(c.id())).append(" | ").append(md(c.strategy())).append(" | ")
          .append(count(c.accounts())).append(" | ").append(c.detected() ? "yes" : "**missed**").append(" | ")
          .append(duration(c.secondsToWatch())).append(" | ").append(duration(c.secondsToDetection()))
          .append(" | ").append(duration(c.secondsToBlock())).append(" | ")
          .append(count(c.harvestedBeforeThrottle())).append(" | ").append(count(c.harvestedBeforeBlock()))
          .append(" | ").append(count(c.harvested())).append(" | ")
          .append(ratio(c.accountsThrottled(), c.accounts())).append(" | ")
          .append(ratio(c.accountsBlocked(), c.accounts())).append(" | ")
          .append(c.promptSetFractionHarvested() == null ? count(c.distinctPromptsHarvested()) + " prompts"
              : percent(c.promptSetFractionHarvested()) + " of " + count(c.promptSetSize()))
          .append(" |\n");
    }
    sb.append('\n');
  }

  private static void benign(StringBuilder sb, RunReport r) {
    sb.append("## Benign accounts (false positives): ").append(md(r.detectors().name())).append("\n\n");
    sb.append("| class | accounts | ≥ watch | ≥ throttle | ≥ degrade | blocked | exchanges | "
        + "refused by enforcement | refused by tier limits |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (BenignResult b : r.benign()) {
      sb.append("| ").append(md(b.group())).append(" | ").append(count(b.accounts())).append(" | ")
          .append(ratio(b.atWatch(), b.accounts())).append(" | ").append(ratio(b.atThrottle(), b.accounts()))
          .append(" | ").append(ratio(b.atDegrade(), b.accounts())).append(" | ")
          .append(ratio(b.blocked(), b.accounts())).append(" | ").append(count(b.exchanges())).append(" | ")
          .append(count(b.refusedByEnforcement())).append(" | ").append(count(b.refusedByLimits())).append(" |\n");
    }
    EvalReport.Collateral c = r.collateral();
    if (c.nonAttackSent() > 0) {
      sb.append("\nOrdinary traffic of campaign accounts (customers behind a mixed proxy): ")
          .append(count(c.nonAttackSent())).append(" requests, ").append(count(c.nonAttackRefusedByEnforcement()))
          .append(" refused by enforcement.\n");
    }
    sb.append('\n');
  }

  /**
   * What degrading did: per group, the accounts degraded at some point, the answers they were served meanwhile and
   * how much reasoning text the degraded answers lost.
   */
  private static void degrade(StringBuilder sb, List<RunReport> cols) {
    sb.append("## Degrade: reasoning served and withheld\n\n");
    sb.append("A degraded account is still served, but its answers lose their step-by-step reasoning. Per group, the "
        + "accounts degraded at some point; the answers served to them while degraded and how many of those asked "
        + "for reasoning; reasoning characters served to them over the whole run and while degraded; reasoning "
        + "characters degrading withheld; and the share withheld of what they asked for while degraded.\n\n");
    for (RunReport r : cols) {
      sb.append("### ").append(md(r.detectors().name())).append("\n\n");
      List<EvalReport.DegradeEffect> rows = r.degrade().stream().filter(d -> d.accountsDegraded() > 0).toList();
      if (rows.isEmpty()) {
        sb.append("No account was degraded.\n\n");
        continue;
      }
      sb.append("| group | accounts degraded | answers while degraded | asking for reasoning | reasoning chars served "
          + "(whole run) | served while degraded | withheld by degrade | share withheld |\n"
          + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (EvalReport.DegradeEffect d : rows) {
        sb.append("| ").append(md(d.group())).append(" | ").append(count(d.accountsDegraded())).append(" | ")
            .append(count(d.answersWhileDegraded())).append(" | ").append(count(d.reasoningAskedWhileDegraded()))
            .append(" | ").append(count(d.reasoningCharsServed())).append(" | ")
            .append(count(d.reasoningCharsServedDegraded())).append(" | ").append(count(d.reasoningCharsWithheld()))
            .append(" | ").append(d.withheldShare() == null ? "-" : percent(d.withheldShare())).append(" |\n");
      }
      List<String> benign = r.degrade().stream().filter(d -> !d.group().startsWith(RunMetrics.CLASS_CAMPAIGN_PREFIX))
          .filter(d -> d.accountsDegraded() > 0).map(EvalReport.DegradeEffect::group).toList();
      sb.append('\n').append(benign.isEmpty() ? "No benign account was degraded." : "Benign accounts degraded: "
          + md(String.join(", ", benign)) + ".").append("\n\n");
    }
  }

  private static void row(StringBuilder sb, String k, String v) {
    sb.append("| ").append(k).append(" | ").append(v).append(" |\n");
  }

  private static void summaryRow(StringBuilder sb, List<RunReport> cols, String name,
      java.util.function.Function<RunReport, String> f) {
    sb.append("| ").append(name).append(" |");
    for (RunReport r : cols) {
      sb.append(' ').append(f.apply(r)).append(" |");
    }
    sb.append('\n');
  }

  static long detected(RunReport r) {
    return r.campaigns().stream().filter(CampaignResult::detected).count();
  }

  static long sum(RunReport r, java.util.function.ToLongFunction<CampaignResult> f) {
    return r.campaigns().stream().mapToLong(f).sum();
  }

  /** Median (lower of the two middle values) of time to detection over detected campaigns; null when none. */
  static Double medianTimeToDetection(RunReport r) {
    List<Double> t = r.campaigns().stream().map(CampaignResult::secondsToDetection)
        .filter(java.util.Objects::nonNull).sorted().toList();
    return t.isEmpty() ? null : t.get((t.size() - 1) / 2);
  }

  static String benignRatio(RunReport r, String group, boolean throttle) {
    BenignResult b = r.benign(group);
    return b == null ? "-" : ratio(throttle ? b.atThrottle() : b.atWatch(), b.accounts());
  }

  static long nearestRank(List<Long> sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
