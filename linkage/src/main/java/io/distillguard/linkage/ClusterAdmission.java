package io.distillguard.linkage;

import io.distillguard.core.detect.RiskLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The linkage keys of clusters at {@code throttle} or above, for a check on the request path: an account linkage has
 * not placed yet is matched on what its sign-up and its request show before linkage has seen any of its traffic
 * (payment fingerprint, sign-up subnet, email domain with its sign-up time, the request's client subnet, user agent
 * with header order, and the request's position on the 15-minute clock). Without it, a new account of a blocked
 * hydra gets its first request answered before linkage joins it to the cluster, and a hydra that keeps opening
 * accounts harvests one prompt per account.
 *
 * <p>A match follows the rules of a confident edge ({@link PairScorer}): evidence per family with the same weights,
 * at least two families each bringing {@link LinkageConfig#familyMinimum}, a total of
 * {@link LinkageConfig#confidentWeight}, one of the families identity or network. Only keys that at least two
 * members hold go in, each at its {@link KeyIndex#weight} (common values discounted, popular ones at nothing), so a
 * company NAT, a team card or a popular client alone never matches. One request on the cluster's clock window counts
 * as timing evidence, where an edge asks for two: the check needs an anchor besides, and a stranger's request falls
 * in a given 10-second window of 15 minutes one time in 90.
 *
 * <p>Immutable once built (on the linkage thread) and published whole, so the event loop reads it without locks;
 * {@link #match} reads an open-addressing map at most seven times and never blocks.
 */
public final class ClusterAdmission {
  /** No cluster acted on: nothing matches. */
  public static final ClusterAdmission EMPTY = new ClusterAdmission(null, new LongMap<>(4), new String[0],
      new RiskLevel[0]);

  /** A confident match: the cluster, its level, the families that agreed and the total weight. */
  public record Match(String clusterId, RiskLevel level, Set<Family> families, double weight) {}

  /** A key's cluster (index into {@link #ids}) and how much it counts. */
  private record Entry(int cluster, double weight) {}

  private final LinkageConfig config;
  private final LongMap<Entry> keys;
  private final String[] ids;
  private final RiskLevel[] levels;

  private ClusterAdmission(LinkageConfig config, LongMap<Entry> keys, String[] ids, RiskLevel[] levels) {
    this.config = config;
    this.keys = keys;
    this.ids = ids;
    this.levels = levels;
  }

  /** A cluster to index: its id, level and members. */
  record Source(String id, RiskLevel level, List<AccountProfile> members) {}

  /**
   * Builds the index. A key two clusters hold goes to the one at the higher level (then the larger).
   *
   * @param weight a key's weight as linkage counts it now
   */
  static ClusterAdmission build(LinkageConfig config, List<Source> clusters,
      java.util.function.ToDoubleFunction<Long> weight) {
    List<Source> acted = new ArrayList<>();
    for (Source s : clusters) {
      if (s.level().compareTo(RiskLevel.THROTTLE) >= 0) {
        acted.add(s);
      }
    }
    if (acted.isEmpty()) {
      return EMPTY;
    }
    acted.sort((a, b) -> a.level() != b.level() ? b.level().compareTo(a.level())
        : Integer.compare(b.members().size(), a.members().size()));
    String[] ids = new String[acted.size()];
    RiskLevel[] levels = new RiskLevel[acted.size()];
    LongMap<Entry> keys = new LongMap<>(1 << 10);
    long window = config.signupWindow().toMillis();
    for (int c = 0; c < acted.size(); c++) {
      Source s = acted.get(c);
      ids[c] = s.id();
      levels[c] = s.level();
      Map<Long, Integer> held = new HashMap<>();
      LongBuffer k = new LongBuffer();
      for (AccountProfile p : s.members()) {
        k.clear();
        keysOf(p, window, k);
        for (int i = 0; i < k.size; i++) {
          boolean seen = false;
          for (int j = 0; j < i && !seen; j++) {
            seen = k.values[j] == k.values[i];
          }
          if (!seen) {
            held.merge(k.values[i], 1, Integer::sum);
          }
        }
      }
      for (Map.Entry<Long, Integer> e : held.entrySet()) {
        if (e.getValue() < 2 || keys.get(e.getKey()) != null) {
          continue;
        }
        double w = weight.applyAsDouble(e.getKey());
        if (w > 0) {
          keys.put(e.getKey(), new Entry(c, w));
        }
      }
    }
    return new ClusterAdmission(config, keys, ids, levels);
  }

  /** The keys a member contributes: what a new account could show before its traffic. */
  private static void keysOf(AccountProfile p, long window, LongBuffer out) {
    if (p.payment != 0) {
      out.add(Keys.of(Keys.PAYMENT, p.payment));
    }
    if (p.createdAt != Long.MIN_VALUE) {
      long b = Math.floorDiv(p.createdAt, window);
      for (long x = b; x <= b + 1; x++) {
        if (p.emailDomain != 0) {
          out.add(Keys.of(Keys.SIGNUP_DOMAIN, p.emailDomain * 31 + x));
        }
        if (p.signupSubnet != 0) {
          out.add(Keys.of(Keys.SIGNUP_SUBNET, p.signupSubnet * 31 + x));
        }
      }
    }
    if (p.signupSubnet != 0) {
      out.add(Keys.of(Keys.SUBNET, p.signupSubnet));
    }
    for (int i = 0; i < p.subnets.slots(); i++) {
      if (p.subnets.counts[i] > 0) {
        out.add(Keys.of(Keys.SUBNET, p.subnets.keys[i]));
      }
    }
    long client = p.clients.top();
    if (client != 0 && p.clients.share(client) >= 0.5) {
      out.add(Keys.of(Keys.CLIENT, client));
    }
    long lattice = p.lattice();
    if (lattice != 0) {
      out.add(Keys.of(Keys.TIMING, lattice));
    }
  }

  /** Keys indexed (for tests and metrics). */
  public int size() {
    return keys.size();
  }

  /**
   * Whether an account's sign-up and one request tie it to an acted-on cluster with confidence.
   *
   * @param attributes the account's attributes ({@code payment_fingerprint}, {@code signup_ip},
   *     {@code email_domain}); null for none
   * @param createdAt  the account's creation time, or null
   * @return the match, or null
   */
  public Match match(Map<String, String> attributes, Instant createdAt, String clientIp, String userAgent,
      String headerFingerprint, Instant at) {
    if (keys.size() == 0) {
      return null;
    }
    Map<String, String> a = attributes == null ? Map.of() : attributes;
    long payment = AccountProfile.hash(a.get("payment_fingerprint"));
    String domainText = a.get("email_domain");
    long domain = AccountProfile.hash(domainText == null ? null
        : domainText.strip().toLowerCase(java.util.Locale.ROOT));
    long signupSubnet = Subnets.of(a.get("signup_ip"));
    long requestSubnet = Subnets.of(clientIp);
    // Up to seven keys, each found in at most one cluster: evidence is summed per cluster and family.
    Entry[] found = new Entry[7];
    int[] kinds = new int[7];
    int n = 0;
    n = look(Keys.of(Keys.PAYMENT, payment), payment != 0, 0, found, kinds, n);
    if (createdAt != null) {
      long b = Math.floorDiv(createdAt.toEpochMilli(), config.signupWindow().toMillis());
      n = look(Keys.of(Keys.SIGNUP_DOMAIN, domain * 31 + b), domain != 0, 1, found, kinds, n);
      n = look(Keys.of(Keys.SIGNUP_SUBNET, signupSubnet * 31 + b), signupSubnet != 0, 1, found, kinds, n);
    }
    n = look(Keys.of(Keys.SUBNET, signupSubnet), signupSubnet != 0, 2, found, kinds, n);
    n = look(Keys.of(Keys.SUBNET, requestSubnet), requestSubnet != 0 && requestSubnet != signupSubnet, 2, found,
        kinds, n);
    n = look(Keys.of(Keys.CLIENT, AccountProfile.client(userAgent, headerFingerprint)), userAgent != null, 3, found,
        kinds, n);
    if (at != null) {
      n = look(Keys.of(Keys.TIMING, AccountProfile.window(at.getEpochSecond())), true, 4, found, kinds, n);
    }
    Match best = null;
    for (int i = 0; i < n; i++) {
      int c = found[i].cluster();
      if (best != null && levels[c].compareTo(best.level()) <= 0) {
        continue;
      }
      Match m = decide(c, found, kinds, n);
      if (m != null) {
        best = m;
      }
    }
    return best;
  }

  private int look(long key, boolean present, int kind, Entry[] found, int[] kinds, int n) {
    if (!present) {
      return n;
    }
    Entry e = keys.get(key);
    if (e != null) {
      found[n] = e;
      kinds[n] = kind;
      return n + 1;
    }
    return n;
  }

  /** PairScorer's rule on the evidence pointing at cluster {@code c}. */
  private Match decide(int c, Entry[] found, int[] kinds, int n) {
    double payment = 0;
    double burst = 0;
    double subnets = 0;
    double client = 0;
    double timing = 0;
    for (int i = 0; i < n; i++) {
      if (found[i].cluster() != c) {
        continue;
      }
      double w = found[i].weight();
      switch (kinds[i]) {
        case 0 -> payment = EvidenceKind.PAYMENT.weight() * w;
        case 1 -> burst = Math.max(burst, EvidenceKind.SIGNUP_BURST.weight() * w);
        case 2 -> subnets += w;
        case 3 -> client = EvidenceKind.CLIENT_FINGERPRINT.weight() * w;
        default -> timing = EvidenceKind.SYNCHRONIZED.weight() * w;
      }
    }
    double[] family = new double[Family.values().length];
    family[Family.IDENTITY.ordinal()] = Math.min(1, payment + burst);
    family[Family.NETWORK.ordinal()] = EvidenceKind.SUBNET.weight() * Math.min(1, subnets / 2);
    family[Family.CLIENT.ordinal()] = Math.min(1, client);
    family[Family.TIMING.ordinal()] = Math.min(1, timing);
    Set<Family> agreeing = EnumSet.noneOf(Family.class);
    boolean anchor = false;
    double total = 0;
    for (Family f : Family.values()) {
      double v = family[f.ordinal()];
      total += v;
      if (v >= config.familyMinimum()) {
        agreeing.add(f);
        anchor |= f == Family.IDENTITY || f == Family.NETWORK;
      }
    }
    boolean confident = agreeing.size() >= config.minFamilies() && total >= config.confidentWeight()
        && (anchor || !config.anchored());
    return confident ? new Match(ids[c], levels[c], agreeing, total) : null;
  }
}
