package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.Verdict;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.flink.EngineSpec;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.http.HttpRunner;
import io.distillguard.sim.http.RequestRecord;
import io.distillguard.sim.http.RunSummary;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out topology under the failures issue 8 names, with real engines throughout (two gateway node
 * processes, a real PostgreSQL, a Kafka broker, the Flink job on a MiniCluster): a node is killed with SIGKILL and
 * started again, the broker is down for a while, and the job is restarted from its checkpoint, all while traffic
 * flows through both nodes. Then: no exchange a client was served is missing from the event log, the job counted
 * each exchange once (its verdicts are exactly those of the in-process engine over the de-duplicated log, in the
 * same order with the same evidence), and every node enforces the job's final verdicts.
 */
class LocalClusterFailureTest {
  private static final Duration AWAIT = Duration.ofMinutes(3);

  @TempDir
  Path dir;

  @Test
  void aKilledNodeABrokerOutageAndAJobRestartLoseNothingAndVerdictsConverge() throws Exception {
    Scenario scenario;
    try (InputStream in = getClass().getResourceAsStream("cluster-failure-scenario.yaml")) {
      scenario = ScenarioLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "cluster-failure");
    }
    List<String> said = Collections.synchronizedList(new ArrayList<>());
    try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Settings(dir, 2, Duration.ofMillis(500), null),
        said::add)) {
      List<RequestRecord> records = Collections.synchronizedList(new ArrayList<>());
      ClusterFaults faults = new ClusterFaults(cluster, scenario.start(), scenario.duration(), said::add);
      HttpRunner runner = new HttpRunner(new HttpRunner.Options().target(cluster.node(0).dataUrl())
          .alsoTarget(cluster.node(1).dataUrl()).admin(cluster.node(0).adminUrl()).adminToken(cluster.adminToken())
          .replayHeaders(true).concurrency(8).listener(records::add)
          .progress(p -> faults.at(p.lastTime()), Duration.ofMillis(500)));
      RunSummary summary = runner.run(Simulation.create(scenario, io.distillguard.sim.data.DataSets.load(null)));
      faults.finish();
      assertThat(faults.failed()).as("every fault was staged: %s", said).isZero();
      assertThat(faults.restoredFrom()).as("the job restarted from a checkpoint").isNotNull();
      // Customers kept being served through the faults. A customer's request may go unanswered only around the kill:
      // in flight on the node when it was killed (the runner's 8 at once), or sent while the killed process was torn
      // down (the kernel may still accept a connection on its port and then reset it, which the runner, like a load
      // balancer, does not retry: only a refused connection goes to the other node); one CI run saw 11. At most
      // twice the runner's concurrency, then; and may be refused only by the
      // limits, which a replayed day's bursts do meet (429 concurrency_limit_exceeded); any other refusal or
      // error (an unknown key on the restarted node, a 5xx while Kafka was away, a block) fails the test.
      long benignSent = 0;
      long unanswered = 0;
      Map<String, Integer> otherwise = new java.util.TreeMap<>();
      synchronized (records) {
        for (RequestRecord r : records) {
          if (!r.label().benign()) {
            continue;
          }
          benignSent++;
          if (r.served() || r.status() == 429) {
            continue;
          }
          if (r.error() != null && r.error().startsWith("no answer")) {
            unanswered++;
          } else {
            otherwise.merge(r.status() + " " + r.error(), 1, Integer::sum);
          }
        }
      }
      assertThat(benignSent).as("customers' requests sent (of %d in all)", summary.sent()).isGreaterThan(300);
      assertThat(unanswered).as("customers' requests without an answer (around the kill)")
          .isLessThanOrEqualTo(16);
      assertThat(otherwise).as("customers' requests refused or failed otherwise").isEmpty();

      // 1. Every answer a client was served is in the event log.
      awaitSpillsDrained(cluster);
      Map<String, Exchange> log = readExchanges(cluster);
      Set<String> served = new HashSet<>();
      synchronized (records) {
        for (RequestRecord r : records) {
          if (r.served()) {
            assertThat(r.requestId()).as("served answers carry their exchange id").isNotNull();
            served.add(r.requestId());
          }
        }
      }
      assertThat(log.keySet()).as("served exchanges missing from Kafka").containsAll(served);

      // 2. The job counted each exchange once: its verdicts are the in-process engine's over the de-duplicated log.
      DetectionEngine reference = EngineSpec.defaults().engine();
      Map<String, List<String>> expected = new HashMap<>();
      for (Exchange e : log.values()) {
        Verdict v = reference.accept(e);
        if (v != null) {
          expected.computeIfAbsent(v.accountId(), k -> new ArrayList<>())
              .add(v.level().wireName() + "@" + v.risk().evidence());
        }
      }
      assertThat(expected).as("the traffic has harvesters for the job to catch").isNotEmpty();
      // The verdict topic is compacted: older verdicts of an account may be gone, so what is read must be a
      // subsequence of the reference's, with the same evidence at each level (nothing counted twice or missed),
      // ending at the same final verdict.
      long deadline = System.nanoTime() + AWAIT.toNanos();
      Map<String, List<String>> actual = Map.of();
      while (System.nanoTime() < deadline) {
        actual = jobVerdicts(cluster);
        if (converged(actual, expected)) {
          break;
        }
        LocalCluster.sleep(1000);
      }
      assertThat(converged(actual, expected)).as("the job's detection verdicts per account (level@evidence, in "
          + "order): %s; the in-process engine's over the de-duplicated log: %s", actual, expected).isTrue();

      // 3. Every node enforces the job's final verdicts, the restarted one included: the higher of the account's
      // last detection level and its cluster's (linkage) level.
      Map<String, io.distillguard.core.AccountStatus> linked = linkageStatuses(cluster);
      for (Map.Entry<String, List<String>> e : expected.entrySet()) {
        List<String> levels = e.getValue();
        String last = levels.get(levels.size() - 1);
        io.distillguard.core.AccountStatus detected = io.distillguard.core.detect.RiskLevel.valueOf(
            last.substring(0, last.indexOf('@')).toUpperCase(java.util.Locale.ROOT)).status();
        io.distillguard.core.AccountStatus ofCluster = linked.get(e.getKey());
        String status = (ofCluster != null && ofCluster.compareTo(detected) > 0 ? ofCluster : detected).wireName();
        for (LocalCluster.GatewayProcess n : cluster.nodes()) {
          assertThat(n.enforced(e.getKey())).as("%s on %s", e.getKey(), n.name).isEqualTo(status);
        }
      }
    }
  }

  /** Same accounts; each account's verdicts a subsequence of the expected ones, with the same last one. */
  static boolean converged(Map<String, List<String>> actual, Map<String, List<String>> expected) {
    if (!actual.keySet().equals(expected.keySet())) {
      return false;
    }
    for (Map.Entry<String, List<String>> e : expected.entrySet()) {
      List<String> got = actual.get(e.getKey());
      List<String> want = e.getValue();
      if (got.isEmpty() || !got.get(got.size() - 1).equals(want.get(want.size() - 1))) {
        return false;
      }
      int i = 0;
      for (String w : want) {
        if (i < got.size() && got.get(i).equals(w)) {
          i++;
        }
      }
      if (i != got.size()) {
        return false;
      }
    }
    return true;
  }

  private static void awaitSpillsDrained(LocalCluster cluster) {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    for (LocalCluster.GatewayProcess n : cluster.nodes()) {
      while (true) {
        String h = n.health();
        if (h != null && h.contains("\"spill_backlog\":0")) {
          break;
        }
        assertThat(System.nanoTime()).as("%s's spill drained; health %s", n.name, h).isLessThan(deadline);
        LocalCluster.sleep(250);
      }
    }
  }

  /** The exchange log, de-duplicated (first occurrence wins), each partition in order. */
  private static Map<String, Exchange> readExchanges(LocalCluster cluster) {
    Map<String, Exchange> out = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : cluster.readAll(LocalCluster.EXCHANGES, "read_uncommitted", AWAIT)) {
      Exchange e = ExchangeCodec.decode(r.value());
      out.putIfAbsent(e.id(), e);
    }
    return out;
  }

  /** Each account's last linkage status in the verdict topic. */
  private static Map<String, io.distillguard.core.AccountStatus> linkageStatuses(LocalCluster cluster) {
    Map<String, io.distillguard.core.AccountStatus> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : cluster.readAll(LocalCluster.VERDICTS, "read_committed", AWAIT)) {
      if (r.value() != null) {
        VerdictEvent v = VerdictCodec.decode(r.value());
        if (v.source() == VerdictEvent.Source.LINKAGE) {
          out.put(v.accountId(), v.status());
        }
      }
    }
    return out;
  }

  private static Map<String, List<String>> jobVerdicts(LocalCluster cluster) {
    Map<String, List<String>> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : cluster.readAll(LocalCluster.VERDICTS, "read_committed", AWAIT)) {
      if (r.value() == null) {
        continue;
      }
      VerdictEvent v = VerdictCodec.decode(r.value());
      if (v.source() == VerdictEvent.Source.DETECTION) {
        out.computeIfAbsent(v.accountId(), k -> new ArrayList<>()).add(v.level().wireName() + "@" + v.evidence());
      }
    }
    return out;
  }
}
