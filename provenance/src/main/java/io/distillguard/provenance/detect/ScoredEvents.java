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
 *
 * <p>With a reference ({@link #against}): unwatermarked text of the same teacher, best its own answers to the same
 * probe prompts, several per prompt. A pair is then measured against the reference's shares at the same (context,
 * set) (shrunk towards the set's share by {@value #REFERENCE_PRIOR} pseudo-occurrence; a pair the reference lacks is
 * measured against the set's share alone), which cancels the teacher's preference for one word in that context as
 * well: a student that saw the watermark in a tenth of its data says "doesn't" after "it" a little more often than
 * the teacher does, even where both mostly say "does not". Such a pair scores the difference of shares weighted as
 * a likelihood ratio would weigh it, {@code d / (v + tau^2)}: {@code v = b(1 - b)(1/n + 1/(m + prior))} is the
 * sampling variance of the difference (n occurrences in the suspect, m in the reference, b the reference's share)
 * and {@code tau^2 =} {@value #DISCREPANCY} the share a student differs from its teacher by anyway (smoothing, other
 * prompts). A pair measured precisely on both sides weighs more than one seen a few times, and a pair the reference
 * hardly has weighs little; scores are in units of {@code tau} and clipped at {@value #REFERENCE_CLIP}, so that no
 * one pair decides the test. Any reference keeps the test exact, since the key's choices are independent of both
 * texts; a reference that matches the suspect's clean word choices makes it more powerful.
 */
public final class ScoredEvents {
  /** Resolution of the standardized tilts: they are rounded to multiples of 1/{@value}. */
  static final int GRID = 8;
  /** Weight of the set's share when a pair is measured against a reference's shares. */
  static final double REFERENCE_PRIOR = 1.0;
  /** Largest score of one pair measured against a reference, in units of the discrepancy's spread. */
  static final double REFERENCE_CLIP = 3.0;
  /**
   * Variance of the difference between a student's and its teacher's share of a variant in one context that is not
   * sampling noise (a spread of 0.1): it caps the weight of pairs measured very precisely.
   */
  static final double DISCREPANCY = 0.01;

  private final Lexicon lexicon;
  private final Map<PairKey, int[]> counts = new LinkedHashMap<>();
  private List<Event> events;
  private ScoredEvents reference;
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

  /**
   * Measures this text's pairs against the same pairs in {@code reference} (unwatermarked text of the teacher), or
   * against the set alone when null.
   */
  public ScoredEvents against(ScoredEvents reference) {
    if (reference != null && reference.lexicon != lexicon) {
      throw new IllegalArgumentException("the reference was read with another lexicon");
    }
    this.reference = reference;
    events = null;
    return this;
  }

  /** Whether pairs are measured against a reference text. */
  public boolean hasReference() {
    return reference != null;
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
      int[] ref = reference == null ? null : reference.counts.get(e.getKey());
      double refTotal = 0;
      if (ref != null) {
        for (int x : ref) {
          refTotal += x;
        }
      }
      double occurrences = 0;
      for (int x : c) {
        occurrences += x;
      }
      double[] tilt = new double[k];
      double[] base = new double[k];
      double var = 0;
      for (int i = 0; i < k; i++) {
        double setShare = (sum[i] + 1.0 / k) / (n + 1);
        base[i] = reference == null ? setShare
            : ((ref == null ? 0 : ref[i]) + REFERENCE_PRIOR * setShare) / (refTotal + REFERENCE_PRIOR);
        tilt[i] = share[i] - base[i];
        var += tilt[i] * tilt[i] / k; // the tilts sum to zero over the variants, so this is their variance
      }
      if (var < 1e-12) {
        continue;
      }
      int[] score = new int[k];
      boolean any = false;
      for (int i = 0; i < k; i++) {
        double z;
        if (reference != null) {
          z = referenceScore(tilt[i], base[i], occurrences, refTotal);
        } else {
          z = tilt[i] / Math.sqrt(var);
        }
        score[i] = (int) Math.round(z * GRID);
        any |= score[i] != score[0];
      }
      if (any) {
        out.add(new Event(e.getKey().context(), e.getKey().set(), c.clone(), score));
      }
    }
    return List.copyOf(out);
  }

  /**
   * A pair's score for one variant against the reference, in units of {@code sqrt(DISCREPANCY)}: the difference of
   * shares {@code d} over its variance (sampling on both sides plus the student-teacher discrepancy), as a
   * likelihood ratio for a small shift weighs it, clipped at {@link #REFERENCE_CLIP}.
   *
   * @param d         the suspect's share of the variant here minus the reference's (shrunk) share
   * @param base      the reference's (shrunk) share
   * @param n         the suspect's occurrences of the pair
   * @param reference the reference's occurrences of the pair (0 when it lacks it)
   */
  static double referenceScore(double d, double base, double n, double reference) {
    double sampling = base * (1 - base) * (1 / n + 1 / (reference + REFERENCE_PRIOR));
    double z = Math.sqrt(DISCREPANCY) * d / (sampling + DISCREPANCY);
    return Math.max(-REFERENCE_CLIP, Math.min(REFERENCE_CLIP, z));
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
