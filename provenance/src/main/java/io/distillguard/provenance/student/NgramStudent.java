package io.distillguard.provenance.student;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The distilled student: a word-level trigram language model with interpolated Kneser-Ney smoothing, conditioned
 * on the prompt by retrieval. For a prompt, the training examples whose prompts share the most informative words
 * (TF-IDF) form a local model that is mixed with the global one, so the answer is about the question while every
 * word choice still comes from the harvested answers — which is how a distilled model inherits the teacher's (and
 * the watermark's) word-choice statistics.
 *
 * <p>Generation samples exactly from the interpolated distribution without enumerating the vocabulary: at each
 * order it takes a seen continuation with the discounted mass, or backs off with the remaining mass.
 */
public final class NgramStudent {
  static final double DISCOUNT = 0.75;
  static final int BOS = 0;
  static final int EOS = 1;

  private final Vocabulary vocab;
  private final int[][] prompts;
  private final int[][] answers;
  private final Map<Long, Continuations> trigram = new HashMap<>();
  private final Map<Integer, Continuations> bigram = new HashMap<>();
  private final Continuations unigram;
  private final Map<Integer, int[]> postings = new HashMap<>();
  private final double[] idf;

  /** Settings of one generation. */
  public record Sampling(int maxTokens, int neighbours, double localWeight, long seed) {
    public static Sampling defaults(long seed) {
      return new Sampling(256, 8, 0.7, seed);
    }
  }

  NgramStudent(Vocabulary vocab, int[][] prompts, int[][] answers) {
    this.vocab = vocab;
    this.prompts = prompts;
    this.answers = answers;
    Map<Long, Map<Integer, Integer>> tri = new HashMap<>();
    Map<Integer, Map<Integer, Integer>> biCont = new HashMap<>(); // KN: distinct left contexts of (w1, w2)
    Map<Integer, Integer> uniCont = new HashMap<>();
    java.util.Set<Long> seenBigram = new java.util.HashSet<>();
    java.util.Set<Long> seenTrigram = new java.util.HashSet<>();
    for (int[] a : answers) {
      int p2 = BOS;
      int p1 = BOS;
      for (int i = 0; i <= a.length; i++) {
        int w = i < a.length ? a[i] : EOS;
        long h = key(p2, p1);
        tri.computeIfAbsent(h, k -> new HashMap<>()).merge(w, 1, Integer::sum);
        long tg = h * 1_000_003L + w;
        if (seenTrigram.add(tg)) {
          biCont.computeIfAbsent(p1, k -> new HashMap<>()).merge(w, 1, Integer::sum);
        }
        if (seenBigram.add(key(p1, w))) {
          uniCont.merge(w, 1, Integer::sum);
        }
        p2 = p1;
        p1 = w;
      }
    }
    tri.forEach((h, m) -> trigram.put(h, Continuations.of(m)));
    biCont.forEach((h, m) -> bigram.put(h, Continuations.of(m)));
    unigram = Continuations.of(uniCont);
    Map<Integer, List<Integer>> post = new HashMap<>();
    for (int i = 0; i < prompts.length; i++) {
      for (int t : Arrays.stream(prompts[i]).distinct().toArray()) {
        post.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
      }
    }
    idf = new double[vocab.size()];
    post.forEach((t, ids) -> {
      postings.put(t, ids.stream().mapToInt(Integer::intValue).toArray());
      idf[t] = Math.log((prompts.length + 1.0) / (ids.size() + 0.5));
    });
  }

  private static long key(int a, int b) {
    return ((long) a << 32) | (b & 0xffffffffL);
  }

  public int examples() {
    return answers.length;
  }

  public int trigrams() {
    return trigram.size();
  }

  public Vocabulary vocabulary() {
    return vocab;
  }

  int[][] prompts() {
    return prompts;
  }

  int[][] answers() {
    return answers;
  }

  /** An answer to {@code prompt}. */
  public String generate(String prompt, Sampling s) {
    SplittableRandom r = new SplittableRandom(s.seed() ^ prompt.hashCode());
    Local local = new Local(neighbours(prompt, s.neighbours()));
    List<String> out = new ArrayList<>();
    int p2 = BOS;
    int p1 = BOS;
    for (int i = 0; i < s.maxTokens(); i++) {
      int w = -1;
      if (!local.empty() && r.nextDouble() < s.localWeight()) {
        w = local.sample(p2, p1, r);
      }
      if (w < 0) {
        w = sampleGlobal(p2, p1, r);
      }
      if (w == EOS) {
        break;
      }
      out.add(vocab.word(w));
      p2 = p1;
      p1 = w;
    }
    return WordTokens.join(out);
  }

