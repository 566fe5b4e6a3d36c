package io.distillguard.sim.analyze;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an offline analysis found: the accounts detection flagged (level, score, reasons, when first flagged), the
 * busiest accounts, and the lines it could not use. Written as Markdown for people and JSON for tools; every string
 * that came from the logs is escaped in both.
 */
public final class AnalysisReport {
  private static final int MAX_IPS = 10_000;
  private static final int MAX_AGENTS = 50;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Per-account totals and outcome. */
  public static final class AccountStats {
    final String account;
    long exchanges;
    Instant firstSeen;
    Instant lastSeen;
    final Set<String> ips = new HashSet<>();
    boolean ipsCapped;
    final Map<String, Long> userAgents = new HashMap<>();
    final Map<RiskLevel, Instant> levels = new EnumMap<>(RiskLevel.class);
    RiskScore risk = RiskScore.NONE;
    RiskLevel level = RiskLevel.NONE;

    AccountStats(String account) {
      this.account = account;
    }

    void observe(Exchange e) {
      exchanges++;
      if (firstSeen == null) {
        firstSeen = e.eventTime();
      }
      lastSeen = e.eventTime();
      if (e.clientIp() != null) {
        if (ips.size() < MAX_IPS) {
          ips.add(e.clientIp());
        } else if (!ips.contains(e.clientIp())) {
          ipsCapped = true;
        }
      }
      if (e.userAgent() != null && (userAgents.size() < MAX_AGENTS || userAgents.containsKey(e.userAgent()))) {
        userAgents.merge(e.userAgent(), 1L, Long::sum);
      }
    }

    public String account() {
      return account;
    }

    public long exchanges() {
      return exchanges;
    }

    public RiskLevel level() {
      return level;
    }

    public RiskScore risk() {
      return risk;
    }

    /** When the account first reached any level above none; null when never. */
    public Instant firstFlagged() {
      Instant t = null;
      for (Instant i : levels.values()) {
        if (t == null || i.isBefore(t)) {
          t = i;
        }
      }
      return t;
    }

    /** Event time at which each level was first reached. */
    public Map<RiskLevel, Instant> levels() {
      return Collections.unmodifiableMap(levels);
    }

    List<Map.Entry<String, Long>> topAgents(int n) {
      List<Map.Entry<String, Long>> l = new ArrayList<>(userAgents.entrySet());
      l.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
      return l.subList(0, Math.min(n, l.size()));
    }
  }

  private final String source;
  private final String mapping;
  private final String detectorSet;
  private final String detectorDescription;
  private final List<String> detectorNames;
  private final long lines;
  private final long records;
  private final long malformedCount;
  private final List<LogAnalyzer.Malformed> malformed;
  private final List<String> warnings;
  private final Instant first;
  private final Instant last;
  private final List<AccountStats> accounts;

  AnalysisReport(String source, String mapping, String detectorSet, String detectorDescription,
      List<String> detectorNames, long lines, long records, long malformedCount, List<LogAnalyzer.Malformed> malformed,
      List<String> warnings, Instant first, Instant last, List<AccountStats> accounts) {
    this.source = source;
    this.mapping = mapping;
    this.detectorSet = detectorSet;
    this.detectorDescription = detectorDescription;
    this.detectorNames = List.copyOf(detectorNames);
    this.lines = lines;
    this.records = records;
    this.malformedCount = malformedCount;
    this.malformed = malformed;
    this.warnings = List.copyOf(warnings);
    this.first = first;
    this.last = last;
    this.accounts = accounts;
  }

  public long lines() {
    return lines;
  }

  /** Lines that became exchanges. */
  public long records() {
    return records;
  }

  public long malformedCount() {
    return malformedCount;
  }

  /** The first {@link LogAnalyzer#MAX_LISTED} malformed lines with why. */
  public List<LogAnalyzer.Malformed> malformed() {
    return malformed;
  }

