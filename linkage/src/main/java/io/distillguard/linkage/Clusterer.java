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
  record Stats(long pairsScored, long confidentEdges, int components, int splitComponents, long nanos,
      long scoringNanos, long communityNanos) {}

  private final LinkageConfig config;
  /** Fewer accounts than this are scored on one thread: starting threads would cost more than it saves. */
  int parallelFrom = 50_000;
  private Stats stats = new Stats(0, 0, 0, 0, 0, 0, 0);

  Clusterer(LinkageConfig config) {
    this.config = config;
  }

  Stats stats() {
    return stats;
  }

  /**
   * @param scorers a fresh pair scorer for each thread scoring pairs ({@link LinkageConfig#threads()}); the key index
   *                must be frozen while more than one runs
   */
  List<Group> cluster(List<AccountProfile> profiles, java.util.function.Supplier<PairScorer> scorers) {
    long start = System.nanoTime();
    int n = profiles.size();
    UnionFind uf = new UnionFind(n);
    int threads = n < parallelFrom ? 1 : config.threads();
    IntPairs[] found = new IntPairs[threads];
    long[] counts = new long[threads];
    if (threads == 1) {
      found[0] = new IntPairs();
      counts[0] = score(profiles, scorers.get(), 0, n, found[0]);
    } else {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = (int) ((long) n * t / threads);
        int to = (int) ((long) n * (t + 1) / threads);
        int slot = t;
        found[t] = new IntPairs();
        PairScorer scorer = scorers.get();
        Thread w = new Thread(() -> counts[slot] = score(profiles, scorer, from, to, found[slot]),
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
    for (int t = 0; t < threads; t++) {
      scored += counts[t];
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
    if (!byRoot.isEmpty()) {
      Map<Integer, Graph<Integer, DefaultWeightedEdge>> graphs = new HashMap<>();
      for (int i = 0; i < edges.size; i++) {
        int a = edges.a[i];
        int root = uf.find(a);
        if (!byRoot.containsKey(root)) {
          continue;
        }
        Graph<Integer, DefaultWeightedEdge> g = graphs.computeIfAbsent(root,
            r -> new SimpleWeightedGraph<>(DefaultWeightedEdge.class));
        int b = edges.b[i];
        g.addVertex(a);
        g.addVertex(b);
        if (!g.containsEdge(a, b)) {
          g.addEdge(a, b);
        }
      }
      for (Map.Entry<Integer, Graph<Integer, DefaultWeightedEdge>> e : graphs.entrySet()) {
        List<int[]> parts = communities(e.getValue(), e.getKey());
        if (parts.size() > 1) {
          split++;
        }
        groups.addAll(parts);
      }
    }
    long communitiesAt = System.nanoTime();
    List<Group> out = assignIds(groups, profiles);
    stats = new Stats(scored, edges.size, components.size(), split, System.nanoTime() - start, scoredAt - start,
        communitiesAt - scoredAt);
    return out;
  }

  /** Scores the candidate pairs of accounts {@code [from, to)}; writes the confident ones; returns how many. */
  private static long score(List<AccountProfile> profiles, PairScorer scorer, int from, int to, IntPairs out) {
    long scored = 0;
    for (int a = from; a < to; a++) {
      AccountProfile pa = profiles.get(a);
      for (int k = 0; k < pa.neighborCount; k++) {
        int b = pa.neighbors[k];
        AccountProfile pb = profiles.get(b);
        // Scored from b's side when a is among b's neighbours. Neighbours are only ever added in pairs, so a is
        // unless b's list was full when they met: only a full list needs the scan.
        if (b < a && (pb.neighborCount < AccountProfile.MAX_NEIGHBORS || contains(pb, a))) {
          continue;
        }
        scored++;
        if (scorer.confident(pa, pb)) {
          out.add(a, b);
        }
      }
    }
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
