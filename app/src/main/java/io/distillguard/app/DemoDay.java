package io.distillguard.app;

import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.Verdict;
import io.distillguard.gateway.detection.DetectionService;
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
    if (v.risk().reasons().stream().anyMatch(r -> r.signal().startsWith("embedding-") && r.contribution() > 0)) {
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
          + "(worker behind); embedding evidence in %d verdicts%n", t.embedded(), t.accounts(),
          t.meanEmbedMicros() / 1000, x.dropped(), embeddingVerdicts.get());
    } else if (x != null) {
      out.println("  expensive tier: " + (x.broken() ? "could not start (see the log)" : "still loading its model"));
    }
    out.println("  A hydra spreads its harvest over many small accounts that each look ordinary: per-account "
        + "detection is not built to see it; cross-account linkage is.");
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