  public List<String> warnings() {
    return warnings;
  }

  public List<AccountStats> accounts() {
    return Collections.unmodifiableList(accounts);
  }

  /** Accounts detection moved above {@code none}, highest level and score first. */
  public List<AccountStats> flagged() {
    List<AccountStats> out = new ArrayList<>();
    for (AccountStats a : accounts) {
      if (a.level != RiskLevel.NONE) {
        out.add(a);
      }
    }
    out.sort(Comparator.comparing((AccountStats a) -> a.level).reversed()
        .thenComparing(Comparator.comparingDouble((AccountStats a) -> a.risk.score()).reversed())
        .thenComparing(a -> a.account));
    return out;
  }

  private List<AccountStats> busiest(int n) {
    List<AccountStats> out = new ArrayList<>(accounts);
    out.sort(Comparator.comparingLong((AccountStats a) -> a.exchanges).reversed().thenComparing(a -> a.account));
    return out.subList(0, Math.min(n, out.size()));
  }

  private Map<RiskLevel, Integer> byLevel() {
    Map<RiskLevel, Integer> m = LogAnalyzer.emptyCounts();
    for (AccountStats a : accounts) {
      m.merge(a.level, 1, Integer::sum);
    }
    return m;
  }

  // ------------------------------------------------------------------------------------------------ JSON

