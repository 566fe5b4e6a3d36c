package io.distillguard.ui;

import io.distillguard.core.Account;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.store.Analytics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/** The accounts table: one row per account, filtered, sorted and paged on the server. */
final class AccountIndex {

  record Row(Account account, RiskScore risk, String clusterId, long exchanges, Instant lastSeen) {
    String tier() {
      return account.tier();
    }

    String country() {
      return account.attributes().getOrDefault("country", "");
    }
  }

  /** What the table asks for; null filters match everything. */
  record Query(String q, String status, String level, String tier, String country, String cluster, String sort,
      boolean descending, int page, int size) {}

  record Page(List<Row> rows, int total, List<String> tiers, List<String> countries) {}

  static final List<String> SORTS = List.of("score", "id", "name", "status", "exchanges", "last_seen", "tier",
      "country");

  private final List<Row> rows;

  AccountIndex(List<Account> accounts, Function<String, RiskScore> risk, Function<String, String> cluster,
      Map<String, Analytics.Activity> activity) {
    rows = new ArrayList<>(accounts.size());
    for (Account a : accounts) {
      Analytics.Activity act = activity.get(a.id());
      rows.add(new Row(a, risk.apply(a.id()), cluster.apply(a.id()), act == null ? 0 : act.exchanges(),
          act == null ? null : act.lastSeen()));
    }
  }

  List<Row> rows() {
    return rows;
  }

  Page page(Query q) {
    String needle = q.q() == null ? null : q.q().toLowerCase(Locale.ROOT).strip();
    List<Row> hits = new ArrayList<>();
    TreeSet<String> tiers = new TreeSet<>();
    TreeSet<String> countries = new TreeSet<>();
    for (Row r : rows) {
      tiers.add(r.tier());
      if (!r.country().isEmpty()) {
        countries.add(r.country());
      }
      if (needle != null && !needle.isEmpty() && !r.account().id().toLowerCase(Locale.ROOT).contains(needle)
          && (r.account().name() == null || !r.account().name().toLowerCase(Locale.ROOT).contains(needle))) {
        continue;
      }
      if (q.status() != null && !r.account().status().wireName().equals(q.status())) {
        continue;
      }
      if (q.level() != null && !r.risk().level().wireName().equals(q.level())) {
        continue;
      }
      if (q.tier() != null && !r.tier().equals(q.tier())) {
        continue;
      }
      if (q.country() != null && !r.country().equals(q.country())) {
        continue;
      }
      if (q.cluster() != null) {
        boolean match = switch (q.cluster()) {
          case "any" -> r.clusterId() != null;
          case "none" -> r.clusterId() == null;
          default -> q.cluster().equals(r.clusterId());
        };
        if (!match) {
          continue;
        }
      }
      hits.add(r);
    }
    Comparator<Row> c = switch (q.sort() == null ? "score" : q.sort()) {
      case "id" -> Comparator.comparing(r -> r.account().id());
      case "name" -> Comparator.comparing(r -> r.account().name() == null ? "" : r.account().name());
      case "status" -> Comparator.comparing(r -> r.account().status());
      case "exchanges" -> Comparator.comparingLong(Row::exchanges);
      case "last_seen" -> Comparator.comparing(Row::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder()));
      case "tier" -> Comparator.comparing(Row::tier);
      case "country" -> Comparator.comparing(Row::country);
      default -> Comparator.comparingDouble(r -> r.risk().score());
    };
    c = q.descending() ? c.reversed() : c;
    hits.sort(c.thenComparing(r -> r.account().id()));
    int from = Math.min(hits.size(), (q.page() - 1) * q.size());
    int to = Math.min(hits.size(), from + q.size());
    return new Page(List.copyOf(hits.subList(from, to)), hits.size(), List.copyOf(tiers), List.copyOf(countries));
  }

  static RiskLevel levelOf(String wire) {
    for (RiskLevel l : RiskLevel.values()) {
      if (l.wireName().equals(wire)) {
        return l;
      }
    }
    throw new IllegalArgumentException("level must be one of none, watch, throttle, degrade, block");
  }
}
