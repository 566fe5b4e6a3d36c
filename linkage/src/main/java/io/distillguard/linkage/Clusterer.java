package io.distillguard.linkage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.alg.clustering.LabelPropagationClustering;
import org.jgrapht.alg.clustering.UndirectedModularityMeasurer;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleWeightedGraph;

/**
 * Turns candidate pairs into clusters: every candidate pair is scored, confident edges are joined into connected
 * components, and components that are large enough are checked for communities (JGraphT's label propagation) in
 * case a few stray edges joined groups that are really separate. A split is kept only when its modularity says the
 * parts are clearly apart.
 *
 * <p>Cluster ids are stable across recomputations: a new group takes the id of the previous cluster it overlaps most
 * (at least half of the smaller of the two, each old id used once); otherwise its id is derived from the account id
 * of its earliest sign-up, which does not change as members join, nor when a restarted gateway sees the accounts in
 * another order.
 */
final class Clusterer {
  /** A cluster of a recomputation: its id and its members' profile indexes, oldest first. */
  record Group(String id, int[] members) {}

  /** Counts of the last run, for metrics and benchmarks. */
  record Stats(long pairsScored, long pairsKept, long confidentEdges, int components, int splitComponents,
      int checkedComponents, int reusedComponents, long nanos, long scoringNanos, long communityNanos) {}

  private final LinkageConfig config;
  /** Fewer accounts than this are scored on one thread: starting threads would cost more than it saves. */
  int parallelFrom = 50_000;
  /**
   * The last recomputation's large components by union-find root, with their confident edges in the order they were
   * found and the communities they were split into. A component found again with the very same edges in the same
   * order has the same root and gives label propagation (seeded by the root) the same graph, so its communities are
   * taken as they were instead of being computed again; on a million accounts that was most of a recomputation once
   * unchanged pairs were no longer scored again.
   */
  private Map<Integer, Split> splits = new HashMap<>();
  /** Whether {@link #splits} may be used (off for tests that compare with computing everything). */
  boolean reuse = true;
  private int reusedSplits;
  private Stats stats = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  Clusterer(LinkageConfig config) {
    this.config = config;
  }

  Stats stats() {
    return stats;
  }

