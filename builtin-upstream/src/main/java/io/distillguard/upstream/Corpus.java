package io.distillguard.upstream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Canned question/answer pairs plus a BM25 index over the questions; this is how the builtin
 * upstream produces plausible answers without being a model.
 *
 * <p>{@link #top(String, int)} scores every pair whose question shares a lower-cased word with the
 * prompt and returns the best ones. Ties, and prompts that match nothing, are resolved by a hash of
 * the prompt, so the same prompt always yields the same answers. To stay well under a millisecond
 * on tens of thousands of pairs, query terms are visited rarest first and scoring stops after
 * {@value #MAX_POSTINGS_PER_QUERY} postings (the common words it skips barely move BM25 anyway),
 * and per-thread scratch arrays avoid allocating per query.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Corpus {
  static final int MAX_INDEXED_TERMS = 256;
  static final int MAX_QUERY_TERMS = 256;
  static final int MAX_POSTINGS_PER_QUERY = 20_000;
  private static final float K1 = 1.2f;
  private static final float B = 0.75f;

  private final List<QaPair> pairs;
  private final String description;
  private final Map<String, Integer> termIds;
  private final int[][] postingDocs;
  private final int[][] postingTfs;
  private final float[] idf;
  /** Per document BM25 length normaliser {@code k1 * (1 - b + b * len / avgLen)}. */
  private final float[] lengthNorm;
  private final ThreadLocal<Scratch> scratch;

  private Corpus(List<QaPair> pairs, String description) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("a corpus needs at least one pair");
    }
    this.pairs = List.copyOf(pairs);
    this.description = description;
    int n = this.pairs.size();
    this.termIds = new HashMap<>();
    int[][] docs = new int[1024][];
    int[][] tfs = new int[1024][];
    int[] sizes = new int[1024];
    int[] docLen = new int[n];
    long totalLen = 0;
    Map<String, int[]> counts = new HashMap<>();
    for (int d = 0; d < n; d++) {
      counts.clear();
      List<String> words = words(this.pairs.get(d).question(), MAX_INDEXED_TERMS);
      for (String w : words) {
        counts.computeIfAbsent(w, k -> new int[1])[0]++;
      }
      docLen[d] = words.size();
      totalLen += words.size();
      for (Map.Entry<String, int[]> e : counts.entrySet()) {
        int id = termIds.computeIfAbsent(e.getKey(), k -> termIds.size());
        if (id == docs.length) {
          docs = Arrays.copyOf(docs, id * 2);
          tfs = Arrays.copyOf(tfs, id * 2);
          sizes = Arrays.copyOf(sizes, id * 2);
        }
        if (docs[id] == null) {
          docs[id] = new int[2];
          tfs[id] = new int[2];
        } else if (sizes[id] == docs[id].length) {
          docs[id] = Arrays.copyOf(docs[id], sizes[id] * 2);
          tfs[id] = Arrays.copyOf(tfs[id], sizes[id] * 2);
        }
        docs[id][sizes[id]] = d;
        tfs[id][sizes[id]] = e.getValue()[0];
        sizes[id]++;
      }
    }
    int terms = termIds.size();
    this.postingDocs = new int[terms][];
    this.postingTfs = new int[terms][];
    this.idf = new float[terms];
    for (int t = 0; t < terms; t++) {
      postingDocs[t] = Arrays.copyOf(docs[t], sizes[t]);
      postingTfs[t] = Arrays.copyOf(tfs[t], sizes[t]);
      // BM25+ style idf that stays positive even for terms in most documents.
      idf[t] = (float) Math.log(1.0 + (n - sizes[t] + 0.5) / (sizes[t] + 0.5));
    }
    float avgLen = Math.max(1f, (float) totalLen / n);
    this.lengthNorm = new float[n];
    for (int d = 0; d < n; d++) {
      lengthNorm[d] = K1 * (1 - B + B * docLen[d] / avgLen);
    }
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(n));
  }

  /** A corpus over exactly these pairs (at least one), e.g. for tests. */
  public static Corpus fromPairs(List<QaPair> pairs) {
    return new Corpus(pairs, "pairs=" + pairs.size());
  }

  /**
   * The small corpus shipped with this module: about forty short general-knowledge and how-to
   * pairs written for it (some with step-by-step answers, some with code blocks). Loaded once.
   */
  public static Corpus fallback() {
    return FallbackHolder.INSTANCE;
  }

  /**
   * Loads question/answer pairs from the public datasets under {@code dataDir} (the project's
   * {@code shared/data} folder); see {@link CorpusLoader} for the files read. Missing files and
   * malformed rows are skipped; each source is capped. Returns {@link #fallback()} when nothing
   * could be loaded (including when {@code dataDir} does not exist).
   */
  public static Corpus load(Path dataDir) {
    CorpusLoader.Result result = CorpusLoader.load(dataDir);
    if (result.pairs().isEmpty()) {
      return fallback();
    }
    return new Corpus(result.pairs(), result.description());
  }

  /** Number of pairs. */
  public int size() {
    return pairs.size();
  }

  /** All pairs, in load order (unmodifiable). */
  public List<QaPair> pairs() {
    return pairs;
  }

  /** Where the pairs came from, e.g. {@code "gsm8k=5000, code-alpaca-2k=2017"}; for logs. */
  public String description() {
    return description;
  }

  /** The single best pair for {@code prompt}; same as {@code top(prompt, 1).get(0)}. */
  public QaPair best(String prompt) {
    return pairs.get(topIndices(prompt, 1)[0]);
  }

  /**
   * The {@code k} best pairs for {@code prompt}, best first, distinct while the corpus has enough
   * pairs (then it cycles). When fewer than {@code k} questions share a word with the prompt, the
   * rest are picked deterministically from the prompt's hash.
   */
  public List<QaPair> top(String prompt, int k) {
    int[] idx = topIndices(prompt, k);
    List<QaPair> out = new ArrayList<>(idx.length);
    for (int i : idx) {
      out.add(pairs.get(i));
    }
    return out;
  }

  int[] topIndices(String prompt, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1: " + k);
    }
    long seed = hash64(prompt);
    int n = pairs.size();
    int[] queryTerms = queryTermIds(prompt);
    Scratch s = scratch.get();
    int budget = MAX_POSTINGS_PER_QUERY;
    for (int t : queryTerms) {
      int[] docs = postingDocs[t];
      if (docs.length > budget) {
        break; // terms are sorted rarest first: everything after is at least as common
      }
      budget -= docs.length;
      int[] tfs = postingTfs[t];
      float w = idf[t];
      for (int p = 0; p < docs.length; p++) {
        int d = docs[p];
        float tf = tfs[p];
        if (s.scores[d] == 0f) {
          s.touched[s.touchedCount++] = d;
        }
        s.scores[d] += w * tf * (K1 + 1) / (tf + lengthNorm[d]);
      }
    }
    int want = Math.min(k, n);
    int[] best = new int[want];
    float[] bestScore = new float[want];
    long[] bestTie = new long[want];
    int filled = 0;
    for (int i = 0; i < s.touchedCount; i++) {
      int d = s.touched[i];
      float score = s.scores[d];
      long tie = mix64(d + seed);
      if (filled == want && !better(score, tie, bestScore[want - 1], bestTie[want - 1])) {
        continue;
      }
      int pos = filled == want ? want - 1 : filled++;
      while (pos > 0 && better(score, tie, bestScore[pos - 1], bestTie[pos - 1])) {
        best[pos] = best[pos - 1];
        bestScore[pos] = bestScore[pos - 1];
        bestTie[pos] = bestTie[pos - 1];
        pos--;
      }
      best[pos] = d;
      bestScore[pos] = score;
      bestTie[pos] = tie;
    }
    s.clear();
    int[] out = new int[k];
    System.arraycopy(best, 0, out, 0, filled);
    fillByHash(out, filled, seed, n);
    return out;
  }

  /** Completes {@code out[from..]} with pseudo-random distinct pairs (cycling once all are used). */
  private static void fillByHash(int[] out, int from, long seed, int n) {
    if (from == out.length) {
      return;
    }
    java.util.BitSet used = new java.util.BitSet(n);
    for (int i = 0; i < from; i++) {
      used.set(out[i]);
    }
    int next = (int) Math.floorMod(mix64(seed), (long) n);
    for (int i = from; i < out.length; i++) {
      if (used.cardinality() == n) {
        out[i] = out[i - n]; // every pair already used: cycle through the same order
        continue;
      }
      next = used.nextClearBit(next);
      if (next >= n) {
        next = used.nextClearBit(0);
      }
      used.set(next);
      out[i] = next;
    }
  }

  private static boolean better(float score, long tie, float otherScore, long otherTie) {
    return score > otherScore || (score == otherScore && tie > otherTie);
  }

  /** Ids of the prompt's known words, deduplicated, rarest (shortest posting list) first. */
  private int[] queryTermIds(String prompt) {
    List<String> words = words(prompt, Integer.MAX_VALUE);
    int[] ids = new int[Math.min(words.size(), MAX_QUERY_TERMS)];
    int count = 0;
    // The last user turn's end usually carries the actual question, so scan from the end.
    for (int i = words.size() - 1; i >= 0 && count < ids.length; i--) {
      Integer id = termIds.get(words.get(i));
      if (id != null && !contains(ids, count, id)) {
        ids[count++] = id;
      }
    }
    Integer[] boxed = new Integer[count];
    for (int i = 0; i < count; i++) {
      boxed[i] = ids[i];
    }
    Arrays.sort(boxed, (a, b) -> Integer.compare(postingDocs[a].length, postingDocs[b].length));
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = boxed[i];
    }
    return out;
  }

  private static boolean contains(int[] a, int len, int v) {
    for (int i = 0; i < len; i++) {
      if (a[i] == v) {
        return true;
      }
    }
    return false;
  }

  /** Lower-cased runs of letters and digits, at most {@code max} of them. */
  static List<String> words(String text, int max) {
    List<String> out = new ArrayList<>();
    int len = text.length();
    int i = 0;
    while (i < len && out.size() < max) {
      while (i < len && !Character.isLetterOrDigit(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < len && Character.isLetterOrDigit(text.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(text.substring(start, i).toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  /** FNV-1a over UTF-16 units, finished with a mixer; stable across JVMs and runs. */
  static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix64(h);
  }

  /** SplitMix64 finaliser. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Per-thread score accumulator, sized to the corpus and cleared sparsely after each query. */
  private static final class Scratch {
    final float[] scores;
    final int[] touched;
    int touchedCount;

    Scratch(int n) {
      scores = new float[n];
      touched = new int[n];
    }

    void clear() {
      for (int i = 0; i < touchedCount; i++) {
        scores[touched[i]] = 0f;
      }
      touchedCount = 0;
    }
  }

  private static final class FallbackHolder {
    static final Corpus INSTANCE = new Corpus(readFallback(), "builtin-fallback");

    private static List<QaPair> readFallback() {
      String resource = "fallback-corpus.jsonl";
      try (InputStream in = Corpus.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + resource);
        }
        List<QaPair> out = new ArrayList<>();
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
          if (line.isBlank()) {
            continue;
          }
          var node = Json.MAPPER.readTree(line);
          out.add(new QaPair(node.get("q").asText(), node.get("a").asText()));
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
