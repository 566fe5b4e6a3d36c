package io.distillguard.sim.eval.linkage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link LinkageReport} as {@code linkage.md} and {@code linkage.json}, and renders it for a terminal.
 * Ids, names and numbers only; strings from scenario files are escaped for Markdown and stripped of control
 * characters for terminals.
 */
public final class LinkageReportWriter {
  public static final String MARKDOWN = "linkage.md";
  public static final String JSON = "linkage.json";
  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

  private LinkageReportWriter() {}

  /** Writes both files; returns their paths, Markdown first. */
  public static List<Path> write(LinkageReport r, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path md = dir.resolve(MARKDOWN);
    Files.writeString(md, markdown(r), StandardCharsets.UTF_8);
    Path json = dir.resolve(JSON);
    Files.writeString(json, MAPPER.writeValueAsString(r) + "\n", StandardCharsets.UTF_8);
    return List.of(md, json);
  }

  public static String markdown(LinkageReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Cross-account linkage: ").append(md(r.scenario())).append("\n\n");
    sb.append("Per-account detection (`").append(md(r.detectorSet())).append("`) and linkage together, ")
        .append("enforcement applying both. Targets: at least 95% of a hydra's accounts linked into its cluster, ")
        .append("the cluster blocked before 2% of the prompt set is harvested, at most 0.1% of benign accounts in ")
        .append("attack clusters.\n\n");
    sb.append("| campaign | strategy | accounts | linked into its cluster | cluster (members, level) | cluster "
        + "blocked after | prompt set harvested at block | prompt set harvested in all | attack answers after block |\n");
    sb.append("|---|---|---:|---:|---|---:|---:|---:|---:|\n");
    for (LinkageReport.CampaignLinkage c : r.campaigns()) {
      sb.append("| ").append(md(c.id())).append(" | ").append(md(c.strategy())).append(" | ").append(c.accounts())
          .append(" | ").append(c.linked()).append(" (").append(pct(c.linkedShare())).append(")")
          .append(c.otherClusters() == 0 && c.unclustered() == 0 ? "" : "; " + c.otherClusters()
              + " other clusters, " + c.unclustered() + " unlinked").append(" | ")
          .append(c.clusterId() == null ? "none" : "`" + c.clusterId() + "` (" + c.clusterMembers() + ", "
              + c.clusterLevel() + ")").append(" | ").append(duration(c.secondsToClusterBlock()))
          .append(c.blockedByJoining() ? " (joined a blocked cluster)" : "").append(" | ")
          .append(c.promptSetShareAtBlock() == null ? "never blocked"
              : c.promptsAtBlock() + " of " + c.promptSetSize() + " (" + pct(c.promptSetShareAtBlock()) + ")")
          .append(" | ").append(c.promptsTotal()).append(c.promptSetShareTotal() == null ? ""
              : " (" + pct(c.promptSetShareTotal()) + ")").append(" | ").append(c.attackServedAfterBlock())
          .append(" |\n");
    }
    LinkageReport.BenignLinkage b = r.benign();
    sb.append("\n| benign accounts | in attack clusters | restricted by linkage | in any cluster | benign clusters "
        + "(largest) | benign clusters at watch or above |\n|---:|---:|---:|---:|---:|---:|\n");
    sb.append("| ").append(b.accounts()).append(" | ").append(b.inAttackClusters()).append(" (")
        .append(pct(b.inAttackClustersRate())).append(") | ").append(b.restrictedByLinkage()).append(" (")
        .append(pct(b.restrictedRate())).append(") | ").append(b.inAnyCluster()).append(" | ")
        .append(b.benignClusters()).append(" (").append(b.largestBenignCluster()).append(") | ")
        .append(b.actedBenignClusters()).append(" |\n\n");
    sb.append("Final recomputation: ").append(md(r.recomputation())).append(".\n");
    sb.append("Cluster-ties snapshot at the end: ").append(r.tyingKeys()).append(" tying keys, ")
        .append(r.tiesBytes()).append(" bytes as sent to remote gateway nodes.\n");
    sb.append("Key index at the end: ").append(r.keys()).append(" keys, ").append(r.keysRead())
        .append(" of them read by pair scoring and cluster ties (a stream job's profiles stage mirrors these; the "
            + "stage keyed by linkage key keeps all).\n");
    return sb.toString();
  }

  /** Plain text for a terminal. */
  public static String console(LinkageReport r) {
    StringBuilder sb = new StringBuilder("Cross-account linkage (" + printable(r.detectorSet()) + " + linkage)\n");
    for (LinkageReport.CampaignLinkage c : r.campaigns()) {
      sb.append(String.format(Locale.ROOT, "  %-22s %-18s linked %5d / %-5d (%s; %d other clusters, %d unlinked)  "
          + "cluster %s  blocked after %s, prompt set at block %s, in all %s (%d attack answers after the block)%n",
          printable(c.id()),
          printable(c.strategy()), c.linked(), c.accounts(), pct(c.linkedShare()), c.otherClusters(),
          c.unclustered(), c.clusterLevel(), duration(c.secondsToClusterBlock())
              + (c.blockedByJoining() ? " (joined a blocked cluster)" : ""),
          c.promptSetShareAtBlock() == null ? "never" : pct(c.promptSetShareAtBlock()),
          c.promptSetShareTotal() == null ? "?" : pct(c.promptSetShareTotal()), c.attackServedAfterBlock()));
    }
    LinkageReport.BenignLinkage b = r.benign();
    sb.append(String.format(Locale.ROOT, "  benign: %d accounts, %d in attack clusters (%s), %d restricted by "
        + "linkage (%s), %d in benign clusters (%d clusters, %d at watch or above)%n", b.accounts(),
        b.inAttackClusters(), pct(b.inAttackClustersRate()), b.restrictedByLinkage(), pct(b.restrictedRate()),
        b.inAnyCluster(), b.benignClusters(), b.actedBenignClusters()));
    sb.append("  ").append(printable(r.recomputation())).append('\n');
    sb.append("  cluster ties: ").append(r.tyingKeys()).append(" tying keys, ").append(r.tiesBytes())
        .append(" bytes\n");
    sb.append("  key index: ").append(r.keys()).append(" keys, ").append(r.keysRead())
        .append(" read by scoring and ties\n");
    return sb.toString();
  }

  static String pct(double v) {
    if (v > 0 && v < 0.001) {
      return String.format(Locale.ROOT, "%.3f%%", v * 100);
    }
    return String.format(Locale.ROOT, "%.1f%%", v * 100);
  }

  static String duration(Double seconds) {
    if (seconds == null) {
      return "never";
    }
    long m = Math.round(seconds / 60);
    return m < 60 ? m + " min" : (m / 60) + " h " + (m % 60) + " min";
  }

  private static String md(String s) {
    return s == null ? "" : io.distillguard.sim.eval.Text.md(s);
  }

  private static String printable(String s) {
    return s == null ? "" : s.replaceAll("\\p{Cntrl}", "?");
  }
}