  /** The report as a JSON tree (strings from the logs are escaped when written by {@link #writeJson}). */
  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("source", source);
    root.put("mapping", mapping);
    ObjectNode d = root.putObject("detectors");
    d.put("name", detectorSet);
    d.put("description", detectorDescription);
    ArrayNode dn = d.putArray("detectors");
    detectorNames.forEach(dn::add);
    root.put("lines", lines);
    root.put("records", records);
    ObjectNode m = root.putObject("malformed");
    m.put("count", malformedCount);
    ArrayNode ml = m.putArray("lines");
    for (LogAnalyzer.Malformed x : malformed) {
      ml.addObject().put("line", x.line()).put("reason", x.reason());
    }
    m.put("truncated", malformedCount > malformed.size());
    ArrayNode w = root.putArray("warnings");
    warnings.forEach(w::add);
    ObjectNode tr = root.putObject("time_range");
    tr.put("first", first == null ? null : first.toString());
    tr.put("last", last == null ? null : last.toString());
    ObjectNode acc = root.putObject("accounts");
    acc.put("total", accounts.size());
    List<AccountStats> flagged = flagged();
    acc.put("flagged", flagged.size());
    ObjectNode bl = acc.putObject("by_level");
    byLevel().forEach((k, v) -> bl.put(k.wireName(), v));
    ArrayNode fl = root.putArray("flagged");
    for (AccountStats a : flagged) {
      fl.add(account(a, true));
    }
    ArrayNode top = root.putArray("busiest");
    for (AccountStats a : busiest(20)) {
      top.add(account(a, false));
    }
    return root;
  }

  private ObjectNode account(AccountStats a, boolean detail) {
    ObjectNode n = JSON.createObjectNode();
    n.put("account", a.account);
    n.put("level", a.level.wireName());
    n.put("score", round(a.risk.score()));
    Instant ff = a.firstFlagged();
    n.put("first_flagged", ff == null ? null : ff.toString());
    n.put("exchanges", a.exchanges);
    n.put("first_seen", a.firstSeen == null ? null : a.firstSeen.toString());
    n.put("last_seen", a.lastSeen == null ? null : a.lastSeen.toString());
    n.put("distinct_client_ips", a.ips.size());
    if (a.ipsCapped) {
      n.put("distinct_client_ips_capped", true);
    }
    if (detail) {
      ObjectNode lv = n.putObject("levels");
      a.levels.forEach((k, v) -> lv.put(k.wireName(), v.toString()));
      ArrayNode ua = n.putArray("top_user_agents");
      for (Map.Entry<String, Long> e : a.topAgents(5)) {
        ua.addObject().put("user_agent", e.getKey()).put("count", e.getValue());
      }
      ArrayNode rs = n.putArray("reasons");
      for (Reason r : a.risk.reasons()) {
        rs.addObject().put("signal", r.signal()).put("value", round(r.value()))
            .put("contribution", round(r.contribution())).put("explanation", r.explanation());
      }
    }
    return n;
  }

  /** Writes the JSON report with HTML-safe escapes. */
  public void writeJson(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      JsonGenerator g = JSON.getFactory().createGenerator(out);
      g.setCharacterEscapes(new Escape.JsonEscapes());
      g.useDefaultPrettyPrinter();
      JSON.writeTree(g, toJson());
      g.flush();
      out.write('\n');
    }
  }

  // -------------------------------------------------------------------------------------------- Markdown

  /** The report as Markdown. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# DistillGuard offline analysis\n\n");
    sb.append("| | |\n|---|---|\n");
    row(sb, "log", Escape.markdown(source));
    row(sb, "mapping", Escape.markdown(mapping));
    row(sb, "detectors", Escape.markdown(detectorSet) + " — " + Escape.markdown(detectorDescription));
    row(sb, "lines read", Long.toString(lines));
    row(sb, "exchanges analysed", Long.toString(records));
    row(sb, "malformed lines", Long.toString(malformedCount));
    row(sb, "time range", first == null ? "—" : first + " … " + last);
    row(sb, "accounts", Integer.toString(accounts.size()));
    List<AccountStats> flagged = flagged();
    row(sb, "accounts flagged", Integer.toString(flagged.size()));
    StringBuilder levels = new StringBuilder();
    for (Map.Entry<RiskLevel, Integer> e : byLevel().entrySet()) {
      levels.append(levels.length() == 0 ? "" : ", ").append(e.getKey().wireName()).append(' ').append(e.getValue());
    }
    row(sb, "by level", levels.toString());
    sb.append('\n');

    sb.append("## Flagged accounts\n\n");
    if (flagged.isEmpty()) {
      sb.append("No account reached a level above `none`.\n\n");
    } else {
      sb.append("| account | level | score | first flagged | exchanges | client IPs | top reason |\n");
      sb.append("|---|---|---:|---|---:|---:|---|\n");
      for (AccountStats a : flagged) {
        Reason top = a.risk.reasons().isEmpty() ? null : a.risk.reasons().get(0);
        sb.append("| ").append(Escape.markdown(a.account)).append(" | ").append(a.level.wireName()).append(" | ")
            .append(String.format(Locale.ROOT, "%.3f", a.risk.score())).append(" | ")
            .append(a.firstFlagged() == null ? "—" : a.firstFlagged().toString()).append(" | ")
            .append(a.exchanges).append(" | ").append(a.ips.size()).append(a.ipsCapped ? "+" : "").append(" | ")
            .append(top == null ? "—" : Escape.markdown(top.signal() + ": " + top.explanation())).append(" |\n");
      }
      sb.append('\n');
      for (AccountStats a : flagged) {
        sb.append("### ").append(Escape.markdown(a.account)).append("\n\n");
        sb.append(String.format(Locale.ROOT, "- level **%s**, score %.3f, %d exchanges from %s to %s%n",
            a.level.wireName(), a.risk.score(), a.exchanges, a.firstSeen, a.lastSeen));
        StringBuilder lv = new StringBuilder();
        a.levels.forEach((k, v) -> lv.append(lv.length() == 0 ? "" : ", ").append(k.wireName()).append(" at ")
            .append(v));
        sb.append("- reached ").append(lv).append('\n');
        List<Map.Entry<String, Long>> agents = a.topAgents(3);
        if (!agents.isEmpty()) {
          sb.append("- user agents: ");
          for (int i = 0; i < agents.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(Escape.markdown(agents.get(i).getKey())).append(" (")
                .append(agents.get(i).getValue()).append(')');
          }
          sb.append('\n');
        }
        sb.append("- reasons:\n");
        for (Reason r : a.risk.reasons()) {
          sb.append(String.format(Locale.ROOT, "  - %s (value %.3f, contribution %.3f): %s%n",
              Escape.markdown(r.signal()), r.value(), r.contribution(), Escape.markdown(r.explanation())));
        }
        sb.append('\n');
      }
    }

    sb.append("## Busiest accounts\n\n| account | exchanges | level | score |\n|---|---:|---|---:|\n");
    for (AccountStats a : busiest(20)) {
      sb.append("| ").append(Escape.markdown(a.account)).append(" | ").append(a.exchanges).append(" | ")
          .append(a.level.wireName()).append(" | ").append(String.format(Locale.ROOT, "%.3f", a.risk.score()))
          .append(" |\n");
    }
    sb.append('\n');

    if (!warnings.isEmpty()) {
      sb.append("## Warnings\n\n");
      for (String w : warnings) {
        sb.append("- ").append(Escape.markdown(w)).append('\n');
      }
      sb.append('\n');
    }
    sb.append("## Malformed lines\n\n");
    if (malformedCount == 0) {
      sb.append("None.\n");
    } else {
      sb.append(malformedCount).append(" line(s) could not be used").append(malformedCount > 50
          ? "; the first 50 (all of the first " + LogAnalyzer.MAX_LISTED + " are in the JSON report):" : ":")
          .append("\n\n| line | problem |\n|---:|---|\n");
      for (LogAnalyzer.Malformed m : malformed.subList(0, Math.min(50, malformed.size()))) {
        sb.append("| ").append(m.line()).append(" | ").append(Escape.markdown(m.reason())).append(" |\n");
      }
    }
    return sb.toString();
  }

  public void writeMarkdown(Path file) throws IOException {
    Files.writeString(file, toMarkdown(), StandardCharsets.UTF_8);
  }

  /** A short summary for the terminal (log strings made safe for it). */
  public String summary(int maxRows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d lines, %d exchanges analysed, %d malformed%s; %d accounts, %d flagged "
        + "(detectors: %s)%n", lines, records, malformedCount, malformedCount == 0 ? "" : firstMalformed(),
        accounts.size(), flagged().size(), Escape.terminal(detectorSet)));
    for (String w : warnings) {
      sb.append("warning: ").append(Escape.terminal(w)).append('\n');
    }
    List<AccountStats> flagged = flagged();
    if (!flagged.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "%-32s %-8s %6s %-24s %s%n", "account", "level", "score",
          "first flagged", "exchanges"));
      for (AccountStats a : flagged.subList(0, Math.min(maxRows, flagged.size()))) {
        sb.append(String.format(Locale.ROOT, "%-32s %-8s %6.3f %-24s %d%n", Escape.terminal(a.account),
            a.level.wireName(), a.risk.score(), a.firstFlagged(), a.exchanges));
      }
      if (flagged.size() > maxRows) {
        sb.append("... and ").append(flagged.size() - maxRows).append(" more in the report\n");
      }
    }
    return sb.toString();
  }

  private String firstMalformed() {
    StringBuilder sb = new StringBuilder(" (lines ");
    for (int i = 0; i < Math.min(5, malformed.size()); i++) {
      sb.append(i == 0 ? "" : ", ").append(malformed.get(i).line());
    }
    return sb.append(malformedCount > 5 ? ", ...)" : ")").toString();
  }

  private static void row(StringBuilder sb, String k, String v) {
    sb.append("| ").append(k).append(" | ").append(v).append(" |\n");
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  /** For tests: an account's stats by id. */
  public AccountStats account(String id) {
    for (AccountStats a : accounts) {
      if (a.account.equals(id)) {
        return a;
      }
    }
    return null;
  }
}
