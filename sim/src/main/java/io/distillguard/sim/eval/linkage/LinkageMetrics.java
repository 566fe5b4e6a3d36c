package io.distillguard.sim.eval.linkage;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Verdict;
import io.distillguard.linkage.ClusterView;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.run.Disposition;
import io.distillguard.sim.run.RunListener;
import io.distillguard.sim.run.TrafficSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records what linkage did in one in-process run, against the ground truth: per campaign the share of its accounts
 * linked into its cluster and how much of its prompt set it had harvested when that cluster was blocked; per benign
 * account whether it ended in an attack cluster or was restricted by a linkage action.
 */
public final class LinkageMetrics implements RunListener {
  private final String scenario;
  private final String detectorSet;
  private final Map<String, Label> labels = new HashMap<>();
  private final Map<String, Camp> campaigns = new LinkedHashMap<>();
  private final Set<String> benignRestricted = new HashSet<>();
  private LinkageReport report;

  private static final class Camp {
    final String id;
    String strategy = "unknown";
    int promptSetSize;
    final Set<String> accounts = new HashSet<>();
    final Set<Long> prompts = new HashSet<>();
    Instant firstRequest;
    Instant blockedAt;
    long promptsAtBlock = -1;
    long attackAfterBlock;
    /** A campaign absorbed into a cluster blocked before it appeared: its first account's join at block. */
    Instant joinBlockedAt;
    long promptsAtJoinBlock = -1;
    long attackAfterJoinBlock;

    Camp(String id) {
      this.id = id;
    }
  }

  public LinkageMetrics(String scenario, String detectorSet) {
    this.scenario = scenario;
    this.detectorSet = detectorSet;
  }

  @Override
  public void onStart(TrafficSource source) {
    for (Map.Entry<String, String> c : source.campaignStrategies().entrySet()) {
      Camp camp = campaigns.computeIfAbsent(c.getKey(), Camp::new);
      camp.strategy = c.getValue();
      camp.promptSetSize = Math.max(0, source.campaignPromptSetSize(c.getKey()));
    }
  }

  @Override
  public void onExchange(SimRequest r, Disposition d, Exchange e) {
    Label l = r.account().label() == null ? Label.BENIGN : r.account().label();
    labels.putIfAbsent(r.account().id(), l);
    if (l.kind() != Label.Kind.CAMPAIGN) {
      return;
    }
    Camp c = campaigns.computeIfAbsent(l.group(), Camp::new);
    c.accounts.add(r.account().id());
    if (c.firstRequest == null) {
      c.firstRequest = r.time();
    }
    if (r.attack() && d.served()) {
      String sha = e.promptSha256();
      c.prompts.add(sha != null && sha.length() >= 16 ? Long.parseUnsignedLong(sha, 0, 16, 16)
          : e.userText().hashCode());
      if (c.blockedAt != null) {
        c.attackAfterBlock++;
      }
      if (c.joinBlockedAt != null) {
        c.attackAfterJoinBlock++;
      }
    }
  }

  @Override
  public void onVerdict(SimRequest request, Verdict verdict) {}

  @Override
  public void onLinkage(LinkageAction a) {
    Label l = labels.get(a.accountId());
    if (l == null) {
      return;
    }
    if (l.kind() != Label.Kind.CAMPAIGN) {
      if (a.level().atLeast(RiskLevel.THROTTLE)) {
        benignRestricted.add(a.accountId());
      }
      return;
    }
    Camp c = campaigns.get(l.group());
    if (c != null && c.blockedAt == null && a.level() == RiskLevel.BLOCK && !a.joined()) {
      c.blockedAt = a.at();
      c.promptsAtBlock = c.prompts.size();
    }
    if (c != null && c.joinBlockedAt == null && a.level() == RiskLevel.BLOCK && a.joined()) {
      c.joinBlockedAt = a.at();
      c.promptsAtJoinBlock = c.prompts.size();
    }
  }

