package io.distillguard.app;

import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.Verdict;
import io.distillguard.gateway.detection.DetectionService;
import io.distillguard.linkage.ClusterView;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.http.HttpRunner;
import io.distillguard.sim.http.RequestRecord;
import io.distillguard.sim.http.RunSummary;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's simulated day: customers, legitimate heavy users and harvesting campaigns pushed through the real
 * gateway over HTTP in replay mode, with detection's verdicts printed as they happen and a summary of when each
 * campaign was caught and how much it got.
 */
final class DemoDay {
  private final PrintStream out;
  private final Node node;
  private final Path dataSets;
  private final List<RequestRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Verdict> firstVerdict = new ConcurrentHashMap<>();
  private final Map<String, Verdict> lastVerdict = new ConcurrentHashMap<>();
  private volatile Map<String, SimAccount> accounts = Map.of();
  private Scenario scenario;
  private RunSummary summary;
  private final java.util.concurrent.atomic.AtomicInteger embeddingVerdicts =
      new java.util.concurrent.atomic.AtomicInteger();
  private String example = "acme-prod";
  private final Map<String, LinkageAction> firstLinkage = new ConcurrentHashMap<>();
  private final java.util.Set<String> printedClusters = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong joined = new java.util.concurrent.atomic.AtomicLong();

  DemoDay(PrintStream out, Node node, Path dataSets) {
    this.out = out;
    this.node = node;
    this.dataSets = dataSets;
  }