  /**
   * @param scorers a fresh pair scorer for each thread scoring pairs ({@link LinkageConfig#threads()}); the key index
   *                must be frozen while they run
   * @param changed accounts whose pairs must all be scored again (their profile changed, or a key weight their pairs
   *                read did); the other pairs keep the result of the last time they were scored, unless they are new
   *                or their other account is changed. Null scores every pair.
   */
  List<Group> cluster(List<AccountProfile> profiles, java.util.function.Supplier<PairScorer> scorers,
      boolean[] changed) {
    long start = System.nanoTime();
    reusedSplits = 0;
    int n = profiles.size();
    UnionFind uf = new UnionFind(n);
    int threads = n < parallelFrom ? 1 : config.threads();
    IntPairs[] found = new IntPairs[threads];
    long[] counts = new long[threads];
    long[] kept = new long[threads];
    if (threads == 1) {
      found[0] = new IntPairs();
      counts[0] = score(profiles, scorers.get(), changed, 0, n, found[0], kept, 0);
    } else {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = (int) ((long) n * t / threads);
        int to = (int) ((long) n * (t + 1) / threads);
        int slot = t;
        found[t] = new IntPairs();
        PairScorer scorer = scorers.get();
        Thread w = new Thread(
            () -> counts[slot] = score(profiles, scorer, changed, from, to, found[slot], kept, slot),
            "linkage-pairs-" + t);
        w.setDaemon(true);
        workers.add(w);
        w.start();
      }
      for (Thread w : workers) {
        try {
          w.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while scoring pairs", e);
        }
      }
    }
    IntPairs edges = new IntPairs();
    long scored = 0;
    long reused = 0;
    for (int t = 0; t < threads; t++) {
      scored += counts[t];
      reused += kept[t];
      for (int i = 0; i < found[t].size; i++) {
        uf.union(found[t].a[i], found[t].b[i]);
        edges.add(found[t].a[i], found[t].b[i]);
      }
    }
    long scoredAt = System.nanoTime();
    Map<Integer, IntList> components = new HashMap<>();
    for (int a = 0; a < n; a++) {
      if (uf.sizeOf(a) >= 2) {
        components.computeIfAbsent(uf.find(a), r -> new IntList()).add(a);
      }
    }
    List<int[]> groups = new ArrayList<>();
    Map<Integer, List<int[]>> byRoot = new HashMap<>();
    int split = 0;
    for (Map.Entry<Integer, IntList> c : components.entrySet()) {
      int[] members = c.getValue().toArray();
      if (members.length >= config.splitMinMembers()) {
        byRoot.put(c.getKey(), new ArrayList<>());
      } else {
        groups.add(members);
      }
    }
    Map<Integer, Split> nextSplits = new HashMap<>();
    if (!byRoot.isEmpty()) {
      Map<Integer, IntPairs> inComponent = new HashMap<>();
      for (int i = 0; i < edges.size; i++) {
        int root = uf.find(edges.a[i]);
        if (byRoot.containsKey(root)) {
          inComponent.computeIfAbsent(root, r -> new IntPairs()).add(edges.a[i], edges.b[i]);
        }
      }
      for (Map.Entry<Integer, IntPairs> e : inComponent.entrySet()) {
        int root = e.getKey();
        IntPairs own = e.getValue();
        Split last = reuse ? splits.get(root) : null;
        List<int[]> parts;
        if (last != null && last.sameEdges(own)) {
          parts = last.parts;
          reusedSplits++;
        } else {
          Graph<Integer, DefaultWeightedEdge> g = new SimpleWeightedGraph<>(DefaultWeightedEdge.class);
          for (int i = 0; i < own.size; i++) {
            int a = own.a[i];
            int b = own.b[i];
            g.addVertex(a);
            g.addVertex(b);
            if (!g.containsEdge(a, b)) {
              g.addEdge(a, b);
            }
          }
          parts = communities(g, root);
        }
        nextSplits.put(root, new Split(own, parts));
        if (parts.size() > 1) {
          split++;
        }
        for (int[] part : parts) {
          groups.add(part.clone());
        }
      }
    }
    splits = nextSplits;
    long communitiesAt = System.nanoTime();
    List<Group> out = assignIds(groups, profiles);
    stats = new Stats(scored, reused, edges.size, components.size(), split, nextSplits.size(), reusedSplits,
        System.nanoTime() - start, scoredAt - start, communitiesAt - scoredAt);
    return out;
  }

  /**
   * Finds the confident pairs among the candidate pairs of accounts {@code [from, to)} and writes them: a pair is
   * scored when it is new, or either account is {@code changed}; otherwise its last result is kept
   * ({@link AccountProfile#confident}), counted in {@code kept[slot]}.
   *
   * @return how many pairs were scored
   */
  private static long score(List<AccountProfile> profiles, PairScorer scorer, boolean[] changed, int from, int to,
      IntPairs out, long[] kept, int slot) {
    long scored = 0;
    long reused = 0;
    for (int a = from; a < to; a++) {
      AccountProfile pa = profiles.get(a);
      boolean all = changed == null || changed[a];
      long confident = 0;
      for (int k = 0; k < pa.neighborCount; k++) {
        int b = pa.neighbors[k];
        AccountProfile pb = profiles.get(b);
        // Scored from b's side when a is among b's neighbours. Neighbours are only ever added in pairs, so a is
        // unless b's list was full when they met: only a full list needs the scan. Which side scores a pair
        // therefore never changes, and its last result stays in that side's bits.
        if (b < a && (pb.neighborCount < AccountProfile.MAX_NEIGHBORS || contains(pb, a))) {
          continue;
        }
        boolean edge;
        if (all || changed[b] || k >= pa.scoredNeighbors) {
          scored++;
          edge = scorer.confident(pa, pb);
        } else {
          reused++;
          edge = (pa.confident & (1L << k)) != 0;
        }
        if (edge) {
          confident |= 1L << k;
          out.add(a, b);
        }
      }
      pa.confident = confident;
      pa.scoredNeighbors = pa.neighborCount;
    }
    kept[slot] = reused;
    return scored;
  }

  /**
   * Label propagation proposes communities; a community is split off only when it is clearly apart from the rest:
   * its conductance (edges leaving it over the smaller of its and the rest's edge ends) is at most
   * {@link LinkageConfig#splitConductance()} and the partition's modularity is at least
   * {@link LinkageConfig#splitModularity()}. Communities that are not apart stay together: one campaign opened in
   * batches is denser within each batch, but its batches share far too many edges to be told apart.
   */
  private List<int[]> communities(Graph<Integer, DefaultWeightedEdge> g, int seed) {
    List<Set<Integer>> parts = new LabelPropagationClustering<>(g, 50, new Random(seed)).getClustering()
        .getClusters();
    List<int[]> whole = List.of(g.vertexSet().stream().mapToInt(Integer::intValue).sorted().toArray());
    if (parts.size() <= 1) {
      return whole;
    }
    double q = new UndirectedModularityMeasurer<>(g).modularity(parts);
    if (q < config.splitModularity()) {
      return whole;
    }
    Map<Integer, Integer> community = new HashMap<>();
    for (int i = 0; i < parts.size(); i++) {
      for (int v : parts.get(i)) {
        community.put(v, i);
      }
    }
    long[] volume = new long[parts.size()];
    long[] cut = new long[parts.size()];
    long total = 0;
    for (DefaultWeightedEdge e : g.edgeSet()) {
      int a = community.get(g.getEdgeSource(e));
      int b = community.get(g.getEdgeTarget(e));
      volume[a]++;
      volume[b]++;
      total += 2;
      if (a != b) {
        cut[a]++;
        cut[b]++;
      }
    }
    List<int[]> out = new ArrayList<>();
    IntList rest = new IntList();
    for (int i = 0; i < parts.size(); i++) {
      long smaller = Math.min(volume[i], total - volume[i]);
      double conductance = smaller == 0 ? 1 : cut[i] / (double) smaller;
      if (conductance <= config.splitConductance() && parts.get(i).size() >= 2) {
        out.add(parts.get(i).stream().mapToInt(Integer::intValue).sorted().toArray());
      } else {
        for (int v : parts.get(i)) {
          rest.add(v);
        }
      }
    }
    if (out.isEmpty()) {
      return whole;
    }
    if (rest.size >= 2) {
      int[] r = rest.toArray();
      Arrays.sort(r);
      out.add(r);
    }
    return out;
  }

  private static List<Group> assignIds(List<int[]> groups, List<AccountProfile> profiles) {
    // Previous cluster sizes, to judge overlaps.
    Map<String, Integer> previousSize = new HashMap<>();
    for (AccountProfile p : profiles) {
      if (p.cluster != null) {
        previousSize.merge(p.cluster, 1, Integer::sum);
      }
    }
    record Claim(int group, String id, int overlap) {}
    List<Claim> claims = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Map<String, Integer> overlap = new HashMap<>();
      for (int m : groups.get(g)) {
        String c = profiles.get(m).cluster;
        if (c != null) {
          overlap.merge(c, 1, Integer::sum);
        }
      }
      for (Map.Entry<String, Integer> e : overlap.entrySet()) {
        int smaller = Math.min(previousSize.get(e.getKey()), groups.get(g).length);
        if (e.getValue() * 2 >= smaller) {
          claims.add(new Claim(g, e.getKey(), e.getValue()));
        }
      }
    }
    claims.sort(Comparator.comparingInt(Claim::overlap).reversed().thenComparing(Claim::id)
        .thenComparingInt(Claim::group));
    String[] ids = new String[groups.size()];
    Set<String> used = new HashSet<>();
    for (Claim c : claims) {
      if (ids[c.group()] == null && used.add(c.id())) {
        ids[c.group()] = c.id();
      }
    }
    List<Group> out = new ArrayList<>(groups.size());
    for (int g = 0; g < groups.size(); g++) {
      int[] members = groups.get(g);
      Arrays.sort(members);
      if (ids[g] == null) {
        String base = idFor(oldest(members, profiles).id);
        String id = base;
        for (int k = 2; !used.add(id); k++) {
          id = base + "-" + k;
        }
        ids[g] = id;
      }
      out.add(new Group(ids[g], members));
    }
    out.sort(Comparator.comparing(Group::id));
    return out;
  }

  /**
   * The member that signed up first (then the smallest account id; accounts whose sign-up time is unknown come last):
   * the same after a restart, when linkage sees accounts in another order.
   */
  private static AccountProfile oldest(int[] members, List<AccountProfile> profiles) {
    AccountProfile best = null;
    for (int m : members) {
      AccountProfile p = profiles.get(m);
      if (best == null) {
        best = p;
        continue;
      }
      long a = p.createdAt == Long.MIN_VALUE ? Long.MAX_VALUE : p.createdAt;
      long b = best.createdAt == Long.MIN_VALUE ? Long.MAX_VALUE : best.createdAt;
      if (a < b || (a == b && p.id.compareTo(best.id) < 0)) {
        best = p;
      }
    }
    return best;
  }

  /** A cluster id derived from an account id: {@code cl_} and 12 hex digits. */
  static String idFor(String accountId) {
    long h = AccountProfile.hash(accountId);
    return String.format("cl_%012x", Keys.mix(h) & 0xFFFF_FFFF_FFFFL);
  }

  private static boolean contains(AccountProfile p, int other) {
    for (int i = 0; i < p.neighborCount; i++) {
      if (p.neighbors[i] == other) {
        return true;
      }
    }
    return false;
  }

  /** A large component's confident edges, in the order found, and the communities they gave. */
  private record Split(IntPairs edges, List<int[]> parts) {
    boolean sameEdges(IntPairs other) {
      return edges.size == other.size && Arrays.equals(edges.a, 0, edges.size, other.a, 0, other.size)
          && Arrays.equals(edges.b, 0, edges.size, other.b, 0, other.size);
    }
  }

  /** Growable pairs of ints. */
  static final class IntPairs {
    int[] a = new int[1024];
    int[] b = new int[1024];
    int size;

    void add(int x, int y) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
        b = Arrays.copyOf(b, size * 2);
      }
      a[size] = x;
      b[size] = y;
      size++;
    }
  }

  /** Growable list of ints. */
  static final class IntList {
    int[] v = new int[4];
    int size;

    void add(int x) {
      if (size == v.length) {
        v = Arrays.copyOf(v, size * 2);
      }
      v[size++] = x;
    }

    int[] toArray() {
      return Arrays.copyOf(v, size);
    }
  }
}
