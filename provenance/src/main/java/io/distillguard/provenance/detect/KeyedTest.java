package io.distillguard.provenance.detect;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.KeyedChoice;
import io.distillguard.provenance.watermark.WatermarkKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The watermark test: for each key, how many of a text's distinct events use the key's preferred variant, against
 * how many a text written without the key would use by chance.
 *
 * <p>Null hypothesis: the text was written without this key. The key's preferences are uniform pseudo-random
 * choices, independent of any text written without it, so each distinct event with a set of k words hits with
 * probability exactly 1/k, independently across distinct (context, set) pairs ({@link ScoredEvents}); the number of
 * hits is Poisson-binomial and its tail is the p-value. Only events the key selects at the detector's strength are
 * counted (the key knows which pairs it would have rewritten; the rest carry no signal).
 *
 * <p>Many keys at once: each key gets its own p-value, and the family is corrected with Holm's step-down method,
 * which controls the chance of any false accusation among all keys tested, under any dependence between them
 * (scores on one text are dependent, since the keys share its events).
 */
public final class KeyedTest {
  private final double strength;
  private final Map<String, PoissonBinomialTail> tails = new ConcurrentHashMap<>();

  /**
   * @param strength the watermark strength the detector assumes: pairs a key selects at this strength are scored.
   *                 Use the smallest strength the gateway applies (a stronger level selects a superset).
   */
  public KeyedTest(double strength) {
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in (0, 1]: " + strength);
    }
    this.strength = strength;
  }

  public double strength() {
    return strength;
  }

  /** One key, no correction. */
  public KeyScore score(ScoredEvents events, WatermarkKey key) {
    KeyedChoice choice = new KeyedChoice(key);
    int[] bySize = new int[Lexicon.MAX_SET + 1];
    int n = 0;
    int hits = 0;
    for (ScoredEvents.Event e : events.events()) {
      choice.at(e.context(), e.set());
      if (!choice.selected(strength)) {
        continue;
      }
      n++;
      bySize[Math.min(e.size(), bySize.length - 1)]++;
      if (choice.preferred(e.size()) == e.variant()) {
        hits++;
      }
    }
    if (n == 0) {
      return new KeyScore(key, 0, 0, 0, 0, 0, 0, 0);
    }
    PoissonBinomialTail tail = tail(bySize);
    double mean = tail.mean();
    double var = tail.variance();
    double z = var > 0 ? (hits - mean) / Math.sqrt(var) : 0;
    double log10P = tail.log10Upper(hits);
    return new KeyScore(key, n, hits, mean, var, z, log10P, log10P);
  }

  /**
   * Every key, corrected for their number (Holm), best first. Keys are scored in parallel.
   */
  public List<KeyScore> scoreAll(ScoredEvents events, List<WatermarkKey> keys) {
    List<KeyScore> raw = keys.parallelStream().map(k -> score(events, k)).toList();
    return holm(raw);
  }

  /** Holm's step-down adjustment in log10: p_(i) * (m - i + 1), made monotone, capped at 1. */
  static List<KeyScore> holm(List<KeyScore> raw) {
    List<KeyScore> sorted = new ArrayList<>(raw);
    sorted.sort(Comparator.comparingDouble(KeyScore::log10P).thenComparing(s -> s.key().toString()));
    int m = sorted.size();
    List<KeyScore> out = new ArrayList<>(m);
    double running = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < m; i++) {
      KeyScore s = sorted.get(i);
      double adj = Math.min(0, s.log10P() + Math.log10(m - i));
      running = Math.max(running, adj);
      out.add(s.adjusted(running));
    }
    return out;
  }

  private PoissonBinomialTail tail(int[] bySize) {
    StringBuilder sig = new StringBuilder();
    List<Integer> counts = new ArrayList<>();
    List<Double> probs = new ArrayList<>();
    for (int k = 2; k < bySize.length; k++) {
      if (bySize[k] > 0) {
        sig.append(k).append(':').append(bySize[k]).append(' ');
        counts.add(bySize[k]);
        probs.add(1.0 / k);
      }
    }
    return tails.computeIfAbsent(sig.toString(), s -> new PoissonBinomialTail(
        counts.stream().mapToInt(Integer::intValue).toArray(),
        probs.stream().mapToDouble(Double::doubleValue).toArray()));
  }
}
