package io.distillguard.provenance.detect;

import io.distillguard.provenance.watermark.KeyedChoice;
import io.distillguard.provenance.watermark.WatermarkKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The watermark test: for each key, how strongly a text's (context, set) pairs tilt towards the key's preferred
 * variants, against how strongly a text written without the key would by chance.
 *
 * <p>Null hypothesis: the text was written without this key. The key's preferences are uniform pseudo-random
 * choices, independent of any text written without it, and independent across distinct (context, set) pairs. So,
 * given the text, the statistic (the sum over the pairs the key selects of the pair's standardized tilt towards the
 * preferred variant, see {@link ScoredEvents}) is a sum of independent variables, each uniform over that pair's
 * tilts: its distribution is known exactly from the text itself, whatever the text's own word frequencies, and
 * its upper tail is the p-value ({@link LatticeSumTail}). With two-word sets every pair counts +1 or -1: does the
 * text favour the key's variant here more than it does elsewhere? Only pairs the key selects at the detector's
 * strength are counted (the key knows which pairs it would have rewritten; the rest carry no signal).
 *
 * <p>Many keys at once: each key gets its own p-value, and the family is corrected with Holm's step-down method,
 * which controls the chance of any false accusation among all keys tested, under any dependence between them
 * (scores on one text are dependent, since the keys share its events).
 */
public final class KeyedTest {
  private final double strength;

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
    List<int[]> selected = new ArrayList<>();
    long t = 0;
    int hits = 0;
    double expected = 0;
    double hitVar = 0;
    for (ScoredEvents.Event e : events.events()) {
      choice.at(e.context(), e.set());
      if (!choice.selected(strength)) {
        continue;
      }
      int[] score = e.score();
      selected.add(score);
      int pref = choice.preferred(e.size());
      t += score[pref];
      if (score[pref] > 0) {
        hits++;
      }
      int favoured = 0;
      for (int s : score) {
        favoured += s > 0 ? 1 : 0;
      }
      double p = (double) favoured / score.length;
      expected += p;
      hitVar += p * (1 - p);
    }
    if (selected.isEmpty()) {
      return new KeyScore(key, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    LatticeSumTail tail = new LatticeSumTail(selected);
    double var = tail.variance();
    double z = var > 0 ? (t - tail.mean()) / Math.sqrt(var) : 0;
    double log10P = tail.log10Upper(t);
    return new KeyScore(key, selected.size(), hits, expected, hitVar, z, log10P, log10P, tail.log10MidP(t));
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
}
