package io.distillguard.sim.eval;

import io.distillguard.sim.eval.EvalReport.BenignResult;
import io.distillguard.sim.eval.EvalReport.CampaignResult;
import io.distillguard.sim.eval.EvalReport.RunReport;
import java.util.ArrayList;
import java.util.List;

/** The evaluation's summary as plain-text tables for a terminal. Strings from scenario files are made printable. */
public final class ConsoleSummary {
  private ConsoleSummary() {}

  public static String render(EvalReport report) {
    StringBuilder sb = new StringBuilder();
    List<RunReport> runs = new ArrayList<>();
    runs.add(report.primaryRun());
    if (report.baseline() != null) {
      runs.add(report.run(report.baseline()));
    }
    for (RunReport r : runs) {
      sb.append("Detector set ").append(printable(r.detectors().name())).append(": ")
          .append(ReportWriter.detected(r)).append(" of ").append(r.campaigns().size())
          .append(" campaigns detected\n");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"campaign", "strategy", "accounts", "detected", "time to detect", "harvested before block",
          "harvested total", "accounts blocked"});
      for (CampaignResult c : r.campaigns()) {
        rows.add(new String[] {printable(c.id()), printable(c.strategy()), Text.count(c.accounts()),
            c.detected() ? "yes" : "MISSED", Text.duration(c.secondsToDetection()),
            Text.count(c.harvestedBeforeBlock()), Text.count(c.harvested()),
            Text.ratio(c.accountsBlocked(), c.accounts())});
      }
      table(sb, rows);
      rows = new ArrayList<>();
      rows.add(new String[] {"benign class", "accounts", ">= watch", ">= throttle", "blocked",
          "refused by enforcement"});
      for (BenignResult b : r.benign()) {
        rows.add(new String[] {printable(b.group()), Text.count(b.accounts()), Text.ratio(b.atWatch(), b.accounts()),
            Text.ratio(b.atThrottle(), b.accounts()), Text.ratio(b.blocked(), b.accounts()),
            Text.ratio(b.refusedByEnforcement(), b.exchanges())});
      }
      table(sb, rows);
      EvalReport.Performance p = r.performance();
      sb.append(String.format(java.util.Locale.ROOT,
          "%s exchanges in %.1f s wall, %.1f s CPU: %s per CPU second (%s without traffic generation)%n%n",
          Text.count(p.events()), p.wallSeconds(), p.cpuSeconds(), Text.rate(p.eventsPerCpuSecond()),
          Text.rate(p.eventsPerCpuSecondExcludingSource())));
    }
    return sb.toString();
  }

  private static void table(StringBuilder sb, List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] w = new int[cols];
    for (String[] row : rows) {
      for (int i = 0; i < cols; i++) {
        w[i] = Math.max(w[i], row[i].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      sb.append("  ");
      for (int i = 0; i < cols; i++) {
        boolean left = i == 0 || i == 1 && r == 0 || i == 1 && !row[i].matches("[0-9,]+");
        String cell = row[i];
        String pad = " ".repeat(w[i] - cell.length());
        sb.append(left ? cell + pad : pad + cell).append(i == cols - 1 ? "" : "  ");
      }
      sb.append('\n');
      if (r == 0) {
        sb.append("  ");
        for (int i = 0; i < cols; i++) {
          sb.append("-".repeat(w[i])).append(i == cols - 1 ? "" : "  ");
        }
        sb.append('\n');
      }
    }
    sb.append('\n');
  }

  /** Strips control characters (terminal escapes) and shortens. */
  static String printable(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 40 ? t.substring(0, 39) + "…" : t;
  }
}