  void run() throws IOException {
    try (InputStream in = DemoDay.class.getResourceAsStream("demo-scenario.yaml")) {
      scenario = ScenarioLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "demo-scenario.yaml");
    }
    io.distillguard.sim.data.DataSets sets = io.distillguard.sim.data.DataSets.load(dataSets);
    Simulation sim = Simulation.create(scenario, sets);
    out.println("-- A simulated day through the real gateway: " + scenario.description());
    out.println("   (prompts from " + (sets.real() ? "the public datasets" : "small built-in fixtures")
        + "; the day's clock travels in X-DistillGuard-Event-Time, so it runs in well under a minute)");
    DetectionService detection = node.gateway.detection();
    detection.addListener(this::onVerdict);
    if (node.gateway.linkage() != null) {
      node.gateway.linkage().addListener(this::onLinkage);
    }
    HttpRunner runner = new HttpRunner(new HttpRunner.Options()
        .target(node.dataUrl()).admin(node.adminUrl()).adminToken(node.gateway.adminToken())
        .replayHeaders(true).concurrency(32).listener(records::add)
        .progress(p -> out.printf(Locale.ROOT, "   ... simulated %s, %d requests sent, %d served%n",
            clock(p.lastTime()), p.sent(), p.served()), Duration.ofSeconds(5)));
    accounts = runner.accounts();
    summary = runner.run(sim);
    detection.drain(Duration.ofSeconds(30));
    node.gateway.exchangeLog().flush(Duration.ofSeconds(30));
  }

  private void onVerdict(Verdict v) {
    if (v.risk().reasons().stream().anyMatch(r -> r.signal().startsWith("embedding-"))) {
      embeddingVerdicts.incrementAndGet();
    }
    firstVerdict.putIfAbsent(v.accountId(), v);
    lastVerdict.put(v.accountId(), v);
    SimAccount a = accounts.get(v.accountId());
    String who = a == null ? "?" : a.label().kind() == Label.Kind.CAMPAIGN ? "campaign " + a.label().group()
        : a.label().kind() == Label.Kind.BENIGN_HEAVY ? "legitimate " + a.label().group() : "customer";
    List<Reason> reasons = v.risk().reasons();
    String why = reasons.isEmpty() ? "" : reasons.get(0).signal() + ": " + reasons.get(0).explanation();
    if (a != null && a.label().kind() == Label.Kind.CAMPAIGN) {
      example = v.accountId();
    }
    synchronized (out) {
      out.printf(Locale.ROOT, "   [%s] %s (%s) -> %s, score %.2f; %s%n", clock(v.at()), v.accountId(), who,
          v.level().status().wireName(), v.risk().score(), why);
    }
  }

  /** A cluster's level rose (printed once per cluster and level), or an account joined a cluster on sight. */
  private void onLinkage(LinkageAction a) {
    firstLinkage.putIfAbsent(a.accountId(), a);
    if (a.joined()) {
      joined.incrementAndGet();
      return;
    }
    if (!printedClusters.add(a.clusterId() + "/" + a.level())) {
      return;
    }
    SimAccount acc = accounts.get(a.accountId());
    String who = acc == null ? "?" : acc.label().kind() == Label.Kind.CAMPAIGN ? "campaign " + acc.label().group()
        : "benign";
    List<Reason> reasons = new ArrayList<>(a.risk().reasons());
    reasons.sort((x, y) -> Double.compare(y.contribution(), x.contribution()));
    StringBuilder why = new StringBuilder();
    for (int i = 0; i < Math.min(2, reasons.size()); i++) {
      why.append(i == 0 ? "" : "; ").append(reasons.get(i).signal()).append(": ")
          .append(reasons.get(i).explanation());
    }
    synchronized (out) {
      out.printf(Locale.ROOT, "   [%s] cluster %s (linked accounts of %s) -> %s, score %.2f; %s%n", clock(a.at()),
          a.clusterId(), who, a.level().status().wireName(), a.risk().score(), why);
    }
  }

  String exampleAccount() {
    return example;
  }

  void printSummary() {
    if (summary == null) {
      return;
    }
    out.println();
    out.println("== The simulated day: " + summary.sent() + " requests ==");
    Map<String, Campaign> campaigns = new TreeMap<>();
    long benignRefused = 0;
    List<RequestRecord> snapshot;
    synchronized (records) {
      snapshot = new ArrayList<>(records);
    }
    for (RequestRecord r : snapshot) {
      if (r.label().kind() == Label.Kind.CAMPAIGN) {
        Campaign c = campaigns.computeIfAbsent(r.label().group(), Campaign::new);
        c.accounts.add(r.account());
        if (c.start == null || r.time().isBefore(c.start)) {
          c.start = r.time();
        }
        if (r.attack() && r.served()) {
          c.harvested++;
        }
      } else if (r.status() == 403 || "account_throttled".equals(r.error())) {
        benignRefused++;
      }
    }
    for (Map.Entry<String, Verdict> e : firstVerdict.entrySet()) {
      SimAccount a = accounts.get(e.getKey());
      if (a != null && a.label().kind() == Label.Kind.CAMPAIGN) {
        Campaign c = campaigns.get(a.label().group());
        if (c != null) {
          c.caught.add(e.getKey());
          if (c.firstCatch == null || e.getValue().at().isBefore(c.firstCatch)) {
            c.firstCatch = e.getValue().at();
          }
        }
      }
    }
    for (Map.Entry<String, LinkageAction> e : firstLinkage.entrySet()) {
      SimAccount a = accounts.get(e.getKey());
      Campaign c = a == null || a.label().kind() != Label.Kind.CAMPAIGN ? null : campaigns.get(a.label().group());
      if (c != null) {
        c.caught.add(e.getKey());
        if (c.firstCatch == null || e.getValue().at().isBefore(c.firstCatch)) {
          c.firstCatch = e.getValue().at();
        }
      }
    }
    for (RequestRecord r : snapshot) {
      Campaign c = r.label().kind() == Label.Kind.CAMPAIGN ? campaigns.get(r.label().group()) : null;
      if (c != null && r.attack() && r.served() && (c.firstCatch == null || r.time().isBefore(c.firstCatch))) {
        c.beforeCatch++;
      }
    }
    out.printf("  %-20s %-10s %-16s %-16s %s%n", "campaign", "accounts", "first action", "harvested first",
        "harvested in all");
    for (Campaign c : campaigns.values()) {
      String when = c.firstCatch == null ? "not caught"
          : "after " + human(Duration.between(c.start, c.firstCatch));
      out.printf("  %-20s %-10s %-16s %-16d %d%n", c.id, c.caught.size() + "/" + c.accounts.size(), when,
          c.beforeCatch, c.harvested);
    }
    long benignAccounts = accounts.values().stream().filter(a -> a.label().benign()).count();
    long benignActed = firstVerdict.keySet().stream().map(accounts::get)
        .filter(a -> a != null && a.label().benign()).count();
    long benignRestricted = lastVerdict.entrySet().stream()
        .filter(e -> accounts.get(e.getKey()) != null && accounts.get(e.getKey()).label().benign())
        .filter(e -> e.getValue().level().compareTo(io.distillguard.core.detect.RiskLevel.WATCH) > 0).count();
    out.printf("  benign accounts: %d, of which %d put on watch or above and %d restricted; %d benign requests "
        + "refused by enforcement%n", benignAccounts, benignActed, benignRestricted, benignRefused);
    io.distillguard.detection.ExpensiveWorker x = node.gateway.detection().expensiveTier();
    if (x != null && x.tier() != null) {
      io.distillguard.detection.ExpensiveTier t = x.tier();
      out.printf(Locale.ROOT, "  expensive tier: %d prompts of %d suspects embedded (%.1f ms each), %d dropped "
          + "(worker behind); embedding findings among the reasons of %d verdicts%n", t.embedded(), t.accounts(),
          t.meanEmbedMicros() / 1000, x.dropped(), embeddingVerdicts.get());
    } else if (x != null) {
      out.println("  expensive tier: " + (x.broken() ? "could not start (see the log)" : "still loading its model"));
    }
    printClusters();
  }

  /** The clusters linkage acted on: who is in them and why. */
  private void printClusters() {
    if (node.gateway.linkage() == null) {
      return;
    }
    out.println("  Cross-account linkage: a hydra spreads its harvest over many small accounts that each look "
        + "ordinary; linked, it is scored and blocked as one actor.");
    int shown = 0;
    for (ClusterView v : node.gateway.linkage().clusters()) {
      if (v.level() == io.distillguard.core.detect.RiskLevel.NONE) {
        continue;
      }
      Map<String, Integer> by = new TreeMap<>();
      for (String m : v.members()) {
        SimAccount a = accounts.get(m);
        String k = a == null ? "unknown" : a.label().kind() == Label.Kind.CAMPAIGN ? "campaign " + a.label().group()
            : "benign";
        by.merge(k, 1, Integer::sum);
      }
      List<Reason> reasons = new ArrayList<>(v.risk().reasons());
      reasons.sort((x, y) -> Double.compare(y.contribution(), x.contribution()));
      out.printf(Locale.ROOT, "    cluster %s: %d accounts %s, %s (score %.2f)%s%n", v.id(), v.size(), by,
          v.level().status().wireName(), v.risk().score(), reasons.isEmpty() ? ""
              : "; " + reasons.get(0).signal() + ": " + reasons.get(0).explanation());
      shown++;
    }
    if (shown == 0) {
      out.println("    no cluster was acted on");
    }
    long benignClustered = node.gateway.linkage().clusters().stream()
        .filter(v -> v.level() == io.distillguard.core.detect.RiskLevel.NONE)
        .mapToLong(ClusterView::size).sum();
    out.printf(Locale.ROOT, "    %d accounts joined an acted-on cluster on sight and were refused from then on; "
        + "%d requests of new accounts got their cluster's level before being answered (their sign-up and request "
        + "tie them to it: its subnets, cards, template, clock); %d accounts in clusters left alone (companies' seats "
        + "behind one NAT or card)%n", joined.get(), node.gateway.linkage().tiedOnRequestCount(), benignClustered);
  }

  private static String clock(Instant t) {
    if (t == null) {
      return "--:--";
    }
    long s = t.getEpochSecond() % 86_400;
    return String.format(Locale.ROOT, "%02d:%02d", s / 3600, (s / 60) % 60);
  }

  private static String human(Duration d) {
    long m = d.toMinutes();
    return m < 60 ? m + " min" : (m / 60) + " h " + (m % 60) + " min";
  }

  private static final class Campaign {
    final String id;
    final java.util.Set<String> accounts = new java.util.HashSet<>();
    final java.util.Set<String> caught = new java.util.HashSet<>();
    Instant start;
    Instant firstCatch;
    long harvested;
    long beforeCatch;

    Campaign(String id) {
      this.id = id;
    }
  }
}
