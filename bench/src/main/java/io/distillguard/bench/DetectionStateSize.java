package io.distillguard.bench;

import io.distillguard.core.detect.AccountState;

import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;

/**
 * The per-account state of the cheap detection tier, measured with JOL as retained heap (deep size of the object
 * graph each account's detector states hold, on this JVM: compressed oops, 8-byte alignment on a 64-bit heap under
 * 32 GB), after a whole scenario ran through the engine with simulated enforcement. Reported per detector and for the
 * account as a whole (its detector states plus the engine's bookkeeping: map entry, key, account record), for the
 * shipped model and for every cheap detector.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.distillguard.bench.DetectionStateSize [scenario.yaml]</pre>
 */
public final class DetectionStateSize {
  private DetectionStateSize() {}

  public static void main(String[] args) {
    Path scenario = Path.of(args.length > 0 ? args[0] : "scenarios/week-10k.yaml");
    System.out.println("scenario " + scenario + ", JVM " + System.getProperty("java.vm.name") + " "
        + Runtime.version());
    for (String setName : List.of("default", "all")) {
      DetectorSet set = DetectionBenchmark.set(setName);
      Set<String> ids = new LinkedHashSet<>();
      long t0 = System.nanoTime();
      DetectionEngine engine = DetectionTraces.run(Simulation.create(ScenarioLoader.load(scenario),
          DetectionTraces.data()), set, e -> {
            if (e.accountId() != null) {
              ids.add(e.accountId());
            }
          }, null);
      List<String> names = engine.detectorNames();
      int n = ids.size();
      long[] total = new long[n];
      long[][] per = new long[names.size()][n];
      int k = 0;
      for (String id : ids) {
        Object[] states = engine.detectorStates(id);
        total[k] = GraphLayout.parseInstance(states).totalSize();
        for (int d = 0; d < states.length; d++) {
          per[d][k] = GraphLayout.parseInstance(states[d]).totalSize();
        }
        k++;
      }
      // The engine's bookkeeping per account besides the detector states: its map entry (a HashMap node and about
      // two table slots at HashMap's load factor), its key (the account id) and the account record (the states
      // array is counted with the states; the tier's levels are shared).
      long record = ClassLayout.parseClass(AccountState.class).instanceSize();
      long node = 32;
      long slots = 8;
      long keys = 0;
      for (String id : ids) {
        keys += GraphLayout.parseInstance(id).totalSize();
      }
      double overhead = record + node + slots + keys / (double) n;
      System.out.printf(Locale.ROOT, "%nset %s: %d detectors, %,d accounts, run %.0f s%n", setName, names.size(), n,
          (System.nanoTime() - t0) / 1e9);
      System.out.printf(Locale.ROOT, "  %-16s %8s %8s %8s %8s%n", "state (bytes)", "median", "p99", "max", "mean");
      for (int d = 0; d < names.size(); d++) {
        row(names.get(d), per[d]);
      }
      row("all detectors", total);
      long[] withOverhead = Arrays.stream(total).map(v -> v + Math.round(overhead)).toArray();
      row("per account", withOverhead);
      System.out.printf(Locale.ROOT, "  engine bookkeeping per account (map entry %d, key %.0f on average, account "
          + "record %d): %.0f bytes%n", node + slots, keys / (double) n, record, overhead);
    }
  }

  private static void row(String name, long[] values) {
    long[] v = values.clone();
    Arrays.sort(v);
    System.out.printf(Locale.ROOT, "  %-16s %8d %8d %8d %8.0f%n", name, v[(v.length - 1) / 2],
        v[(int) Math.min(v.length - 1, Math.ceil(0.99 * v.length) - 1)], v[v.length - 1],
        Arrays.stream(v).average().orElse(0));
  }
}
