package io.distillguard.sim.http;

import io.distillguard.sim.Label;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Totals of an HTTP run: requests sent and served, refusals by status, per label class, and (after
 * {@link HttpRunner#readBackStatuses()}) how many accounts of each class ended at each status.
 */
public final class RunSummary {
  /** The account statuses of the admin API, in increasing severity. */
  public static final List<String> STATUSES = List.of("active", "watch", "throttled", "degraded", "blocked");

  /** Totals of one label class. */
  public static final class ClassCounts {
    long sent;
    long served;
    int accounts;
    final Map<Integer, Long> byStatus = new TreeMap<>();

    public long sent() {
      return sent;
    }

    public long served() {
      return served;
    }

    /** Accounts of this class that sent at least one request. */
    public int accounts() {
      return accounts;
    }

    /** Requests by HTTP status received (0 = no answer). */
    public Map<Integer, Long> byStatus() {
      return Collections.unmodifiableMap(byStatus);
    }
  }

  long sent;
  long served;
  long noAnswer;
  long attackSent;
  long attackServed;
  int accountsCreated;
  int accountsExisting;
  final Map<Integer, Long> byStatus = new TreeMap<>();
  final Map<Label.Kind, ClassCounts> byClass = new EnumMap<>(Label.Kind.class);
  Instant firstTime;
  Instant lastTime;
  Duration wall = Duration.ZERO;
  String stopReason;
  final Map<Label.Kind, Map<String, Integer>> finalStatuses = new EnumMap<>(Label.Kind.class);

  RunSummary() {}

  void add(RequestRecord r, boolean newAccount) {
    sent++;
    byStatus.merge(r.status(), 1L, Long::sum);
    if (r.served()) {
      served++;
    }
    if (r.status() == 0) {
      noAnswer++;
    }
    if (r.attack()) {
      attackSent++;
      if (r.served()) {
        attackServed++;
      }
    }
    ClassCounts c = byClass.computeIfAbsent(r.label().kind(), k -> new ClassCounts());
    c.sent++;
    if (r.served()) {
      c.served++;
    }
    if (newAccount) {
      c.accounts++;
    }
    c.byStatus.merge(r.status(), 1L, Long::sum);
    if (firstTime == null || r.time().isBefore(firstTime)) {
      firstTime = r.time();
    }
    if (lastTime == null || r.time().isAfter(lastTime)) {
      lastTime = r.time();
    }
  }

  public long sent() {
    return sent;
  }

  public long served() {
    return served;
  }

  /** Requests that got no HTTP answer (connection failed, timed out). */
  public long noAnswer() {
    return noAnswer;
  }

  public long attackSent() {
    return attackSent;
  }

  public long attackServed() {
    return attackServed;
  }

  /** Accounts the run created through the admin API. */
  public int accountsCreated() {
    return accountsCreated;
  }

  /** Accounts that already existed on the gateway (a repeated run); their keys were added. */
  public int accountsExisting() {
    return accountsExisting;
  }

  /** Requests by HTTP status received (0 = no answer). */
  public Map<Integer, Long> byStatus() {
    return Collections.unmodifiableMap(byStatus);
  }

  public Map<Label.Kind, ClassCounts> byClass() {
    return Collections.unmodifiableMap(byClass);
  }

  /** Earliest and latest simulated request time; null before any request. */
  public Instant firstTime() {
    return firstTime;
  }

  public Instant lastTime() {
    return lastTime;
  }

  public Duration wall() {
    return wall;
  }

  /** Null when the run went to its end, else why it stopped early. */
  public String stopReason() {
    return stopReason;
  }

  /** Per label class, how many accounts ended at each status; empty until read back. */
  public Map<Label.Kind, Map<String, Integer>> finalStatuses() {
    return Collections.unmodifiableMap(finalStatuses);
  }

  /** A plain-text table for the terminal. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    double secs = Math.max(0.001, wall.toMillis() / 1000.0);
    sb.append(String.format(Locale.ROOT, "requests: %d sent, %d served, %s%n", sent, served,
        refusals(byStatus)));
    if (firstTime != null) {
      sb.append(String.format(Locale.ROOT, "simulated time %s .. %s (%s) in %.1f s wall, %.0f requests/s%n",
          firstTime, lastTime, human(Duration.between(firstTime, lastTime)), secs, sent / secs));
    }
    sb.append(String.format(Locale.ROOT, "attack requests: %d sent, %d served%n", attackSent, attackServed));
    sb.append(String.format(Locale.ROOT, "accounts: %d created%s%n", accountsCreated,
        accountsExisting == 0 ? "" : ", " + accountsExisting + " already existed"));
    sb.append(String.format(Locale.ROOT, "%-14s %8s %9s %9s  %s%n", "class", "accounts", "requests", "served",
        "not served, by status"));
    for (Map.Entry<Label.Kind, ClassCounts> e : byClass.entrySet()) {
      ClassCounts c = e.getValue();
      sb.append(String.format(Locale.ROOT, "%-14s %8d %9d %9d  %s%n", RequestRecord.kindName(e.getKey()),
          c.accounts, c.sent, c.served, refusals(c.byStatus)));
    }
    if (!finalStatuses.isEmpty()) {
      sb.append("accounts by status at the end (GET /admin/v1/accounts/{id}):\n");
      List<String> cols = new ArrayList<>(STATUSES);
      for (Map<String, Integer> m : finalStatuses.values()) {
        for (String s : m.keySet()) {
          if (!cols.contains(s)) {
            cols.add(s);
          }
        }
      }
      StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-14s", "class"));
      for (String s : cols) {
        head.append(String.format(Locale.ROOT, " %9s", s));
      }
      sb.append(head).append('\n');
      for (Map.Entry<Label.Kind, Map<String, Integer>> e : finalStatuses.entrySet()) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-14s",
            RequestRecord.kindName(e.getKey())));
        for (String s : cols) {
          row.append(String.format(Locale.ROOT, " %9d", e.getValue().getOrDefault(s, 0)));
        }
        sb.append(row).append('\n');
      }
    }
    if (stopReason != null) {
      sb.append("stopped early: ").append(stopReason).append('\n');
    }
    return sb.toString();
  }

  /** "refused 403×3 429×10, no answer 2" or "none refused". */
  static String refusals(Map<Integer, Long> byStatus) {
    Map<Integer, Long> other = new LinkedHashMap<>();
    long none = 0;
    for (Map.Entry<Integer, Long> e : byStatus.entrySet()) {
      if (e.getKey() == 0) {
        none = e.getValue();
      } else if (e.getKey() != 200) {
        other.put(e.getKey(), e.getValue());
      }
    }
    if (other.isEmpty() && none == 0) {
      return "none refused";
    }
    StringBuilder sb = new StringBuilder();
    if (!other.isEmpty()) {
      sb.append("refused/failed");
      other.forEach((k, v) -> sb.append(' ').append(k).append('×').append(v));
    }
    if (none > 0) {
      sb.append(sb.length() == 0 ? "" : ", ").append("no answer ").append(none);
    }
    return sb.toString();
  }

  static String human(Duration d) {
    long s = d.getSeconds();
    if (s >= 86_400) {
      return String.format(Locale.ROOT, "%.1f days", s / 86_400.0);
    }
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%.1f min", s / 60.0);
    }
    return s + " s";
  }
}
