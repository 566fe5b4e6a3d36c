package io.distillguard.linkage;

import io.distillguard.core.detect.LogisticScorer;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.core.detect.Signal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores a cluster as one actor: the per-account model's score on the union of the members' traffic (signal
 * {@code traffic}) and what only a group shows: {@code size}, {@code creation-burst}, {@code templates} (one
 * template across accounts), {@code shards} (one prompt set split between them) and {@code sync} (one scheduler).
 * Combined by core's {@link LogisticScorer}, so reasons read like an account's.
 *
 * <p>The weights are set by hand, not fitted: a company's seats (large, one NAT, varied prompts, human timing) must
 * stay well below {@code watch} (and the union of a hundred people's traffic is steady and sleepless, so the
 * per-account model scores it high: its weight is kept low), a batch of team accounts opened the same day too, and a campaign that splits one
 * templated prompt set over many accounts on one clock must reach {@code block} even when each account sends less
 * than a median customer. See {@code docs/linkage.md} for the arithmetic.
 */
public final class ClusterScorer {
  public static final String SIZE = "size";
  public static final String BURST = "creation-burst";
  public static final String TEMPLATES = "templates";
  public static final String SHARDS = "shards";
  public static final String SYNC = "sync";
  public static final String TRAFFIC = "traffic";

  private final LogisticScorer scorer;

  public ClusterScorer() {
    Map<String, Double> w = new LinkedHashMap<>();
    w.put(SIZE, 1.0);
    w.put(BURST, 1.2);
    w.put(TEMPLATES, 1.2);
    w.put(SHARDS, 1.8);
    w.put(SYNC, 1.6);
    w.put(TRAFFIC, 1.0);
    scorer = new LogisticScorer(-4.5, w, List.of());
  }

  /**
   * @param traffic the per-account model's score on the union of the members' traffic since the cluster formed
   */
  public RiskScore score(ClusterFeatures f, double traffic) {
    return scorer.score(signals(f, traffic));
  }

  /** The cluster's signals, each with a sentence of numbers. */
  public List<Signal> signals(ClusterFeatures f, double traffic) {
    int n = f.members();
    return List.of(
        new Signal(SIZE, ramp(n, 3, 20), n, n + " linked accounts"),
        new Signal(BURST, ramp(f.burstShare(), 0.2, 0.6), n, pct(f.burstShare())
            + " signed up within an hour of two or more other members"),
        new Signal(TEMPLATES, ramp(f.templateShare(), 0.3, 0.7), n, pct(f.templateShare())
            + " mostly use one template skeleton"),
        new Signal(SHARDS, ramp(f.shardShare(), 0.3, 0.7), n, pct(f.shardShare())
            + " ask that template with prompts disjoint from each other (one prompt set split up)"),
        new Signal(SYNC, ramp(f.latticeShare(), 0.3, 0.7), n, pct(f.latticeShare())
            + " send within the same 10 seconds of a 15-minute clock"),
        new Signal(TRAFFIC, Math.max(0, Math.min(1, traffic)), f.exchanges(), String.format(Locale.ROOT,
            "per-account model on the members' traffic together: %.2f", traffic)));
  }

  static double ramp(double v, double lo, double hi) {
    if (v <= lo) {
      return 0;
    }
    return v >= hi ? 1 : (v - lo) / (hi - lo);
  }

  private static String pct(double v) {
    return Math.round(v * 100) + "% of members";
  }
}
