package io.distillguard.sim.expensive;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Verdict;
import io.distillguard.detection.BenignReference;
import io.distillguard.detection.Embedder;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.run.Disposition;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.run.RunListener;
import io.distillguard.sim.run.SimulationSource;
import io.distillguard.sim.run.TrafficSource;
import io.distillguard.sim.scenario.Scenario;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Builds the expensive tier's {@link BenignReference} from tuning-split scenarios, deterministically:
 *
 * <ol>
 *   <li><b>Sample.</b> The first scenario runs in-process with the shipped model (cheap tier, simulated
 *       enforcement); a uniform reservoir (fixed seed) keeps {@code size} of the prompts ordinary benign accounts
 *       sent and were served: the new user turn of each exchange, as the tier embeds it. Heavy users and campaigns are
 *       left out: the reference stands for what ordinary customers ask.</li>
 *   <li><b>Embed</b> them with the tier's model.</li>
 *   <li><b>Calibrate.</b> Every scenario runs again; each account's prompts are embedded and tested as the tier
 *       would in the gateway (sampled, from {@code watch} on), with no effect on scores. Per account, the highest
 *       MMD² and the lowest nearest-neighbour W whose tests rejected at {@code alpha} are kept. The shift signal
 *       starts above the highest value of any benign suspect (ordinary or heavy; the allow-listed licensed distiller
 *       excluded) and is full at {@value #RAMP} times it; the nearest-neighbour signal starts below the lowest W of
 *       any benign suspect and is full {@value #W_RAMP} lower. So no benign suspect of the tuning scenarios gets
 *       either signal, by construction; the holdout says whether that holds elsewhere.</li>
 * </ol>
 *
 * Holdout-split scenarios are refused.
 */
public final class ReferenceBuilder {
  static final double RAMP = 2.0;
  static final double W_RAMP = 0.15;
  private static final long SEED = 0x5EEDL;

  private ReferenceBuilder() {}

  /** Per-account extremes of one calibration run. */
  public record AccountStats(String account, Label label, long embedded, double maxMmd2, double minW) {}

  /** What a build produced. */
  public record Build(BenignReference reference, List<AccountStats> accounts) {}

  public static Build build(List<Scenario> scenarios, DataSets data, Embedder embedder, int size,
      ExpensiveTier.Settings settings, PrintStream log) {
    if (scenarios.isEmpty()) {
      throw new IllegalArgumentException("no scenario");
    }
    for (Scenario s : scenarios) {
      if (s.data().split() == Split.HOLDOUT || s.data().templates() == Split.HOLDOUT) {
        throw new IllegalArgumentException(s.name() + ": a holdout-split scenario; the reference is built from "
            + "tuning-split traffic only");
      }
    }
    Scenario first = scenarios.get(0);
    List<String> prompts = samplePrompts(first, data, size);
    log.printf(Locale.ROOT, "sampled %d benign prompts from %s%n", prompts.size(), first.name());
    float[][] vectors = new float[prompts.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = embedder.embed(prompts.get(i)).clone();
    }
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("sample", first.name() + " (seed " + first.seed() + "), ordinary benign accounts, served "
        + "exchanges, new user turn, reservoir seed " + SEED);
    provenance.put("split", "tuning");
    // A provisional calibration: the statistics below do not depend on it.
    BenignReference provisional = new BenignReference(embedder.name(), vectors,
        new BenignReference.Calibration(0, 1, 1, 0), provenance);

    List<AccountStats> all = new ArrayList<>();
    for (Scenario s : scenarios) {
      List<AccountStats> stats = calibrationRun(s, data, embedder, provisional, settings, log);
      log.printf(Locale.ROOT, "%s: %d accounts tested%n", s.name(), stats.size());
      all.addAll(stats);
    }
    double maxBenignMmd = Double.NEGATIVE_INFINITY;
    double minBenignW = Double.POSITIVE_INFINITY;
    for (AccountStats a : all) {
      if (benign(a.label())) {
        maxBenignMmd = Math.max(maxBenignMmd, a.maxMmd2());
        minBenignW = Math.min(minBenignW, a.minW());
      }
    }
    double mmdLow = Double.isFinite(maxBenignMmd) ? Math.max(maxBenignMmd, 0.01) : 0.05;
    double wHigh = Double.isFinite(minBenignW) ? Math.min(minBenignW, 0.99) : 0.9;
    BenignReference.Calibration c = new BenignReference.Calibration(mmdLow, mmdLow * RAMP, wHigh,
        Math.max(0, wHigh - W_RAMP));
    List<String> names = new ArrayList<>();
    for (Scenario s : scenarios) {
      names.add(s.name() + " (seed " + s.seed() + ")");
    }
    provenance.put("calibration", String.join(", ", names) + "; benign suspects: highest MMD² "
        + fmt(maxBenignMmd) + ", lowest W " + fmt(minBenignW) + "; settings " + settings);
    return new Build(new BenignReference(embedder.name(), vectors, c, provenance), all);
  }

  private static boolean benign(Label l) {
    return l != null && l.benign() && !InProcessRunner.LICENSED_GROUP.equals(l.group());
  }

  static List<String> samplePrompts(Scenario s, DataSets data, int size) {
    String[] reservoir = new String[size];
    long[] seen = {0};
    SplittableRandom rng = new SplittableRandom(SEED);
    InProcessRunner runner = new InProcessRunner(DetectorSet.named(DetectorSet.DEFAULT),
        InProcessRunner.Options.defaults());
    runner.run(new SimulationSource(Simulation.create(s, data)), new RunListener() {
      @Override
      public void onExchange(SimRequest request, Disposition disposition, Exchange exchange) {
        Label l = request.account().label();
        if (l == null || l.kind() != Label.Kind.BENIGN || !disposition.served()) {
          return;
        }
        String p = ExpensiveTier.promptOf(exchange);
        if (p == null) {
          return;
        }
        long n = seen[0]++;
        if (n < size) {
          reservoir[(int) n] = p;
        } else {
          long j = rng.nextLong(n + 1);
          if (j < size) {
            reservoir[(int) j] = p;
          }
        }
      }

      @Override
      public void onVerdict(SimRequest request, Verdict verdict) {}
    });
    List<String> out = new ArrayList<>();
    for (String p : reservoir) {
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * Runs a scenario with the shipped model and, beside it, the tier in observe-only mode: what each account's
   * statistics would have been, with no effect on its score.
   */
  public static List<AccountStats> calibrationRun(Scenario s, DataSets data, Embedder embedder,
      BenignReference reference, ExpensiveTier.Settings settings, PrintStream log) {
    ExpensiveTier tier = new ExpensiveTier(embedder, reference, settings);
    Map<String, RiskLevel> levels = new HashMap<>();
    Map<String, double[]> extremes = new TreeMap<>();
    Map<String, Label> labels = new HashMap<>();
    Map<String, Long> embedded = new HashMap<>();
    double alpha = settings.alpha();
    InProcessRunner runner = new InProcessRunner(DetectorSet.named(DetectorSet.DEFAULT),
        InProcessRunner.Options.defaults());
    runner.run(new SimulationSource(Simulation.create(s, data)), new RunListener() {
      @Override
      public void onStart(TrafficSource source) {
        for (SimAccount a : source.accounts()) {
          labels.put(a.id(), a.label());
        }
      }

      @Override
      public void onExchange(SimRequest request, Disposition disposition, Exchange e) {
        String id = e.accountId();
        // The level before this exchange: the runner tells listeners before the engine sees it.
        if (!tier.wants(e, levels.getOrDefault(id, RiskLevel.NONE))) {
          return;
        }
        labels.putIfAbsent(id, request.account().label());
        long before = tier.embedded();
        tier.observe(id, ExpensiveTier.promptOf(e));
        if (tier.embedded() > before) {
          embedded.merge(id, 1L, Long::sum);
          if (tier.embedded() % 2000 == 0 && log != null) {
            log.printf(Locale.ROOT, "  %s: %d prompts embedded (%d by the model), %.1f ms each, %d accounts%n",
                e.eventTime(), tier.embedded(), tier.modelRuns(), tier.meanEmbedMicros() / 1000, tier.accounts());
          }
        }
        double[] st = tier.statistics(id);
        double[] x = extremes.computeIfAbsent(id, k -> new double[] {Double.NEGATIVE_INFINITY,
            Double.POSITIVE_INFINITY});
        if (st != null) {
          if (!Double.isNaN(st[0]) && st[1] <= alpha) {
            x[0] = Math.max(x[0], st[0]);
          }
          if (!Double.isNaN(st[2]) && st[3] <= alpha) {
            x[1] = Math.min(x[1], st[2]);
          }
        }
      }

      @Override
      public void onVerdict(SimRequest request, Verdict verdict) {
        levels.merge(verdict.accountId(), verdict.level(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
    });
    List<AccountStats> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : extremes.entrySet()) {
      out.add(new AccountStats(e.getKey(), labels.get(e.getKey()), embedded.getOrDefault(e.getKey(), 0L),
          e.getValue()[0], e.getValue()[1]));
    }
    return out;
  }

  /** One line per group of accounts: count, and quantiles of their extreme statistics. */
  public static String summary(List<AccountStats> stats) {
    Map<String, List<AccountStats>> groups = new TreeMap<>();
    for (AccountStats a : stats) {
      Label l = a.label();
      String g = l == null ? "unknown" : switch (l.kind()) {
        case BENIGN -> "benign ordinary";
        case BENIGN_HEAVY -> "benign heavy: " + l.group();
        case CAMPAIGN -> "campaign: " + l.group();
      };
      groups.computeIfAbsent(g, k -> new ArrayList<>()).add(a);
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-36s %5s %8s | %-26s | %-26s%n", "accounts",
        "n", "embedded", "max MMD² (p<=a): min/med/max", "min W (p<=a): min/med/max"));
    for (Map.Entry<String, List<AccountStats>> g : groups.entrySet()) {
      List<AccountStats> l = g.getValue();
      double[] m = l.stream().mapToDouble(AccountStats::maxMmd2).filter(Double::isFinite).sorted().toArray();
      double[] w = l.stream().mapToDouble(AccountStats::minW).filter(Double::isFinite).sorted().toArray();
      long emb = l.stream().mapToLong(AccountStats::embedded).sum();
      sb.append(String.format(Locale.ROOT, "%-36s %5d %8d | %3d: %s | %3d: %s%n", g.getKey(), l.size(), emb,
          m.length, q(m), w.length, q(w)));
    }
    return sb.toString();
  }

  private static String q(double[] sorted) {
    if (sorted.length == 0) {
      return String.format(Locale.ROOT, "%21s", "-");
    }
    return String.format(Locale.ROOT, "%.3f/%.3f/%.3f", sorted[0], sorted[sorted.length / 2],
        sorted[sorted.length - 1]);
  }

  private static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "none";
  }

  static String describe(double[] v) {
    return Arrays.toString(v);
  }
}
