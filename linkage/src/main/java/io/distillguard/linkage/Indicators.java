package io.distillguard.linkage;

import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Imported indicator bundles, matched against accounts as they show themselves. One family matching is ordinary (a
 * shared cloud range, a popular SDK); two families put the account on {@code watch}, three or more on
 * {@code throttle}, never above the exporting cluster's level. An account is pre-scored once per level.
 */
final class Indicators {
  private record Compiled(IndicatorBundle bundle, Set<Long> subnets, Set<Long> clients, Set<Long> systems,
      Set<Long> templates, Set<Long> payments, long window, RiskLevel cap) {}

  private final List<Compiled> compiled = new ArrayList<>();
  private final List<IndicatorBundle> bundles = new ArrayList<>();
  private final Map<String, RiskLevel> done = new HashMap<>();

  void add(IndicatorBundle b) {
    Set<Long> subnets = new HashSet<>();
    for (String s : b.subnets()) {
      subnets.add(Subnets.parseCidr(s));
    }
    compiled.add(new Compiled(b, subnets, parse(b.clientFingerprints()), parse(b.systemPrompts()),
        parse(b.templates()), parse(b.paymentFingerprints()), b.timing() == null ? 0 : b.timing().window(),
        b.levelValue()));
    bundles.add(b);
  }

  boolean isEmpty() {
    return compiled.isEmpty();
  }

  List<IndicatorBundle> bundles() {
    return bundles;
  }

  LinkageAction prescore(AccountProfile p, Instant at) {
    RiskLevel best = RiskLevel.NONE;
    Compiled by = null;
    Set<Family> byFamilies = Set.of();
    for (Compiled c : compiled) {
      Set<Family> f = EnumSet.noneOf(Family.class);
      if (c.payments.contains(p.payment)) {
        f.add(Family.IDENTITY);
      }
      if (c.subnets.contains(p.signupSubnet)) {
        f.add(Family.NETWORK);
      }
      for (int i = 0; i < p.subnets.slots(); i++) {
        if (p.subnets.counts[i] > 0 && c.subnets.contains(p.subnets.keys[i])) {
          f.add(Family.NETWORK);
        }
      }
      if (p.clients.top() != 0 && c.clients.contains(p.clients.top())) {
        f.add(Family.CLIENT);
      }
      if ((p.systems.top() != 0 && c.systems.contains(p.systems.top()))
          || anyTemplate(p, c.templates)) {
        f.add(Family.CONTENT);
      }
      if (c.window != 0 && p.lattice() == c.window) {
        f.add(Family.TIMING);
      }
      RiskLevel l = f.size() >= 3 ? RiskLevel.THROTTLE : f.size() == 2 ? RiskLevel.WATCH : RiskLevel.NONE;
      if (l.compareTo(c.cap) > 0) {
        l = c.cap;
      }
      if (l.compareTo(best) > 0) {
        best = l;
        by = c;
        byFamilies = f;
      }
    }
    if (by == null || best.compareTo(done.getOrDefault(p.id, RiskLevel.NONE)) <= 0) {
      return null;
    }
    done.put(p.id, best);
    String fams = byFamilies.stream().map(Family::wireName).collect(Collectors.joining(", "));
    double score = Math.min(1, byFamilies.size() / 5.0 + 0.2);
    RiskScore risk = new RiskScore(score, best, p.exchanges, List.of(new Reason("indicators", byFamilies.size(),
        score, "matches imported indicators of cluster " + by.bundle.clusterId() + " in " + fams)));
    return new LinkageAction(p.id, "imported:" + by.bundle.clusterId(), best, risk, true, at);
  }

  private static boolean anyTemplate(AccountProfile p, Set<Long> templates) {
    if (templates.isEmpty() || p.templated == 0) {
      return false;
    }
    for (int i = 0; i < p.templates.slots(); i++) {
      if (p.templates.counts[i] >= 0.6 * p.templated && templates.contains(p.templates.keys[i])) {
        return true;
      }
    }
    return false;
  }

  private static Set<Long> parse(List<String> hex) {
    Set<Long> out = new HashSet<>();
    for (String h : hex) {
      out.add(Long.parseUnsignedLong(h, 16));
    }
    return out;
  }
}
