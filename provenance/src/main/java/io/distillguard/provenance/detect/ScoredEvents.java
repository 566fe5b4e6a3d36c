package io.distillguard.provenance.detect;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.text.ProseScanner;
import io.distillguard.provenance.text.WordWalker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scored events of a text, a batch of texts or a whole probe run: every distinct (context, variant set) pair,
 * with how often the text used each variant of the set there.
 *
 * <p>Each pair is one draw of a key's choice, however often it occurs: a model repeats phrases, and a repeated
 * bigram is one piece of evidence, not many. Counting repeats would let any text that happens to repeat a
 * key-consistent phrase look watermarked. Repeats only refine what the pair says: the share of its occurrences
 * that use each variant.
 *
 * <p>What a pair says is measured against the same set elsewhere in the text: its <em>tilt</em> towards a variant
 * is the variant's share at this pair minus its share over all the set's pairs (shrunk towards uniform by one
 * pseudo-pair, so a set seen in one context still says which variant that context used). A clean text's tilts do
 * not depend on any key; a watermarked one tilts, context by context, towards the key's preferred variants. This
 * cancels the natural preference of a model for one word of a set (a student that saw the watermark in 10% of its
 * data still says "purchase" mostly, but says it more where the key prefers it). Each pair's tilts are divided by
 * their spread over the set's variants, so every pair weighs the same; see {@link KeyedTest} for the test.
 */
public final class ScoredEvents {
  /** Resolution of the standardized tilts: they are rounded to multiples of 1/{@value}. */
  static final int GRID = 8;

  private final Lexicon lexicon;
  private final Map<PairKey, int[]> counts = new LinkedHashMap<>();
  private List<Event> events;
  private long occurrences;
  private long words;
  private int texts;

  private record PairKey(String context, int set) {}

  /**
   * One distinct (context, set) pair that carries information.
   *
   * @param context the normalized token before the words
   * @param set     the variant set's id
   * @param counts  occurrences of each variant of the set in this context
   * @param score   the standardized tilt towards each variant, in units of 1/{@link #GRID}: the statistic adds
   *                {@code score[preferred]} for every pair a key selects
   */
  public record Event(String context, int set, int[] counts, int[] score) {
    public int size() {
      return counts.length;
    }

    /** The variant used most here (the lowest index on a tie). */
    public int mostUsed() {
      int best = 0;
      for (int i = 1; i < counts.length; i++) {
        if (counts[i] > counts[best]) {
          best = i;
        }
      }
      return best;
    }
  }

  public ScoredEvents(Lexicon lexicon) {
    this.lexicon = lexicon;
  }

  public static ScoredEvents of(Lexicon lexicon, Iterable<String> texts) {
    ScoredEvents e = new ScoredEvents(lexicon);
    for (String t : texts) {
      e.add(t);
    }
    return e;
  }

  /** Adds the events of one more text (its context starts afresh). */
  public ScoredEvents add(String text) {
    WordWalker walker = new WordWalker(lexicon, (context, entry) -> {
      occurrences++;
      counts.computeIfAbsent(new PairKey(context, entry.set().id()), k -> new int[entry.set().size()])
          [entry.variant()]++;
      return entry.variant();
    }, (StringBuilder) null);
    ProseScanner scanner = new ProseScanner(walker);
    scanner.push(text);
    scanner.finish();
    words += walker.words();
    texts++;
    events = null;
    return this;
  }

  /** The informative pairs (those whose tilts are not all zero), in order of first occurrence. */
  public List<Event> events() {
    if (events == null) {
      events = build();
    }
    return events;
  }

  /** Distinct (context, set) pairs seen, informative or not. */
  public int pairs() {
    return counts.size();
  }

  private List<Event> build() {
    Map<Integer, double[]> pooled = new LinkedHashMap<>();
    Map<Integer, Integer> pairsOfSet = new LinkedHashMap<>();
    for (var e : counts.entrySet()) {
      double[] share = shares(e.getValue());
      double[] sum = pooled.computeIfAbsent(e.getKey().set(), k -> new double[share.length]);
      for (int i = 0; i < share.length; i++) {
        sum[i] += share[i];
      }
      pairsOfSet.merge(e.getKey().set(), 1, Integer::sum);
    }
    List<Event> out = new ArrayList<>();
    for (var e : counts.entrySet()) {
      int[] c = e.getValue();
      int k = c.length;
      double[] share = shares(c);
      double[] sum = pooled.get(e.getKey().set());
      int n = pairsOfSet.get(e.getKey().set());
      double[] tilt = new double[k];
      double var = 0;
      for (int i = 0; i < k; i++) {
        double setShare = (sum[i] + 1.0 / k) / (n + 1);
        tilt[i] = share[i] - setShare;
        var += tilt[i] * tilt[i] / k; // the tilts sum to zero over the variants, so this is their variance
      }
      if (var < 1e-12) {
        continue;
      }
      double sd = Math.sqrt(var);
      int[] score = new int[k];
      boolean any = false;
      for (int i = 0; i < k; i++) {
        score[i] = (int) Math.round(tilt[i] / sd * GRID);
        any |= score[i] != score[0];
      }
      if (any) {
        out.add(new Event(e.getKey().context(), e.getKey().set(), c.clone(), score));
      }
    }
    return List.copyOf(out);
  }

  private static double[] shares(int[] c) {
    double total = 0;
    for (int x : c) {
      total += x;
    }
    double[] s = new double[c.length];
    for (int i = 0; i < c.length; i++) {
      s[i] = c[i] / total;
    }
    return s;
  }

  /** Lexicon words seen, repeats included. */
  public long occurrences() {
    return occurrences;
  }

  public long words() {
    return words;
  }

  public int texts() {
    return texts;
  }

  public Lexicon lexicon() {
    return lexicon;
  }
}