  @Override
  public void onLinkageEnd(LinkageEngine engine) {
    List<LinkageReport.CampaignLinkage> out = new ArrayList<>();
    Map<String, Integer> campaignMembers = new HashMap<>();
    Map<String, Integer> benignMembers = new HashMap<>();
    for (Map.Entry<String, Label> e : labels.entrySet()) {
      String cl = engine.clusterOf(e.getKey());
      if (cl != null) {
        (e.getValue().kind() == Label.Kind.CAMPAIGN ? campaignMembers : benignMembers).merge(cl, 1, Integer::sum);
      }
    }
    for (Camp c : campaigns.values()) {
      Map<String, Integer> by = new HashMap<>();
      for (String a : c.accounts) {
        String cl = engine.clusterOf(a);
        if (cl != null) {
          by.merge(cl, 1, Integer::sum);
        }
      }
      String best = null;
      for (Map.Entry<String, Integer> e : by.entrySet()) {
        if (best == null || e.getValue() > by.get(best) || (e.getValue().equals(by.get(best))
            && e.getKey().compareTo(best) < 0)) {
          best = e.getKey();
        }
      }
      int linked = best == null ? 0 : by.get(best);
      ClusterView v = best == null ? null : engine.cluster(best);
      // A campaign whose cluster was never blocked as a whole but whose accounts joined one already blocked (one
      // operator's two campaigns, the second absorbed into the first's cluster) is blocked from its first join.
      boolean byJoining = c.blockedAt == null && c.joinBlockedAt != null;
      Instant blockedAt = byJoining ? c.joinBlockedAt : c.blockedAt;
      long promptsAtBlock = byJoining ? c.promptsAtJoinBlock : c.promptsAtBlock;
      long afterBlock = byJoining ? c.attackAfterJoinBlock : c.attackAfterBlock;
      Double toBlock = c.firstRequest == null || blockedAt == null ? null
          : Duration.between(c.firstRequest, blockedAt).toMillis() / 1000.0;
      int clustered = 0;
      for (int k : by.values()) {
        clustered += k;
      }
      out.add(new LinkageReport.CampaignLinkage(c.id, c.strategy, c.accounts.size(), linked,
          rate(linked, c.accounts.size()), Math.max(0, by.size() - 1), c.accounts.size() - clustered, best, v == null ? 0 : v.size(), v == null ? "none" : v.level().wireName(),
          c.firstRequest, blockedAt, byJoining, toBlock, Math.max(0, promptsAtBlock), c.promptSetSize,
          blockedAt == null || c.promptSetSize == 0 ? null : promptsAtBlock / (double) c.promptSetSize,
          c.prompts.size(), c.promptSetSize == 0 ? null : Math.min(1.0, c.prompts.size() / (double) c.promptSetSize),
          afterBlock));
    }
    int benign = 0;
    int inAttack = 0;
    int inAny = 0;
    for (Map.Entry<String, Label> e : labels.entrySet()) {
      if (e.getValue().kind() == Label.Kind.CAMPAIGN) {
        continue;
      }
      benign++;
      String cl = engine.clusterOf(e.getKey());
      if (cl != null) {
        inAny++;
        int camp = campaignMembers.getOrDefault(cl, 0);
        if (camp * 2 > camp + benignMembers.getOrDefault(cl, 0)) {
          inAttack++;
        }
      }
    }
    int benignClusters = 0;
    int largest = 0;
    int acted = 0;
    for (ClusterView v : engine.clusters()) {
      if (campaignMembers.getOrDefault(v.id(), 0) == 0) {
        benignClusters++;
        largest = Math.max(largest, v.size());
        if (v.level().atLeast(RiskLevel.WATCH)) {
          acted++;
        }
      }
    }
    int restricted = 0;
    for (String a : benignRestricted) {
      restricted++;
    }
    report = new LinkageReport(scenario, detectorSet, out, new LinkageReport.BenignLinkage(benign, inAttack,
        rate(inAttack, benign), restricted, rate(restricted, benign), inAny, benignClusters, largest, acted),
        engine.clusters().size(), engine.lastRecomputation(), engine.ties().size(),
        engine.tiesSnapshot().encode().length, engine.keyCount(), engine.keysRead());
  }

  /** The report, after the run; null when the run had no linkage. */
  public LinkageReport report() {
    return report;
  }

  private static double rate(long k, long n) {
    return n == 0 ? 0 : k / (double) n;
  }
}
