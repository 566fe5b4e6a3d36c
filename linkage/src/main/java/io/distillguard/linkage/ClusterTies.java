package io.distillguard.linkage;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.RiskLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys that tie a new account to a cluster already acted on (throttle or above), for a check before its
 * requests are answered: an immutable snapshot that {@link LinkageEngine#ties} builds and the request path reads
 * without locks.
 *
 * <p>Linkage joins an account to a cluster by confident edges, and an edge needs more than a first request shows: a
 * subnet that thousands of accounts share is discounted (a company NAT looks the same), and a template is
 * corroborated only by a second prompt. So a blocked campaign that keeps opening accounts would get one or more
 * answers per account. But when the accounts <em>known</em> to share a key are all members of acted-on clusters, the
 * key says which cluster a newcomer belongs to. A key ties when its known members ({@link KeyIndex#members}: recent
 * and sampled) include at least {@value #SUPPORT} members of acted-on clusters and those are at least
 * {@value #PURITY} of the known ones. Known: in any cluster, or in none but established (first request
 * {@link #NEW} or more ago, or {@link LinkageEngine#JOIN_WINDOW} exchanges), since an account that has just
 * appeared may be a fellow newcomer still joining. A company NAT's seats, a popular SDK's users, the accounts that
 * send a public system prompt are in no acted-on cluster, so their keys are not pure.
 *
 * <p>An account is tied when keys of two families tie, one of them identity or network (as an edge needs an
 * anchor): typically one of the campaign's subnets and its template on the first request, or a shared card and a
 * sign-up address in the campaign's subnet at sign-up. Sign-up bursts (email domain and sign-up subnet by half
 * hour) do not count: everyone signing up in that half hour is new, so the burst of a free-mail domain would look
 * pure. It joins the cluster most of the members behind its tying identity and network keys are in: those are the
 * operator's own (its cards, its subnets), while two campaigns can share a template, and with it the biggest
 * campaign's members would outvote the smaller one's.
 */
public final class ClusterTies {
  /** Least acted-on members among a key's known members. */
  static final int SUPPORT = 3;
  /** Least share of a key's known members that are in acted-on clusters. */
  static final double PURITY = 0.75;
  /** An account in no cluster that sent its first request this recently may still be joining one. */
  static final Duration NEW = Duration.ofHours(6);
  /** Accounts signed up (or, without a sign-up time, first seen) this recently are checked. */
  public static final Duration YOUNG = Duration.ofDays(7);

  /** Nothing acted on: nothing ties. */
  public static final ClusterTies EMPTY = new ClusterTies(new LongMap<>(4), new String[0], new RiskLevel[0]);

  /** A tie: the cluster, its level, and the families (bits of {@link Family#ordinal}) whose keys tied. */
  public record Tie(String clusterId, RiskLevel level, int families) {
    public List<Family> familyList() {
      List<Family> out = new ArrayList<>();
      for (Family f : Family.values()) {
        if ((families & (1 << f.ordinal())) != 0) {
          out.add(f);
        }
      }
      return out;
    }
  }

  /** A tying key: the acted-on clusters (indices into {@link #ids}) of its members, and how many of each. */
  private record Entry(int[] clusters, int[] counts) {
    /** From a count per cluster (0 for most). */
    static Entry of(int[] perCluster) {
      int n = 0;
      for (int v : perCluster) {
        n += v > 0 ? 1 : 0;
      }
      int[] c = new int[n];
      int[] k = new int[n];
      int j = 0;
      for (int i = 0; i < perCluster.length; i++) {
        if (perCluster[i] > 0) {
          c[j] = i;
          k[j++] = perCluster[i];
        }
      }
      return new Entry(c, k);
    }
  }

  private final LongMap<Entry> keys;
  private final String[] ids;
  private final RiskLevel[] levels;

  private ClusterTies(LongMap<Entry> keys, String[] ids, RiskLevel[] levels) {
    this.keys = keys;
    this.ids = ids;
    this.levels = levels;
  }

  /** Tying keys (for tests and metrics). */
  public int size() {
    return keys.size();
  }

  /**
   * Builds the snapshot from the members of acted-on clusters and the key index.
   *
   * @param acted  members of clusters at throttle or above, by cluster id
   * @param levels those clusters' levels
   * @param now    event time the snapshot is built at (what "new" is measured from)
   */
  static ClusterTies build(Map<String, int[]> acted, Map<String, RiskLevel> levels, KeyIndex index,
      KeyIndex.Profiles profiles, long now, int members) {
    if (acted.isEmpty()) {
      return EMPTY;
    }
    String[] ids = acted.keySet().toArray(new String[0]);
    RiskLevel[] lv = new RiskLevel[ids.length];
    Map<String, Integer> ordinal = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      lv[i] = levels.get(ids[i]);
      ordinal.put(ids[i], i);
    }
    LongMap<Entry> keys = new LongMap<>(1 << 10);
    LongMap<Boolean> seen = new LongMap<>(1 << 12);
    int[] buf = new int[members];
    for (int[] cluster : acted.values()) {
      for (int m : cluster) {
        AccountProfile q = profiles.get(m);
        for (int k = 0; k < q.keyCount; k++) {
          long key = q.keys[k];
          int tag = Keys.tag(key);
          if (tag == Keys.SIGNUP_DOMAIN || tag == Keys.SIGNUP_SUBNET || seen.get(key) != null) {
            continue;
          }
          seen.put(key, Boolean.TRUE);
          int n = index.members(key, buf);
          int known = 0;
          int tied = 0;
          int[] votes = new int[ids.length];
          for (int i = 0; i < n; i++) {
            AccountProfile x = profiles.get(buf[i]);
            if (x.cluster == null) {
              known += established(x, now) ? 1 : 0;
              continue;
            }
            known++;
            Integer c = ordinal.get(x.cluster);
            if (c != null) {
              votes[c]++;
              tied++;
            }
          }
          if (tied >= SUPPORT && tied >= PURITY * known) {
            keys.put(key, Entry.of(votes));
          }
        }
      }
    }
    // Templates: an account files a template key from its second prompt with it, so a campaign of accounts that
    // send a few prompts a day in several phrasings has filed few of them yet. A template its acted-on members have
    // sent (at least SUPPORT of them) ties unless accounts outside acted-on clusters have filed it: the accounts
    // that sent it once are not in the key index, but those that use it in earnest are.
    Map<Long, int[]> sent = new HashMap<>();
    for (Map.Entry<String, int[]> cluster : acted.entrySet()) {
      int c = ordinal.get(cluster.getKey());
      for (int m : cluster.getValue()) {
        TopCounts t = profiles.get(m).templates;
        for (int i = 0; i < t.slots(); i++) {
          if (t.counts[i] > 0) {
            long key = Keys.of(Keys.TEMPLATE, t.keys[i]);
            if (keys.get(key) == null) {
              int[] votes = sent.computeIfAbsent(key, k -> new int[ids.length]);
              votes[c]++;
            }
          }
        }
      }
    }
    for (Map.Entry<Long, int[]> e : sent.entrySet()) {
      int total = 0;
      for (int v : e.getValue()) {
        total += v;
      }
      if (total < SUPPORT) {
        continue;
      }
      int n = index.members(e.getKey(), buf);
      int outside = 0;
      int inside = 0;
      for (int i = 0; i < n; i++) {
        AccountProfile x = profiles.get(buf[i]);
        if (x.cluster != null && ordinal.containsKey(x.cluster)) {
          inside++;
        } else if (x.cluster != null || established(x, now)) {
          outside++;
        }
      }
      if (outside == 0 || inside >= PURITY * (inside + outside)) {
        keys.put(e.getKey(), Entry.of(e.getValue()));
      }
    }
    return keys.size() == 0 ? EMPTY : new ClusterTies(keys, ids, lv);
  }

  /** An account in no cluster that is not a newcomer still joining one: it has been around, or sent a lot. */
  private static boolean established(AccountProfile x, long now) {
    return x.exchanges >= LinkageEngine.JOIN_WINDOW
        || (x.firstSeen != Long.MIN_VALUE && x.firstSeen < now - NEW.toMillis());
  }

  /**
   * Whether what an account not placed yet has shown ties it to an acted-on cluster: its sign-up and its requests
   * as its profile holds them, or, on the request path, its sign-up and one request ({@link #profileOf}).
   *
   * @return the tie, or null
   */
  public Tie match(AccountProfile p) {
    if (keys.size() == 0) {
      return null;
    }
    int[] votes = new int[ids.length];
    int families = 0;
    for (int i = 0; i < p.keyCount; i++) {
      families |= look(p.keys[i], votes);
    }
    for (int i = 0; i < p.templates.slots(); i++) {
      if (p.templates.counts[i] > 0) {
        families |= look(Keys.of(Keys.TEMPLATE, p.templates.keys[i]), votes);
      }
    }
    for (int i = 0; i < p.systems.slots(); i++) {
      if (p.systems.counts[i] > 0) {
        families |= look(Keys.of(Keys.SYSTEM, p.systems.keys[i]), votes);
      }
    }
    if (p.lastSeen != Long.MIN_VALUE && p.lattice() == 0) {
      families |= look(Keys.of(Keys.TIMING, AccountProfile.window(p.lastSeen)), votes);
    }
    int anchor = (1 << Family.IDENTITY.ordinal()) | (1 << Family.NETWORK.ordinal());
    if (Integer.bitCount(families) < 2 || (families & anchor) == 0) {
      return null;
    }
    int best = 0;
    for (int c = 1; c < votes.length; c++) {
      if (votes[c] > votes[best]) {
        best = c;
      }
    }
    return new Tie(ids[best], levels[best], families);
  }

  private int look(long key, int[] votes) {
    int tag = Keys.tag(key);
    if (tag == Keys.SIGNUP_DOMAIN || tag == Keys.SIGNUP_SUBNET) {
      return 0;
    }
    Entry e = keys.get(key);
    if (e == null) {
      return 0;
    }
    Family f = Keys.family(key);
    if (f == Family.IDENTITY || f == Family.NETWORK) {
      for (int i = 0; i < e.clusters().length; i++) {
        votes[e.clusters()[i]] += e.counts()[i];
      }
    }
    return 1 << f.ordinal();
  }

  /**
   * Whether an account with these sign-up attributes, sending this request, is tied to an acted-on cluster: the
   * request-path check. It looks at the anchor keys first (the card, the sign-up and client subnets: a few hash
   * look-ups), and reads the prompt only when one of them ties, since without an anchor nothing can.
   *
   * @return the tie, or null
   */
  public Tie match(Map<String, String> attributes, Instant createdAt, Exchange request) {
    if (keys.size() == 0) {
      return null;
    }
    Map<String, String> a = attributes == null ? Map.of() : attributes;
    long payment = AccountProfile.hash(a.get("payment_fingerprint"));
    long signup = Subnets.of(a.get("signup_ip"));
    long client = Subnets.of(request.clientIp());
    boolean anchored = (payment != 0 && keys.get(Keys.of(Keys.PAYMENT, payment)) != null)
        || (signup != 0 && keys.get(Keys.of(Keys.SUBNET, signup)) != null)
        || (client != 0 && keys.get(Keys.of(Keys.SUBNET, client)) != null);
    return anchored ? match(profileOf(attributes, createdAt, request)) : null;
  }

  /**
   * The profile a new account would have after its sign-up and this one request, for {@link #match} on the request
   * path (the request is not folded into linkage: the exchange is, once it has happened).
   */
  public static AccountProfile profileOf(Map<String, String> attributes, Instant createdAt, Exchange request) {
    AccountProfile p = new AccountProfile(-1, request.accountId());
    p.attributes(attributes == null ? Map.of() : attributes, createdAt == null ? Long.MIN_VALUE
        : createdAt.toEpochMilli());
    if (p.payment != 0) {
      p.fileUnder(Keys.of(Keys.PAYMENT, p.payment));
    }
    if (p.signupSubnet != 0) {
      p.fileUnder(Keys.of(Keys.SUBNET, p.signupSubnet));
    }
    LongBuffer fresh = new LongBuffer();
    p.observe(request, fresh);
    for (int i = 0; i < fresh.size; i++) {
      p.fileUnder(fresh.values[i]);
    }
    return p;
  }

  /**
   * Pairs of acted-on clusters that are one operator's: keys of two families, one of them identity or network, are
   * held by at least {@value #SUPPORT} members of each (its cards or subnets and its template, say). Campaign
   * clusters split by community detection, or formed apart before either was acted on, are found this way once their
   * newcomers are refused and no longer send the traffic that would bridge them; two campaigns that share only a
   * template, a client or a clock are not.
   *
   * @return pairs of cluster ids, the smaller-sized first as given by {@code size}
   */
  List<String[]> sameOperator(java.util.function.ToIntFunction<String> size) {
    Map<Long, Integer> families = new HashMap<>();
    keys.forEach((key, e) -> {
      int bit = 1 << Keys.family(key).ordinal();
      for (int i = 0; i < e.clusters().length; i++) {
        for (int j = i + 1; j < e.clusters().length; j++) {
          if (e.counts()[i] >= SUPPORT && e.counts()[j] >= SUPPORT) {
            int a = Math.min(e.clusters()[i], e.clusters()[j]);
            int b = Math.max(e.clusters()[i], e.clusters()[j]);
            families.merge(((long) a << 32) | b, bit, (x, y) -> x | y);
          }
        }
      }
    });
    int anchor = (1 << Family.IDENTITY.ordinal()) | (1 << Family.NETWORK.ordinal());
    List<String[]> out = new ArrayList<>();
    for (Map.Entry<Long, Integer> f : new java.util.TreeMap<>(families).entrySet()) {
      if (Integer.bitCount(f.getValue()) >= 2 && (f.getValue() & anchor) != 0) {
        String a = ids[(int) (f.getKey() >>> 32)];
        String b = ids[(int) (long) f.getKey()];
        int sa = size.applyAsInt(a);
        int sb = size.applyAsInt(b);
        out.add(sa < sb || (sa == sb && a.compareTo(b) > 0) ? new String[] {a, b} : new String[] {b, a});
      }
    }
    return out;
  }

  /** Writes the snapshot for a checkpoint (keys in ascending order, so equal snapshots give equal bytes). */
  void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeInt(ids.length);
    for (int i = 0; i < ids.length; i++) {
      LinkageCodec.writeString(out, ids[i]);
      LinkageCodec.writeLevel(out, levels[i]);
    }
    java.util.TreeMap<Long, Entry> sorted = new java.util.TreeMap<>();
    keys.forEach(sorted::put);
    out.writeInt(sorted.size());
    for (Map.Entry<Long, Entry> e : sorted.entrySet()) {
      out.writeLong(e.getKey());
      out.writeInt(e.getValue().clusters().length);
      for (int i = 0; i < e.getValue().clusters().length; i++) {
        out.writeInt(e.getValue().clusters()[i]);
        out.writeInt(e.getValue().counts()[i]);
      }
    }
  }

  /** Reads back what {@link #write} wrote into a checkpoint, bounds checked. */
  static ClusterTies read(java.io.DataInput in, int accounts) throws java.io.IOException {
    return read(in, accounts, 1 << 24, 1 << 26);
  }

  /**
   * Reads back what {@link #write} wrote, bounds checked: at most this many clusters and keys (so that a hostile
   * count cannot make it allocate more than the bytes could hold).
   */
  static ClusterTies read(java.io.DataInput in, int accounts, int maxClusters, int maxKeys)
      throws java.io.IOException {
    int n = LinkageCodec.count(in, maxClusters, "tied clusters");
    String[] ids = new String[n];
    RiskLevel[] levels = new RiskLevel[n];
    for (int i = 0; i < n; i++) {
      ids[i] = LinkageCodec.readString(in);
      if (ids[i] == null) {
        throw new java.io.IOException("corrupt linkage state: a tied cluster without an id");
      }
      levels[i] = LinkageCodec.readLevel(in);
    }
    int k = LinkageCodec.count(in, maxKeys, "tying keys");
    LongMap<Entry> keys = new LongMap<>(Math.max(4, k));
    for (int i = 0; i < k; i++) {
      long key = in.readLong();
      int m = LinkageCodec.count(in, n, "tying key's clusters");
      int[] clusters = new int[m];
      int[] counts = new int[m];
      for (int j = 0; j < m; j++) {
        clusters[j] = LinkageCodec.index(in, n);
        counts[j] = LinkageCodec.count(in, accounts, "tying members");
      }
      if (key == 0) {
        throw new java.io.IOException("corrupt linkage state: tying key 0");
      }
      keys.put(key, new Entry(clusters, counts));
    }
    return k == 0 ? EMPTY : new ClusterTies(keys, ids, levels);
  }

  /** Whether an account signed up at {@code createdAt} (or first seen then) is young at {@code at}. */
  public static boolean young(long createdOrFirstSeenMillis, long atMillis) {
    return createdOrFirstSeenMillis == Long.MIN_VALUE || atMillis - createdOrFirstSeenMillis < YOUNG.toMillis();
  }
}