  private int sampleGlobal(int p2, int p1, SplittableRandom r) {
    Continuations c3 = trigram.get(key(p2, p1));
    if (c3 != null) {
      int w = c3.sampleDiscounted(r);
      if (w >= 0) {
        return w;
      }
    }
    Continuations c2 = bigram.get(p1);
    if (c2 != null) {
      int w = c2.sampleDiscounted(r);
      if (w >= 0) {
        return w;
      }
    }
    return unigram.sampleAll(r);
  }

  /** Training examples whose prompts best match, by summed IDF of shared terms. */
  int[] neighbours(String prompt, int k) {
    Map<Integer, Double> score = new HashMap<>();
    for (String term : new java.util.LinkedHashSet<>(WordTokens.terms(prompt))) {
      Integer t = vocab.id(term);
      if (t == null || !postings.containsKey(t)) {
        continue;
      }
      int[] ids = postings.get(t);
      if (ids.length > prompts.length / 4) {
        continue; // too common to tell prompts apart
      }
      for (int id : ids) {
        score.merge(id, idf[t], Double::sum);
      }
    }
    return score.entrySet().stream()
        .sorted((a, b) -> a.getValue().equals(b.getValue()) ? Integer.compare(a.getKey(), b.getKey())
            : Double.compare(b.getValue(), a.getValue()))
        .limit(k).mapToInt(Map.Entry::getKey).toArray();
  }

  /** The neighbours' answers as a small maximum-likelihood trigram model with bigram back-off. */
  private final class Local {
    private final Map<Long, Continuations> tri = new HashMap<>();
    private final Map<Integer, Continuations> bi = new HashMap<>();

    Local(int[] ids) {
      Map<Long, Map<Integer, Integer>> t = new HashMap<>();
      Map<Integer, Map<Integer, Integer>> b = new HashMap<>();
      for (int id : ids) {
        int[] a = answers[id];
        int p2 = BOS;
        int p1 = BOS;
        for (int i = 0; i <= a.length; i++) {
          int w = i < a.length ? a[i] : EOS;
          t.computeIfAbsent(key(p2, p1), x -> new HashMap<>()).merge(w, 1, Integer::sum);
          b.computeIfAbsent(p1, x -> new HashMap<>()).merge(w, 1, Integer::sum);
          p2 = p1;
          p1 = w;
        }
      }
      t.forEach((h, m) -> tri.put(h, Continuations.of(m)));
      b.forEach((h, m) -> bi.put(h, Continuations.of(m)));
    }

    boolean empty() {
      return bi.isEmpty();
    }

    int sample(int p2, int p1, SplittableRandom r) {
      Continuations c = tri.get(key(p2, p1));
      if (c == null) {
        c = bi.get(p1);
      }
      return c == null ? -1 : c.sampleAll(r);
    }
  }

  /** The words seen after one history, with counts. */
  static final class Continuations {
    final int[] words;
    final int[] counts;
    final int total;

    private Continuations(int[] words, int[] counts, int total) {
      this.words = words;
      this.counts = counts;
      this.total = total;
    }

    static Continuations of(Map<Integer, Integer> m) {
      int[] w = new int[m.size()];
      int[] c = new int[m.size()];
      int i = 0;
      int total = 0;
      for (var e : new java.util.TreeMap<>(m).entrySet()) {
        w[i] = e.getKey();
        c[i++] = e.getValue();
        total += e.getValue();
      }
      return new Continuations(w, c, total);
    }

    /** A word in proportion to its count. */
    int sampleAll(SplittableRandom r) {
      double u = r.nextDouble() * total;
      for (int i = 0; i < words.length; i++) {
        u -= counts[i];
        if (u < 0) {
          return words[i];
        }
      }
      return words[words.length - 1];
    }

    /**
     * A word with probability (count - D) / total, or -1 (back off) with the rest: D times the number of distinct
     * continuations, over total — the interpolation weight of Kneser-Ney.
     */
    int sampleDiscounted(SplittableRandom r) {
      double u = r.nextDouble() * total;
      for (int i = 0; i < words.length; i++) {
        u -= counts[i] - DISCOUNT;
        if (u < 0) {
          return words[i];
        }
      }
      return -1;
    }
  }
}
