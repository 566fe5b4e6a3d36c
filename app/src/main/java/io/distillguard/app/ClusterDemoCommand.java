package io.distillguard.app;

import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.gateway.kafka.ConsumerThreads;
import io.distillguard.linkage.TiesSnapshot;
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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard cluster-demo}: the scale-out topology on this machine ({@link LocalCluster}: PostgreSQL, a
 * Kafka broker, the Flink detection job, gateway node processes), the demo's simulated day sent through all nodes
 * as through a load balancer, and the failures a production cluster meets on the way — a node killed, the broker
 * gone for a while, the job restarted from its checkpoint — followed by an audit of the event log: every answer a
 * client was served is in Kafka, and the job's verdicts reached every node.
 */
@Command(name = "cluster-demo", mixinStandardHelpOptions = true,
    description = "Run the scale-out topology locally (2 gateway nodes, Kafka, Flink, PostgreSQL) through a "
        + "simulated day with failures, and audit what arrived where.")
final class ClusterDemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "dg-cluster-demo",
      description = "fresh working directory (default ${DEFAULT-VALUE})")
  Path dir;

  @Option(names = "--nodes", defaultValue = "2", description = "gateway nodes (default ${DEFAULT-VALUE})")
  int nodes;

  @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory (prompts and answers)")
  String dataSets;

  @Option(names = "--no-faults", description = "skip the node kill, the broker outage and the job restart")
  boolean noFaults;

  @Option(names = "--keep-running", description = "keep the cluster up after the demo, until Ctrl-C")
  boolean keepRunning;

  private final PrintStream out = System.out;
  private final Map<String, VerdictEvent> firstVerdict = new ConcurrentHashMap<>();
  private final Map<String, VerdictEvent> lastVerdict = new ConcurrentHashMap<>();
  private volatile Map<String, SimAccount> accounts = Map.of();

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 8) {
      System.err.println("cluster-demo: --nodes must be between 1 and 8");
      return 2;
    }
    wipe(dir);
    quietEngines();
    Path sets = DataSets.locate(dataSets);
    out.println("== DistillGuard cluster demo: the scale-out topology on one machine ==");
    try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Settings(dir, nodes, Duration.ofSeconds(1), sets),
        line -> out.println("  " + line))) {
      out.println("  (every gateway node is its own process: distillguard serve --config " + dir.resolve("node-1")
          .resolve("gateway.yaml") + "; they share nothing but PostgreSQL and Kafka)");
      VerdictWatcher watcher = new VerdictWatcher(cluster);
      watcher.start();
      List<RequestRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
      RunSummary summary = runDay(cluster, sets, records);
      out.println();
      out.println("-- Settling: the nodes' spills drained, the job's last checkpoint committed --");
      settle(cluster);
      watcher.close();
      audit(cluster, records, summary);
      printOutcome(records);
      out.println();
      out.println("Where to look: " + dir.toAbsolutePath() + " (each node's gateway.yaml and gateway.log, the "
          + "broker's and PostgreSQL's data, the job's checkpoints); docs/scale.md and deploy/README.md.");
      if (keepRunning) {
        out.println("The cluster keeps running (admin token " + cluster.adminToken() + "); Ctrl-C stops it.");
        Thread.currentThread().join();
      }
    }
    return 0;
  }

  private RunSummary runDay(LocalCluster cluster, Path sets, List<RequestRecord> records) throws IOException {
    Scenario scenario;
    try (InputStream in = DemoDay.class.getResourceAsStream("demo-scenario.yaml")) {
      scenario = ScenarioLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "demo-scenario.yaml");
    }
    Simulation sim = Simulation.create(scenario, io.distillguard.sim.data.DataSets.load(sets));
    out.println();
    out.println("-- A simulated day through " + nodes + " gateway nodes (round-robin, as behind a load balancer): "
        + scenario.description());
    out.println("   The nodes publish every exchange to Kafka; the Flink job scores them and sends verdicts back "
        + "through the compacted verdict topic to every node.");
    HttpRunner.Options o = new HttpRunner.Options().target(cluster.node(0).dataUrl())
        .admin(cluster.node(0).adminUrl()).adminToken(cluster.adminToken()).replayHeaders(true).concurrency(16)
        .listener(records::add);
    for (int i = 1; i < cluster.nodes().size(); i++) {
      o.alsoTarget(cluster.node(i).dataUrl());
    }
    ClusterFaults faults = new ClusterFaults(cluster, scenario.start(), scenario.duration(), this::say);
    o.progress(p -> {
      out.printf(Locale.ROOT, "   ... simulated %s, %d requests sent, %d served%n", clock(p.lastTime()), p.sent(),
          p.served());
      if (!noFaults) {
        faults.at(p.lastTime());
      }
    }, Duration.ofSeconds(5));
    HttpRunner runner = new HttpRunner(o);
    accounts = runner.accounts();
    RunSummary summary = runner.run(sim);
    if (!noFaults) {
      faults.finish();
    }
    return summary;
  }

  private void say(String line) {
    synchronized (out) {
      out.println("   " + line);
    }
  }

  /** Waits until every node's Kafka spill is empty and the verdicts stop changing. */
  private void settle(LocalCluster cluster) {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      boolean drained = true;
      for (LocalCluster.GatewayProcess n : cluster.nodes()) {
        String h = n.health();
        drained &= h != null && h.contains("\"status\":\"ok\"") && !h.matches(".*\"spill_backlog\":[1-9].*");
      }
      if (drained) {
        break;
      }
      LocalCluster.sleep(500);
    }
    int seen = -1;
    while (System.nanoTime() < deadline && seen != lastVerdict.size()) {
      seen = lastVerdict.size();
      LocalCluster.sleep(5_000); // a checkpoint commits the job's last verdicts; a few intervals and no change
    }
    out.println("   job: " + cluster.jobStatus() + "; nodes: " + cluster.nodes().stream()
        .map(n -> n.name + (n.healthy() ? " up" : " DOWN")).toList());
  }

  /** Every answer a client was served must be in the event log; the verdicts must be enforced on every node. */
  private void audit(LocalCluster cluster, List<RequestRecord> records, RunSummary summary) {
    out.println();
    out.println("== Audit ==");
    Set<String> served = new HashSet<>();
    synchronized (records) {
      for (RequestRecord r : records) {
        if (r.served() && r.requestId() != null) {
          served.add(r.requestId());
        }
      }
    }
    Map<String, Integer> inTopic = new HashMap<>();
    List<ConsumerRecord<byte[], byte[]>> log = cluster.readAll(LocalCluster.EXCHANGES, "read_uncommitted",
        Duration.ofMinutes(2));
    for (ConsumerRecord<byte[], byte[]> r : log) {
      inTopic.merge(ExchangeCodec.decode(r.value()).id(), 1, Integer::sum);
    }
    long total = log.size();
    long missing = served.stream().filter(id -> !inTopic.containsKey(id)).count();
    long duplicated = inTopic.values().stream().filter(n -> n > 1).count();
    out.printf(Locale.ROOT, "  requests sent %d, answered %d, served %d (with the gateway's exchange id)%n",
        summary.sent(), summary.sent() - summary.noAnswer(), served.size());
    out.printf(Locale.ROOT, "  exchange events in Kafka: %d records, %d distinct exchanges (refusals included); "
        + "served answers missing: %d%s; exchanges sent twice: %d (folded in once by the job's dedupe)%n", total,
        inTopic.size(), missing, missing == 0 ? " -- none lost" : " -- LOST", duplicated);
    long blocked = lastVerdict.values().stream().filter(v -> v.status() == io.distillguard.core.AccountStatus.BLOCKED)
        .count();
    int agree = 0;
    int checked = 0;
    for (VerdictEvent v : lastVerdict.values()) {
      if (v.status() != io.distillguard.core.AccountStatus.BLOCKED || checked >= 20) {
        continue;
      }
      checked++;
      boolean all = true;
      for (LocalCluster.GatewayProcess n : cluster.nodes()) {
        all &= n.enforced(v.accountId()).equals("blocked");
      }
      agree += all ? 1 : 0;
    }
    out.printf(Locale.ROOT, "  verdicts from the job: %d accounts acted on, %d blocked; of %d blocked accounts "
        + "checked on every node (its enforcement cache, through the admin API), %d are blocked on all %d nodes%n",
        lastVerdict.size(), blocked, checked, agree, cluster.nodes().size());
    auditTies(cluster);
  }

  /** The job's last cluster-ties snapshot, and what each node checks new accounts against. */
  private void auditTies(LocalCluster cluster) {
    List<ConsumerRecord<byte[], byte[]>> sent = cluster.readAll(LocalCluster.TIES, "read_committed",
        Duration.ofMinutes(1));
    if (sent.isEmpty()) {
      out.println("  cluster ties: no cluster acted on yet, so the job sent no snapshot to " + LocalCluster.TIES);
      return;
    }
    String last;
    try {
      TiesSnapshot s = TiesSnapshot.decode(sent.get(sent.size() - 1).value());
      last = s.ties().size() + " keys tie new accounts to acted-on clusters (built at event time "
          + Instant.ofEpochMilli(s.builtAtMillis()) + ")";
    } catch (IOException e) {
      last = "unreadable (" + e.getMessage() + ")";
    }
    List<String> held = new ArrayList<>();
    for (LocalCluster.GatewayProcess n : cluster.nodes()) {
      String h = n.health();
      java.util.regex.Matcher m = h == null ? null
          : java.util.regex.Pattern.compile("\"tying_keys\":(\\d+)").matcher(h);
      held.add(n.name + " " + (m != null && m.find() ? m.group(1) : "?"));
    }
    out.printf(Locale.ROOT, "  cluster ties: the job sent %d snapshot(s) to %s; the last: %s; keys each node "
        + "checks young accounts' first requests against: %s%n", sent.size(), LocalCluster.TIES, last,
        String.join(", ", held));
  }

  private void printOutcome(List<RequestRecord> records) {
    out.println();
    out.println("== What the cluster did ==");
    Map<String, int[]> campaigns = new TreeMap<>();
    long benign = 0;
    long benignActed = 0;
    for (SimAccount a : accounts.values()) {
      VerdictEvent v = lastVerdict.get(a.id());
      if (a.label().kind() == Label.Kind.CAMPAIGN) {
        int[] c = campaigns.computeIfAbsent(a.label().group(), k -> new int[3]);
        c[0]++;
        if (v != null) {
          c[1]++;
          if (v.status() == io.distillguard.core.AccountStatus.BLOCKED) {
            c[2]++;
          }
        }
      } else {
        benign++;
        if (v != null && v.status().compareTo(io.distillguard.core.AccountStatus.WATCH) > 0) {
          benignActed++;
        }
      }
    }
    Map<String, Long> harvested = new HashMap<>();
    synchronized (records) {
      for (RequestRecord r : records) {
        if (r.label().kind() == Label.Kind.CAMPAIGN && r.attack() && r.served()) {
          harvested.merge(r.label().group(), 1L, Long::sum);
        }
      }
    }
    out.printf("  %-20s %-9s %-12s %-9s %s%n", "campaign", "accounts", "acted on", "blocked", "answers harvested");
    campaigns.forEach((id, c) -> out.printf("  %-20s %-9d %-12d %-9d %d%n", id, c[0], c[1], c[2],
        harvested.getOrDefault(id, 0L)));
    out.printf(Locale.ROOT, "  benign accounts: %d, of which %d restricted (throttled or worse)%n", benign,
        benignActed);
  }

  /** Prints the job's verdicts as they arrive in the verdict topic, as every node receives them. */
  private final class VerdictWatcher implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    VerdictWatcher(LocalCluster cluster) {
      consumer = cluster.consumer("read_committed");
      LocalCluster.assignAll(consumer, LocalCluster.VERDICTS);
      thread = new Thread(this::run, "verdict-watcher");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
            if (r.value() != null) {
              show(VerdictCodec.decode(r.value()));
            }
          }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
          break;
        } catch (RuntimeException e) {
          LocalCluster.sleep(500); // the broker is down for a while in the demo
        }
      }
      consumer.close(Duration.ofSeconds(5));
    }

    private void show(VerdictEvent v) {
      VerdictEvent first = firstVerdict.putIfAbsent(v.accountId(), v);
      VerdictEvent before = lastVerdict.put(v.accountId(), v);
      if (before != null && before.status() == v.status()) {
        return;
      }
      SimAccount a = accounts.get(v.accountId());
      String who = a == null ? "?" : a.label().kind() == Label.Kind.CAMPAIGN ? "campaign " + a.label().group()
          : a.label().kind() == Label.Kind.BENIGN_HEAVY ? "legitimate " + a.label().group() : "customer";
      if (v.source() == VerdictEvent.Source.LINKAGE && first != null && before != null
          && before.clusterId() != null) {
        return; // one line per cluster member is enough the first time
      }
      String why = v.reasons().isEmpty() ? "" : "; " + v.reasons().get(0).signal() + ": "
          + v.reasons().get(0).explanation();
      say(String.format(Locale.ROOT, "[%s] %s (%s) -> %s by the %s job%s%s", clock(v.at()), v.accountId(), who,
          v.status().wireName(), v.source().wireName(), v.clusterId() == null ? "" : " (cluster " + v.clusterId()
              + ")", why));
    }

    @Override
    public void close() {
      running = false;
      ConsumerThreads.stop(consumer, thread);
    }
  }

  /**
   * The broker and the job run in this process and log their own reconnects and checkpoint aborts, which the faults
   * cause on purpose; the demo says what happens in its own words, so only their errors are shown.
   */
  private static void quietEngines() {
    org.slf4j.Logger apache = org.slf4j.LoggerFactory.getLogger("org.apache");
    if (apache instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.ERROR);
    }
  }

  /** The marker that makes a directory this command's to wipe. */
  static final String MARKER = ".distillguard-cluster-demo";

  /** Empties a previous run's directory; refuses any other non-empty one. */
  static void wipe(Path dir) throws IOException {
    if (java.nio.file.Files.isDirectory(dir)) {
      boolean ours = java.nio.file.Files.exists(dir.resolve(MARKER));
      try (java.util.stream.Stream<Path> l = java.nio.file.Files.list(dir)) {
        if (!ours && l.findAny().isPresent()) {
          throw new IllegalArgumentException(dir + " exists and was not made by cluster-demo; choose another --dir");
        }
      }
      try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.delete(p);
        }
      }
    }
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.writeString(dir.resolve(MARKER), "made by distillguard cluster-demo; wiped by the next run\n");
  }

  private static String clock(Instant t) {
    return t == null ? "--:--" : t.atOffset(ZoneOffset.UTC).toLocalTime().withNano(0).toString();
  }
}
