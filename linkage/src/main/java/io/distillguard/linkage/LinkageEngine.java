package io.distillguard.linkage;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.AccountState;
import io.distillguard.core.detect.AccountStateCodec;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Cross-account linkage as a streaming/batch hybrid. Each exchange updates its account's bounded profile and files
 * the account under any linkage key it shows for the first time; the key proposes a bounded number of earlier
 * members as candidate neighbours (never all pairs). {@link #recompute} scores every candidate pair on all evidence
 * kinds, clusters the confident edges, keeps cluster ids stable, scores each cluster as one actor and says which
 * accounts enforcement should act on. Between recomputations an account whose confident edges lead into an existing
 * cluster joins it at once and inherits its level, so a campaign's new accounts are caught on their first requests.
 *
 * <p>The union of a cluster's traffic is fed, under the cluster's id, to a per-account {@link DetectionEngine} (the
 * same detectors and model as accounts), whose score is one of the cluster's signals.
 *
 * <p>Not thread-safe: one engine per thread, as a keyed stream operator would run it. Memory grows with accounts
 * (bounded per account) and keys (bounded per key), never with exchanges.
 */
public final class LinkageEngine {
  /**
   * An account in no cluster is tried against the clusters on each of its first this many exchanges (and on any
   * later one that files a new key).
   */
  public static final int JOIN_WINDOW = 16;

  private final LinkageConfig config;
  private final DetectionEngine traffic;
  /**
   * Whether accounts are filed under their keys elsewhere (a stream job's stage keyed by linkage key) and this
   * engine learns candidates from {@link FilingAnswer}s, keeping a mirror of the buckets it reads.
   */
  private final boolean keysElsewhere;
  private final ClusterScorer clusterScorer = new ClusterScorer();
  private final List<AccountProfile> profiles = new ArrayList<>();
  private final Map<String, AccountProfile> byId = new HashMap<>();
  private final KeyIndex index;
  private final PairScorer scorer;
  private final Clusterer clusterer;
  private final Map<String, ClusterState> clusters = new LinkedHashMap<>();
  private final Map<String, RiskLevel> rulings = new HashMap<>();
  /** Restored clusters no recomputation has formed again yet (see {@link #restoreCluster}). */
  private final java.util.Set<String> held = new java.util.LinkedHashSet<>();
  private final Indicators indicators = new Indicators();
  private final LongBuffer fresh = new LongBuffer();
  /**
   * Members of clusters acted on (throttle or above), with that cluster: accounts that joined one, and every member
   * of one as of the last recomputation. They stay its members across recomputations unless one puts them in another
   * acted-on cluster, or the cluster dissolves or is no longer acted on (an analyst cleared it). Refused from their
   * first requests, or from the block on, they no longer send the traffic that would keep the edges a recomputation
   * clusters by; the finding stays.
   */
  private final Map<Integer, String> pinned = new HashMap<>();
  private final int[] candidates;
  private ClusterTies ties = ClusterTies.EMPTY;
  private boolean tiesStale;
  private long tiesAt;
  private long exchanges;
  private boolean rescoreAll;
  /** Indexes of the profiles that changed since the last {@link #writeChanges}, each once. */
  private Clusterer.IntList unsavedProfiles = new Clusterer.IntList();

  /** A group with this many members pinned to one acted-on cluster, and this share of it, is folded into it. */
  static final int FOLD_MIN_PINNED = 2;
  static final double FOLD_SHARE = 0.25;

  private static final class ClusterState {
    final String id;
    final Instant formedAt;
    int[] members = new int[0];
    RiskLevel level = RiskLevel.NONE;
    RiskScore risk = RiskScore.NONE;
    ClusterFeatures features;
    ClusterView view;

    ClusterState(String id, Instant formedAt) {
      this.id = id;
      this.formedAt = formedAt;
    }
  }

  /**
   * @param traffic engine the members' traffic is fed to under the cluster id, or null to leave that signal at 0
   */
  public LinkageEngine(LinkageConfig config, DetectionEngine traffic) {
    this(config, traffic, false);
  }

  private LinkageEngine(LinkageConfig config, DetectionEngine traffic, boolean keysElsewhere) {
    this.config = Objects.requireNonNull(config, "config");
    this.traffic = traffic;
    this.keysElsewhere = keysElsewhere;
    this.index = new KeyIndex(config);
    this.scorer = new PairScorer(config, index, profiles::get);
    this.clusterer = new Clusterer(config);
    this.candidates = new int[config.recent() + config.fromSample() + 1];
  }

  /**
   * An engine whose accounts are filed under their keys elsewhere: a stream job's stage keyed by account takes each
   * exchange's observation and says which keys it files ({@link AccountKeys}), a stage keyed by linkage key answers
   * each filing ({@link KeyMembers}), and this engine folds the exchange in with the answers
   * ({@link #accept(Exchange, Observation, FilingAnswer[])}). Given the same exchanges in the same order, it acts as
   * an engine built with the constructor. It keeps only the buckets it reads ({@link KeyIndex#mirrored}).
   */
  public static LinkageEngine withKeysFiledElsewhere(LinkageConfig config, DetectionEngine traffic) {
    return new LinkageEngine(config, traffic, true);
  }

  public LinkageConfig config() {
    return config;
  }

  /** Whether accounts are filed under their keys elsewhere ({@link #withKeysFiledElsewhere}). */
  public boolean keysFiledElsewhere() {
    return keysElsewhere;
  }

  // ------------------------------------------------------------------------------------------ streaming

  /**
   * Tells linkage an account's sign-up attributes ({@code payment_fingerprint}, {@code signup_ip},
   * {@code email_domain}) and creation time, and files it under its identity keys. May be called before or after
   * its first exchange.
   *
   * @return actions for the account when its sign-up already ties it to a cluster that is acted on
   */
  public List<LinkageAction> account(String accountId, Map<String, String> attributes, Instant createdAt) {
    filesHere();
    AccountProfile p = profile(accountId);
    p.attributes(attributes == null ? Map.of() : attributes, createdAt == null ? Long.MIN_VALUE
        : createdAt.toEpochMilli());
    touched(p);
    if (p.payment != 0) {
      file(p, Keys.of(Keys.PAYMENT, p.payment));
    }
    if (p.createdAt != Long.MIN_VALUE) {
      long window = config.signupWindow().toMillis();
      long bucket = Math.floorDiv(p.createdAt, window);
      for (long b = bucket; b <= bucket + 1; b++) {
        if (p.emailDomain != 0) {
          file(p, Keys.of(Keys.SIGNUP_DOMAIN, p.emailDomain * 31 + b));
        }
        if (p.signupSubnet != 0) {
          file(p, Keys.of(Keys.SIGNUP_SUBNET, p.signupSubnet * 31 + b));
        }
      }
    }
    if (p.signupSubnet != 0) {
      file(p, Keys.of(Keys.SUBNET, p.signupSubnet));
    }
    return attach(p, createdAt == null ? Instant.EPOCH : createdAt);
  }

  /**
   * Folds one exchange in.
   *
   * @return actions for the exchange's account (usually none): it joined a cluster that is acted on, or matched
   *     imported indicators
   */
  public List<LinkageAction> accept(Exchange e) {
    filesHere();
    if (e.accountId() == null) {
      return List.of();
    }
    exchanges++;
    AccountProfile p = profile(e.accountId());
    fresh.clear();
    p.observe(e, fresh);
    touched(p);
    for (int i = 0; i < fresh.size; i++) {
      file(p, fresh.values[i]);
    }
    return afterFiling(p, e);
  }

  /**
   * Folds one exchange in whose account was filed elsewhere ({@link #withKeysFiledElsewhere}): its observation, and
   * the answers to the filings {@link AccountKeys#observe} made of it, in the order it made them.
   *
   * @return as {@link #accept(Exchange)}
   * @throws IllegalStateException when this engine files accounts itself
   * @throws IllegalArgumentException when an answer is another account's
   */
  public List<LinkageAction> accept(Exchange e, Observation o, FilingAnswer[] answers) {
    if (!keysElsewhere) {
      throw new IllegalStateException("this engine files accounts under their keys itself");
    }
    if (e.accountId() == null) {
      return List.of();
    }
    exchanges++;
    AccountProfile p = profile(e.accountId());
    fresh.clear();
    p.observe(o, fresh); // what it files is what the answers say; whether it saw a new key decides a join below
    touched(p);
    for (FilingAnswer a : answers) {
      if (!a.account.equals(p.id)) {
        throw new IllegalArgumentException("a filing answer for another account");
      }
      if (!p.fileUnder(a.key)) {
        continue;
      }
      for (String c : a.candidates) {
        AccountProfile q = profile(c);
        if (q != p) {
          p.addNeighbor(q.index);
          if (q.addNeighbor(p.index)) {
            touched(q);
          }
        }
      }
      // A mirror level with the key stage takes the change; the whole bucket is read only when it is not.
      if (a.mirrored && !index.mirror(a.key, a.accounts, p.index, a.slot) && a.recent != null) {
        index.mirror(a.key, a.accounts, indexes(a.recent), indexes(a.sample));
      }
    }
    return afterFiling(p, e);
  }

  private int[] indexes(String[] accounts) {
    int[] out = new int[accounts.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = profile(accounts[i]).index;
    }
    return out;
  }

  private void filesHere() {
    if (keysElsewhere) {
      throw new IllegalStateException("this engine's accounts are filed under their keys elsewhere");
    }
  }

  /** What follows filing an exchange's account: its cluster's traffic, and joining a cluster. */
  private List<LinkageAction> afterFiling(AccountProfile p, Exchange e) {
    if (p.cluster != null && traffic != null) {
      traffic.accept(asCluster(e, p.cluster));
    }
    if (p.cluster == null && (fresh.size > 0 || p.exchanges <= JOIN_WINDOW)) {
      return attach(p, e.eventTime());
    }
    return List.of();
  }

  private void file(AccountProfile p, long key) {
    if (!p.fileUnder(key)) {
      return;
    }
    touched(p);
    int n = index.file(key, p.index, candidates);
    for (int i = 0; i < n; i++) {
      int c = candidates[i];
      if (c != p.index) {
        p.addNeighbor(c);
        AccountProfile q = profiles.get(c);
        if (q.addNeighbor(p.index)) {
          touched(q);
        }
      }
    }
  }

  /**
   * Joins an unclustered account to a cluster: to an acted-on cluster its sign-up and first requests tie it to
   * ({@link ClusterTies}), else to the cluster most of its confident edges lead into. Joined to a cluster already
   * acted on, it is pinned there ({@link #pinned}).
   */
  private List<LinkageAction> attach(AccountProfile p, Instant at) {
    List<LinkageAction> out = List.of();
    if (p.cluster == null && !clusters.isEmpty()) {
      Map<String, Integer> votes = new HashMap<>();
      ClusterTies.Tie tie = ClusterTies.young(p.createdAt != Long.MIN_VALUE ? p.createdAt : p.firstSeen,
          at.toEpochMilli()) ? ties().match(p) : null;
      String tied = tie == null ? null : tie.clusterId();
      if (tied != null) {
        votes.put(tied, 1);
      }
      for (int k = 0; k < p.neighborCount && tied == null; k++) {
        AccountProfile q = profiles.get(p.neighbors[k]);
        if (q.cluster != null && scorer.confident(p, q)) {
          votes.merge(q.cluster, 1, Integer::sum);
        }
      }
      String best = null;
      for (Map.Entry<String, Integer> v : votes.entrySet()) {
        if (best == null || v.getValue() > votes.get(best) || (v.getValue().equals(votes.get(best))
            && v.getKey().compareTo(best) < 0)) {
          best = v.getKey();
        }
      }
      ClusterState c = best == null ? null : clusters.get(best);
      if (c != null) {
        setCluster(p, c.id);
        int[] m = java.util.Arrays.copyOf(c.members, c.members.length + 1);
        m[m.length - 1] = p.index;
        c.members = m;
        c.view = null;
        if (acted(c)) {
          pinned.put(p.index, c.id);
        }
        if (c.level != RiskLevel.NONE) {
          out = List.of(new LinkageAction(p.id, c.id, c.level, c.risk, true, at));
        }
      }
    }
    if (!indicators.isEmpty()) {
      LinkageAction pre = indicators.prescore(p, at);
      if (pre != null) {
        List<LinkageAction> both = new ArrayList<>(out);
        both.add(pre);
        return both;
      }
    }
    return out;
  }

  /**
   * The snapshot of keys that tie a new account to an acted-on cluster ({@link ClusterTies}), rebuilt after each
   * recomputation, ruling and restore. Immutable: a gateway publishes it to its request path.
   */
  public ClusterTies ties() {
    if (tiesStale) {
      Map<String, int[]> acted = new LinkedHashMap<>();
      Map<String, RiskLevel> levels = new HashMap<>();
      for (ClusterState c : clusters.values()) {
        if (acted(c)) {
          acted.put(c.id, c.members);
          levels.put(c.id, c.level);
        }
      }
      ties = ClusterTies.build(acted, levels, index, profiles::get, tiesAt, config.recent() + config.sampled());
      tiesStale = false;
    }
    return ties;
  }

  /** {@link #ties()} with the event time it was built at, for publishing to gateway nodes that run no linkage. */
  public TiesSnapshot tiesSnapshot() {
    ClusterTies t = ties();
    return new TiesSnapshot(tiesAt, t);
  }

  /**
   * Pins the members of an acted-on cluster that {@link ClusterTies#sameOperator} finds to be one operator's with a
   * bigger one to that one, so the next recomputation folds it in ({@link #foldPinnedGroups}).
   */
  private void pinSameOperator() {
    for (String[] pair : ties().sameOperator(id -> clusters.get(id).members.length)) {
      ClusterState small = clusters.get(pair[0]);
      for (int m : small.members) {
        String at = pinned.get(m);
        if (at == null || at.equals(pair[0])) {
          pinned.put(m, pair[1]);
        }
      }
    }
  }

  private void tiesChanged(long atMillis) {
    tiesStale = true;
    tiesAt = atMillis;
  }

  private static Exchange asCluster(Exchange e, String clusterId) {
    return new Exchange(e.id(), e.eventTime(), clusterId, e.keyId(), e.clientIp(), e.userAgent(),
        e.headerFingerprint(), e.endpoint(), e.model(), e.params(), e.stream(), e.messages(), e.responseText(),
        e.promptSha256(), e.promptChars(), e.responseSha256(), e.responseChars(), e.promptTokens(),
        e.completionTokens(), e.status(), e.outcome(), e.errorCode(), e.latencyMicros(), e.upstreamMicros(),
        e.firstByteMicros());
  }

  private AccountProfile profile(String accountId) {
    AccountProfile p = byId.get(accountId);
    if (p == null) {
      p = new AccountProfile(profiles.size(), accountId);
      profiles.add(p);
      byId.put(accountId, p);
      touched(p);
    }
    return p;
  }

  /** Notes that a profile changed, for the next {@link #writeChanges}. Every change to a profile goes through here. */
  private void touched(AccountProfile p) {
    if (!p.unsaved) {
      p.unsaved = true;
      unsavedProfiles.add(p.index);
    }
  }

  private void setCluster(AccountProfile p, String clusterId) {
    if (!Objects.equals(p.cluster, clusterId)) {
      p.cluster = clusterId;
      touched(p);
    }
  }

  // ------------------------------------------------------------------------------------------ batch

  /**
   * Re-clusters every account from the current profiles and candidate pairs, scores each cluster and returns what
   * enforcement should do: every member of a cluster whose level rose, and every new member of a cluster already at
   * a level.
   *
   * @param now event time of the recomputation (when a new cluster is said to have formed)
   */
  public List<LinkageAction> recompute(Instant now) {
    List<Clusterer.Group> groups;
    LongMap<Boolean> reweighed = index.freeze(profiles::get);
    try {
      boolean[] changed = rescoreAll ? null : changed(reweighed);
      groups = clusterer.cluster(profiles, config.threads() > 1 ? () -> new PairScorer(config, index, profiles::get)
          : () -> scorer, changed);
    } finally {
      index.thaw();
    }
    for (AccountProfile p : profiles) {
      p.changed = false;
    }
    groups = foldPinnedGroups(groups);
    Map<String, ClusterState> next = new LinkedHashMap<>();
    List<LinkageAction> actions = new ArrayList<>();
    boolean[] clustered = new boolean[profiles.size()];
    for (Clusterer.Group g : groups) {
      ClusterState s = clusters.get(g.id());
      if (s == null) {
        s = new ClusterState(g.id(), now);
        RiskLevel ruled = rulings.get(g.id());
        if (ruled != null) {
          s.level = ruled;
        }
      }
      s.members = g.members();
      s.view = null;
      List<AccountProfile> members = new ArrayList<>(g.members().length);
      for (int m : g.members()) {
        members.add(profiles.get(m));
        clustered[m] = true;
      }
      s.features = ClusterFeatures.of(members);
      double t = traffic == null ? 0 : traffic.score(s.id);
      RiskScore raw = clusterScorer.score(s.features, t);
      RiskLevel detected = config.levelFor(raw.score(), members.size(), s.features.exchanges());
      RiskLevel ceiling = rulings.get(s.id);
      if (ceiling != null && detected.compareTo(ceiling) > 0) {
        detected = ceiling;
      }
      RiskLevel previous = s.level;
      if (detected.compareTo(s.level) > 0) {
        s.level = detected;
      }
      s.risk = new RiskScore(raw.score(), s.level, s.features.exchanges(), raw.reasons());
      for (AccountProfile p : members) {
        boolean joined = !s.id.equals(p.cluster);
        setCluster(p, s.id);
        if (s.level != RiskLevel.NONE && (s.level != previous || joined)) {
          actions.add(new LinkageAction(p.id, s.id, s.level, s.risk, joined && s.level == previous, now));
        }
      }
      next.put(s.id, s);
    }
    keepPinned(next, clustered);
    keepHeld(next, clustered);
    for (int i = 0; i < clustered.length; i++) {
      if (!clustered[i]) {
        setCluster(profiles.get(i), null);
      }
    }
    clusters.clear();
    clusters.putAll(next);
    for (ClusterState c : clusters.values()) {
      if (acted(c)) {
        for (int m : c.members) {
          pinned.put(m, c.id);
        }
      }
    }
    tiesChanged(now.toEpochMilli());
    pinSameOperator();
    return actions;
  }

  /**
   * The accounts whose pairs must all be scored again: those whose profile changed since the last recomputation, and
   * those whose values are weighed by a key whose weight changed ({@code reweighed}). Every other pair reads the same
   * profiles and weights as when it was last scored (or is new, which {@link Clusterer} sees), so its result stands:
   * a recomputation gives the clusters scoring every pair would, at the cost of what changed.
   */
  private boolean[] changed(LongMap<Boolean> reweighed) {
    boolean[] changed = new boolean[profiles.size()];
    LongBuffer keys = new LongBuffer();
    for (int i = 0; i < changed.length; i++) {
      AccountProfile p = profiles.get(i);
      if (p.changed) {
        changed[i] = true;
      } else if (reweighed.size() > 0) {
        keys.clear();
        PairScorer.keysRead(p, config, keys);
        for (int k = 0; k < keys.size && !changed[i]; k++) {
          changed[i] = reweighed.get(keys.values[k]) != null;
        }
      }
    }
    return changed;
  }

  /**
   * For tests: score every candidate pair and check every large component for communities at each recomputation,
   * keeping nothing from the last one.
   */
  void rescoreAll(boolean all) {
    rescoreAll = all;
    clusterer.reuse = !all;
  }

  /** For tests: the confident pairs of the last recomputation, as "a b" with the scoring side's account first. */
  java.util.Set<String> confidentPairs() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (AccountProfile p : profiles) {
      for (int k = 0; k < p.scoredNeighbors; k++) {
        if ((p.confident & (1L << k)) != 0) {
          out.add(p.id + " " + profiles.get(p.neighbors[k]).id);
        }
      }
    }
    return out;
  }

  /** For tests: a pair scorer over this engine's profiles and key index. */
  PairScorer newScorer() {
    return new PairScorer(config, index, profiles::get);
  }

  /** For tests: the profile of an account, or null. */
  AccountProfile profileOf(String accountId) {
    return byId.get(accountId);
  }

  /**
   * A group with a good share of its members pinned to one acted-on cluster (at least {@value #FOLD_MIN_PINNED} and
   * {@link #FOLD_SHARE} of it) is part of that cluster, not a new one: a batch of new accounts refused as its members
   * and linked among themselves by their sign-up burst, or the cluster's early members, whom community detection
   * separates from the many newcomers pinned to it once these outnumber them.
   */
  private List<Clusterer.Group> foldPinnedGroups(List<Clusterer.Group> groups) {
    if (pinned.isEmpty()) {
      return groups;
    }
    Map<String, int[]> merged = new LinkedHashMap<>();
    for (Clusterer.Group g : groups) {
      Map<String, Integer> votes = new HashMap<>();
      for (int m : g.members()) {
        String x = pinned.get(m);
        if (x != null) {
          votes.merge(x, 1, Integer::sum);
        }
      }
      String into = g.id();
      int most = 0;
      for (Map.Entry<String, Integer> v : votes.entrySet()) {
        if (v.getValue() >= Math.max(FOLD_MIN_PINNED, g.members().length * FOLD_SHARE) && (v.getValue() > most
            || (v.getValue() == most && v.getKey().compareTo(into) < 0))) {
          into = v.getKey();
          most = v.getValue();
        }
      }
      int[] members = g.members();
      if (into.equals(g.id()) && !acted(g.id())) {
        // A group not acted on keeps no account pinned to an acted-on cluster: the tie, or the membership the
        // account was refused for, outweighs the few edges a refused account's traffic gives it (to fellow
        // newcomers of its sign-up batch, say); keepPinned puts it back.
        members = java.util.Arrays.stream(members).filter(m -> !acted(pinned.get(m))).toArray();
        if (members.length < 2) {
          continue;
        }
      }
      int[] have = merged.get(into);
      if (have == null) {
        merged.put(into, members);
      } else {
        int[] both = java.util.Arrays.copyOf(have, have.length + members.length);
        System.arraycopy(members, 0, both, have.length, members.length);
        merged.put(into, both);
      }
    }
    List<Clusterer.Group> out = new ArrayList<>(merged.size());
    for (Map.Entry<String, int[]> e : merged.entrySet()) {
      out.add(new Clusterer.Group(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** Whether the cluster with this id (null for none) is at throttle or above as of the last recomputation. */
  private boolean acted(String id) {
    return id != null && acted(clusters.get(id));
  }

  /** Whether the cluster (null for none) is at throttle or above. */
  private static boolean acted(ClusterState c) {
    return c != null && c.level.atLeast(RiskLevel.THROTTLE);
  }

  /** Puts pinned accounts no group claimed back into their cluster, when it formed again. */
  private void keepPinned(Map<String, ClusterState> next, boolean[] clustered) {
    Map<String, List<Integer>> back = new HashMap<>();
    for (java.util.Iterator<Map.Entry<Integer, String>> it = pinned.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, String> e = it.next();
      ClusterState s = next.get(e.getValue());
      if (!acted(s) || (clustered[e.getKey()] && !s.id.equals(profiles.get(e.getKey()).cluster))) {
        it.remove(); // its cluster is gone or no longer acted on, or its edges put it in another acted-on cluster
        continue;
      }
      if (clustered[e.getKey()]) {
        continue;
      }
      back.computeIfAbsent(s.id, x -> new ArrayList<>()).add(e.getKey());
    }
    for (Map.Entry<String, List<Integer>> e : back.entrySet()) {
      ClusterState s = next.get(e.getKey());
      int[] m = java.util.Arrays.copyOf(s.members, s.members.length + e.getValue().size());
      int i = s.members.length;
      for (int a : e.getValue()) {
        m[i++] = a;
        clustered[a] = true;
        setCluster(profiles.get(a), s.id);
      }
      s.members = m;
      s.view = null;
    }
  }

  /**
   * Restored clusters that no group has claimed yet stay as they were stored, less members now clustered elsewhere:
   * after a restart linkage has sign-ups but not yet the traffic that formed them, and that absence is no evidence
   * that they dissolved. A cluster stops being held once a recomputation forms a group that takes its id.
   */
  private void keepHeld(Map<String, ClusterState> next, boolean[] clustered) {
    held.removeIf(next::containsKey);
    for (java.util.Iterator<String> it = held.iterator(); it.hasNext(); ) {
      ClusterState s = clusters.get(it.next());
      int[] keep = s == null ? new int[0]
          : java.util.Arrays.stream(s.members).filter(m -> !clustered[m]).toArray();
      if (keep.length == 0) {
        it.remove();
        continue;
      }
      if (keep.length != s.members.length) {
        s.members = keep;
        s.view = null;
      }
      for (int m : keep) {
        clustered[m] = true;
      }
      next.put(s.id, s);
    }
  }

  /** For tests: score pairs on several threads from this many accounts on. */
  void parallelFrom(int accounts) {
    clusterer.parallelFrom = accounts;
  }

  /** Counts of the last recomputation. */
  public String lastRecomputation() {
    Clusterer.Stats s = clusterer.stats();
    return String.format(java.util.Locale.ROOT, "%d accounts, %d candidate pairs scored (%d unchanged, kept), "
        + "%d confident edges, %d clusters (%d split into communities; %d of %d large components unchanged, kept) in "
        + "%.1f ms (pairs %.1f ms, components and communities %.1f ms)", profiles.size(), s.pairsScored(),
        s.pairsKept(), s.confidentEdges(), clusters.size(), s.splitComponents(), s.reusedComponents(),
        s.checkedComponents(), s.nanos() / 1e6, s.scoringNanos() / 1e6, s.communityNanos() / 1e6);
  }

  // ------------------------------------------------------------------------------------------ views

  /** The account's cluster id, or null. */
  public String clusterOf(String accountId) {
    AccountProfile p = byId.get(accountId);
    return p == null ? null : p.cluster;
  }

  /** A cluster, or null for an unknown id. */
  public ClusterView cluster(String id) {
    ClusterState s = clusters.get(id);
    return s == null ? null : view(s);
  }

  /** Every cluster, largest first (then by id). */
  public List<ClusterView> clusters() {
    List<ClusterView> out = new ArrayList<>(clusters.size());
    for (ClusterState s : clusters.values()) {
      out.add(view(s));
    }
    out.sort((a, b) -> a.size() != b.size() ? Integer.compare(b.size(), a.size()) : a.id().compareTo(b.id()));
    return out;
  }

  private ClusterView view(ClusterState s) {
    if (s.view == null) {
      List<String> ids = new ArrayList<>(s.members.length);
      for (int m : s.members) {
        ids.add(profiles.get(m).id);
      }
      s.view = new ClusterView(s.id, ids, s.level, rulings.containsKey(s.id), s.risk, s.features, s.formedAt);
    }
    return s.view;
  }

  /**
   * The evidence edges inside a cluster (between members that are candidate neighbours), strongest first.
   *
   * @param limit at most this many
   */
  public List<Edge> edges(String clusterId, int limit) {
    ClusterState s = clusters.get(clusterId);
    if (s == null) {
      return List.of();
    }
    List<Edge> out = new ArrayList<>();
    for (int m : s.members) {
      AccountProfile p = profiles.get(m);
      for (int k = 0; k < p.neighborCount; k++) {
        AccountProfile q = profiles.get(p.neighbors[k]);
        if (q.index > p.index && s.id.equals(q.cluster)) {
          out.add(scorer.edge(p, q));
        }
      }
    }
    out.sort((a, b) -> Double.compare(b.weight(), a.weight()));
    return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
  }

  /** For tests: the key index (a mirror, when accounts are filed elsewhere). */
  KeyIndex index() {
    return index;
  }

  /** For tests: the account of a profile index. */
  String idOf(int index) {
    return profiles.get(index).id;
  }

  /** For tests: the accounts an account has as candidate neighbours, in the order they came. */
  List<String> neighbors(String accountId) {
    AccountProfile p = byId.get(accountId);
    List<String> out = new ArrayList<>();
    for (int k = 0; p != null && k < p.neighborCount; k++) {
      out.add(profiles.get(p.neighbors[k]).id);
    }
    return out;
  }

  /** The evidence between two accounts as linkage sees it now (null when either is unknown). */
  public Edge edge(String a, String b) {
    AccountProfile pa = byId.get(a);
    AccountProfile pb = byId.get(b);
    return pa == null || pb == null ? null : scorer.edge(pa, pb);
  }

  public int accountCount() {
    return profiles.size();
  }

  public long exchanges() {
    return exchanges;
  }

  /** Distinct linkage keys filed so far. */
  public int keyCount() {
    return index.size();
  }
  /**
   * Of {@link #keyCount}, the keys whose buckets scoring and cluster ties read (shared by enough accounts to be
   * weighed or to tie, and template keys): what an engine whose accounts are filed elsewhere keeps a mirror of. The
   * rest stay with the stage keyed by linkage key.
   */
  public int keysRead() {
    int[] n = {0};
    index.forEachBucket((key, b) -> n[0] += KeyIndex.mirrored(key, b.accounts, config) ? 1 : 0);
    return n[0];
  }


  // ------------------------------------------------------------------------------------------ analysts

  /**
   * An analyst's ruling on a whole cluster: it is put at {@code level} now and detection never raises it above
   * that (until another ruling). The ruling stays with the cluster id across recomputations.
   *
   * @return one action per member at the ruled level (the caller applies it, lowering statuses too)
   * @throws IllegalArgumentException for an unknown cluster
   */
  public List<LinkageAction> rule(String clusterId, RiskLevel level, Instant at) {
    ClusterState s = clusters.get(clusterId);
    if (s == null) {
      throw new IllegalArgumentException("no cluster " + clusterId);
    }
    rulings.put(clusterId, level);
    s.level = level;
    s.risk = new RiskScore(s.risk.score(), level, s.risk.evidence(), s.risk.reasons());
    s.view = null;
    tiesChanged(at.toEpochMilli());
    List<LinkageAction> out = new ArrayList<>(s.members.length);
    for (int m : s.members) {
      out.add(new LinkageAction(profiles.get(m).id, s.id, level, s.risk, false, at));
    }
    return out;
  }

  /**
   * Restores a ruling made before a restart: the cluster with this id gets it when it forms again (its id comes from
   * its earliest sign-up, so it does).
   */
  public void restoreRuling(String clusterId, RiskLevel level) {
    rulings.put(clusterId, level);
    ClusterState s = clusters.get(clusterId);
    if (s != null) {
      s.level = level;
      s.view = null;
      tiesChanged(tiesAt);
    }
  }

  /**
   * Seeds a cluster stored before a restart, before any recomputation: its members are placed in it, so a
   * recomputation gives its id to the group that overlaps them (the same carry-over that keeps ids stable between
   * recomputations), and until one does it stays listed as stored, with its level and score (held: recomputations
   * only take away members that they cluster elsewhere). Its ruling, when there is one, is restored as by
   * {@link #restoreRuling}. Members already placed in another cluster stay there.
   *
   * @param formedAt when it first formed (kept across recomputations)
   * @param level    its stored level; detection never lowers a cluster's level, so neither does a restart
   * @param ruling   the analyst's ruling, or null
   */
  public void restoreCluster(String clusterId, List<String> members, Instant formedAt, RiskLevel level, double score,
      RiskLevel ruling) {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(level, "level");
    if (clusters.containsKey(clusterId)) {
      return;
    }
    List<AccountProfile> placed = new ArrayList<>(members.size());
    for (String m : members) {
      AccountProfile p = profile(m);
      if (p.cluster == null) {
        setCluster(p, clusterId);
        placed.add(p);
      }
    }
    if (ruling != null) {
      rulings.put(clusterId, ruling);
    }
    if (placed.isEmpty()) {
      return;
    }
    ClusterState s = new ClusterState(clusterId, formedAt == null ? Instant.EPOCH : formedAt);
    s.members = placed.stream().mapToInt(p -> p.index).toArray();
    s.level = ruling != null ? ruling : level;
    s.features = ClusterFeatures.of(placed);
    s.risk = new RiskScore(score, s.level, s.features.exchanges(), List.of());
    clusters.put(clusterId, s);
    held.add(clusterId);
    tiesChanged(tiesAt);
  }

  // ------------------------------------------------------------------------------------------ checkpoints

  /** Version of the format {@link #writeState} writes. */
  private static final int STATE_FORMAT = 3;
  /** Version of the format {@link #writeGlobals} writes. */
  private static final int PARTS_FORMAT = 2;

  /**
   * Writes everything the engine knows (profiles, key index, clusters, rulings, held
   * clusters, imported indicator bundles, and the account states of the traffic engine), so that {@link #readState}
   * gives an engine that continues exactly as this one would: the same actions, clusters and ids for the same
   * input, in one blob (buckets in key order, so one state gives one blob). A stream operator checkpoints in parts
   * instead ({@link #writeChanges}, {@link #writeGlobals}), which write what changed. Not written: caches rebuilt on
   * demand (kept pair results, communities: a restored engine computes them once), and engine-wide detector state of
   * the traffic engine (the pivot detector's model catalog, which learns again).
   */
  public void writeState(DataOutput out) throws IOException {
    out.writeInt(STATE_FORMAT);
    LinkageCodec.writeString(out, stateLayout());
    out.writeLong(exchanges);
    out.writeInt(profiles.size());
    for (AccountProfile p : profiles) {
      LinkageCodec.writeProfile(out, p);
    }
    out.writeInt(index.size());
    // In key order: the same state gives the same bytes, whatever order its keys were filed or read back in.
    long[] keys = new long[index.size()];
    int[] n = {0};
    index.forEachBucket((key, b) -> keys[n[0]++] = key);
    java.util.Arrays.sort(keys);
    for (long key : keys) {
      LinkageCodec.writeBucket(out, key, index.bucket(key));
    }
    writeRest(out);
  }

  /** Where {@link #writeChanges} puts the profiles and key-index buckets that changed. */
  public interface ChangeSink {
    /** The profile at {@code index} (0 up to the number of accounts), in its binary form. */
    void profile(int index, byte[] state) throws IOException;

    /** The key-index bucket under {@code key}, in its binary form. */
    void bucket(long key, byte[] state) throws IOException;
  }

  /**
   * Writes the profiles and key-index buckets that changed since the last call (every one on the first call, and on
   * the first call after {@link #readState}), each in its binary form. With {@link #writeGlobals} it is a checkpoint
   * in parts: a store keyed by profile index and by key that takes each part written (replacing what it held under
   * that index or key) and the last globals gives {@link #readParts} what {@link #readState} would get from
   * {@link #writeState} at the same moment. Linkage state grows with accounts, but a checkpoint interval changes
   * only the parts of the accounts that sent, their new neighbours and the clusters that moved, so a store that
   * writes only what changed (RocksDB's incremental checkpoints) writes that much.
   *
   * @return how many parts were written
   */
  public int writeChanges(ChangeSink sink) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(2048);
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    Clusterer.IntList changedProfiles = unsavedProfiles;
    unsavedProfiles = new Clusterer.IntList();
    for (int i = 0; i < changedProfiles.size; i++) {
      AccountProfile p = profiles.get(changedProfiles.v[i]);
      p.unsaved = false;
      bytes.reset();
      LinkageCodec.writeProfile(out, p);
      sink.profile(p.index, bytes.toByteArray());
    }
    LongBuffer changedKeys = index.takeUnsaved();
    for (int i = 0; i < changedKeys.size; i++) {
      long key = changedKeys.values[i];
      bytes.reset();
      LinkageCodec.writeBucket(out, key, index.bucket(key));
      sink.bucket(key, bytes.toByteArray());
    }
    return changedProfiles.size + changedKeys.size;
  }

  /**
   * Writes everything but the profiles and buckets (which {@link #writeChanges} writes): how many of each there are,
   * clusters, rulings, held clusters, indicator bundles and the traffic engine's account
   * states. Its size grows with clusters, not with accounts.
   */
  public void writeGlobals(DataOutput out) throws IOException {
    out.writeInt(PARTS_FORMAT);
    LinkageCodec.writeString(out, stateLayout());
    out.writeLong(exchanges);
    out.writeInt(profiles.size());
    out.writeInt(index.size());
    writeRest(out);
  }

  private void writeRest(DataOutput out) throws IOException {
    out.writeInt(clusters.size());
    for (ClusterState c : clusters.values()) {
      LinkageCodec.writeString(out, c.id);
      out.writeLong(c.formedAt.getEpochSecond());
      out.writeInt(c.formedAt.getNano());
      out.writeInt(c.members.length);
      for (int m : c.members) {
        out.writeInt(m);
      }
      LinkageCodec.writeLevel(out, c.level);
      LinkageCodec.writeRisk(out, c.risk);
      LinkageCodec.writeFeatures(out, c.features);
    }
    out.writeInt(rulings.size());
    for (Map.Entry<String, RiskLevel> r : rulings.entrySet()) {
      LinkageCodec.writeString(out, r.getKey());
      LinkageCodec.writeLevel(out, r.getValue());
    }
    out.writeInt(held.size());
    for (String id : held) {
      LinkageCodec.writeString(out, id);
    }
    out.writeInt(pinned.size());
    for (Map.Entry<Integer, String> p : new java.util.TreeMap<>(pinned).entrySet()) {
      out.writeInt(p.getKey());
      LinkageCodec.writeString(out, p.getValue());
    }
    out.writeBoolean(tiesStale);
    out.writeLong(tiesAt);
    if (!tiesStale) {
      ties.write(out);
    }
    List<IndicatorBundle> bundles = indicators.bundles();
    out.writeInt(bundles.size());
    for (IndicatorBundle b : bundles) {
      LinkageCodec.writeString(out, b.toJson());
    }
    if (traffic != null) {
      Collection<AccountState> states = traffic.states();
      AccountStateCodec codec = traffic.stateCodec();
      out.writeInt(states.size());
      for (AccountState a : states) {
        codec.write(a, out);
      }
    }
  }

  /**
   * An engine that continues from a state {@link #writeState} wrote.
   *
   * @param config  must have the key index sizes the state was written with
   * @param traffic a fresh engine with the same detectors as the writer's (its account states are read into it), or
   *                null when the writer had none
   * @throws IOException when the bytes are not such a state, or were written for other sizes or detectors
   *     (the message shows both layouts)
   */
  public static LinkageEngine readState(DataInput in, LinkageConfig config, DetectionEngine traffic)
      throws IOException {
    LinkageEngine e = header(in, STATE_FORMAT, "linkage state", config, traffic);
    int accounts = LinkageCodec.count(in, Integer.MAX_VALUE - 8, "accounts");
    for (int i = 0; i < accounts; i++) {
      e.add(LinkageCodec.readProfile(in, i, accounts));
    }
    int keys = LinkageCodec.count(in, Integer.MAX_VALUE - 8, "keys");
    for (int i = 0; i < keys; i++) {
      LinkageCodec.readBucket(in, e.index, config, accounts);
    }
    e.readRest(in, accounts);
    // Everything was read from one blob: the next writeChanges writes every part.
    for (AccountProfile p : e.profiles) {
      e.touched(p);
    }
    e.index.markAllUnsaved();
    return e;
  }

  /**
   * An engine that continues from a checkpoint in parts ({@link #writeChanges}, {@link #writeGlobals}): the last
   * globals, and the last part written under each profile index and each key, in any order. Nothing counts as
   * changed afterwards: the store already holds every part.
   *
   * @throws IOException when the parts are not such a state (a profile or bucket missing, twice, out of range, or not
   *     the count the globals give), or were written for other sizes or detectors
   */
  public static LinkageEngine readParts(DataInput globals, Iterable<Map.Entry<Integer, byte[]>> profileParts,
      Iterable<Map.Entry<Long, byte[]>> bucketParts, LinkageConfig config, DetectionEngine traffic)
      throws IOException {
    LinkageEngine e = header(globals, PARTS_FORMAT, "linkage globals", config, traffic);
    int accounts = LinkageCodec.count(globals, Integer.MAX_VALUE - 8, "accounts");
    AccountProfile[] read = new AccountProfile[accounts];
    for (Map.Entry<Integer, byte[]> part : profileParts) {
      int i = part.getKey();
      if (i < 0 || i >= accounts) {
        throw new IOException("corrupt linkage state: profile " + i + " of " + accounts);
      }
      if (read[i] != null) {
        throw new IOException("corrupt linkage state: profile " + i + " twice");
      }
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(part.getValue()));
      read[i] = LinkageCodec.readProfile(in, i, accounts);
      if (in.read() != -1) {
        throw new IOException("corrupt linkage state: bytes after profile " + i);
      }
    }
    for (int i = 0; i < accounts; i++) {
      if (read[i] == null) {
        throw new IOException("corrupt linkage state: profile " + i + " of " + accounts + " missing");
      }
      e.add(read[i]);
    }
    int keys = LinkageCodec.count(globals, Integer.MAX_VALUE - 8, "keys");
    int readKeys = 0;
    for (Map.Entry<Long, byte[]> part : bucketParts) {
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(part.getValue()));
      long key = LinkageCodec.readBucket(in, e.index, config, accounts);
      if (key != part.getKey() || in.read() != -1) {
        throw new IOException("corrupt linkage state: the bucket stored under a key is not that key's");
      }
      readKeys++;
    }
    if (readKeys != keys || e.index.size() != keys) {
      throw new IOException("corrupt linkage state: " + readKeys + " buckets (" + e.index.size() + " distinct) where "
          + keys + " were written");
    }
    e.readRest(globals, accounts);
    e.unsavedProfiles = new Clusterer.IntList();
    for (AccountProfile p : e.profiles) {
      p.unsaved = false;
    }
    e.index.takeUnsaved();
    return e;
  }

  /** Reads the format, the layout (both checked) and the exchange count, into a new engine. */
  private static LinkageEngine header(DataInput in, int expectedFormat, String what, LinkageConfig config,
      DetectionEngine traffic) throws IOException {
    int format = in.readInt();
    if (format != expectedFormat) {
      throw new IOException(what + " format " + format + " is not " + expectedFormat);
    }
    // The layout says whether the writer filed its accounts itself; the engine read back does as it did.
    String layout = LinkageCodec.readString(in);
    boolean elsewhere = stateLayout(config, traffic, true).equals(layout);
    String expected = stateLayout(config, traffic, false);
    if (!elsewhere && !expected.equals(layout)) {
      throw new IOException("the linkage state was written for another layout than this build's "
          + "configuration and detectors; state:\n" + layout + "\nthis build:\n" + expected);
    }
    LinkageEngine e = new LinkageEngine(config, traffic, elsewhere);
    e.exchanges = in.readLong();
    return e;
  }

  private void add(AccountProfile p) throws IOException {
    profiles.add(p);
    if (byId.put(p.id, p) != null) {
      throw new IOException("corrupt linkage state: account listed twice");
    }
  }

  private void readRest(DataInput in, int accounts) throws IOException {
    int clusterCount = LinkageCodec.count(in, accounts, "clusters");
    for (int i = 0; i < clusterCount; i++) {
      String id = LinkageCodec.readString(in);
      Instant formedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
      ClusterState c = new ClusterState(Objects.requireNonNull(id, "cluster id"), formedAt);
      c.members = new int[LinkageCodec.count(in, accounts, "members")];
      for (int m = 0; m < c.members.length; m++) {
        c.members[m] = LinkageCodec.index(in, accounts);
      }
      c.level = LinkageCodec.readLevel(in);
      c.risk = LinkageCodec.readRisk(in);
      c.features = LinkageCodec.readFeatures(in);
      clusters.put(id, c);
    }
    int ruled = LinkageCodec.count(in, Integer.MAX_VALUE - 8, "rulings");
    for (int i = 0; i < ruled; i++) {
      rulings.put(LinkageCodec.readString(in), LinkageCodec.readLevel(in));
    }
    int heldCount = LinkageCodec.count(in, clusterCount, "held clusters");
    for (int i = 0; i < heldCount; i++) {
      held.add(LinkageCodec.readString(in));
    }
    int pinnedCount = LinkageCodec.count(in, accounts, "pinned accounts");
    for (int i = 0; i < pinnedCount; i++) {
      pinned.put(LinkageCodec.index(in, accounts), LinkageCodec.readString(in));
    }
    tiesStale = in.readBoolean();
    tiesAt = in.readLong();
    if (!tiesStale) {
      ties = ClusterTies.read(in, accounts);
    }
    int bundles = LinkageCodec.count(in, 1 << 16, "indicator bundles");
    for (int i = 0; i < bundles; i++) {
      try {
        importIndicators(IndicatorBundle.parse(LinkageCodec.readString(in)));
      } catch (RuntimeException ex) {
        throw new IOException("corrupt linkage state: indicator bundle " + i + ": " + ex.getMessage(), ex);
      }
    }
    if (traffic != null) {
      AccountStateCodec codec = traffic.stateCodec();
      int states = LinkageCodec.count(in, Integer.MAX_VALUE - 8, "cluster traffic states");
      for (int i = 0; i < states; i++) {
        traffic.restoreState(codec.read(in));
      }
    }
  }

  private String stateLayout() {
    return stateLayout(config, traffic, keysElsewhere);
  }

  private static String stateLayout(LinkageConfig config, DetectionEngine traffic, boolean keysElsewhere) {
    return "linkage-state/" + STATE_FORMAT + "\n" + LinkageCodec.layout(config) + "\ntraffic: "
        + (traffic == null ? "none" : traffic.stateCodec().layout())
        + (keysElsewhere ? "\nkeys: filed elsewhere, mirrored" : "");
  }

  // ------------------------------------------------------------------------------------------ indicators

  /** The cluster's indicators, for another deployment to pre-score its new accounts with. */
  public IndicatorBundle export(String clusterId, Instant at) {
    ClusterState s = clusters.get(clusterId);
    if (s == null) {
      throw new IllegalArgumentException("no cluster " + clusterId);
    }
    List<AccountProfile> members = new ArrayList<>();
    for (int m : s.members) {
      members.add(profiles.get(m));
    }
    return IndicatorBundle.of(view(s), members, at);
  }

  /** Adds a bundle's indicators; accounts that match them in two or more families are pre-scored. */
  public void importIndicators(IndicatorBundle bundle) {
    indicators.add(bundle);
  }

  /** Imported bundles, in import order. */
  public List<IndicatorBundle> importedIndicators() {
    return Collections.unmodifiableList(indicators.bundles());
  }
}
