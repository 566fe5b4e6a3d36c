package io.distillguard.linkage;

/**
 * Accounts filed by linkage key. Each key keeps how many accounts were ever filed under it, its few most recent
 * members and a uniform sample of all of them: bounded memory per key however many accounts share it (a hosting
 * subnet of 5,000 campaign accounts or a popular SDK of 100,000 customers costs the same), and a newly filed account
 * is compared with a bounded number of members, never with all of them.
 *
 * <p>It also says how <em>coherent</em> a key is: of sampled pairs of its members, the share that also share keys
 * of two other families. A popular SDK, a popular public system prompt or a common opening phrase is shared by
 * customers who have little else in common (coherence near 0), so linkage discounts it. Two other families, not one,
 * because popular values go together (the most popular SDK with the most popular system prompt): each would vouch
 * for the other. A campaign's subnet is shared by accounts that also share their template and clock (near 1).
 */
final class KeyIndex {
  static final class Bucket {
    int accounts;
    final int[] recent;
    int recentNext;
    final int[] sample;
    double coherence = Double.NaN;
    int coherenceAt;
    /**
     * The weight the last recomputation scored pairs with: 1 to begin with, which is the weight of a key no account
     * was filed under yet. Not written to checkpoints (a restored engine scores every pair again).
     */
    double scoredWeight = 1;
    /** Whether it changed since {@link #takeUnsaved} last listed it. */
    boolean unsaved;

    Bucket(int recent, int sampled) {
      this.recent = new int[recent];
      this.sample = new int[sampled];
    }
  }

  private final LinkageConfig config;
  private final LongMap<Bucket> buckets = new LongMap<>(1 << 16);
  private final Sampling.Plan plan;
  private volatile boolean frozen;
  /** Keys of the buckets that changed since {@link #takeUnsaved}, each once. */
  private LongBuffer unsaved = new LongBuffer();

  KeyIndex(LinkageConfig config) {
    this.config = config;
    this.plan = new Sampling.Plan(config);
  }

  /**
   * Files an account under a key and writes the members it should be compared with into {@code out}.
   *
   * @return how many candidates were written
   */
  int file(long key, int account, int[] out) {
    Bucket b = buckets.get(key);
    if (b == null) {
      b = new Bucket(config.recent(), config.sampled());
      buckets.put(key, b);
    }
    changed(key, b);
    plan.of(key, b.accounts);
    int n = 0;
    for (int i = 0; i < plan.inRecent; i++) {
      out[n++] = b.recent[i];
    }
    for (int k = 0; k < plan.draws; k++) {
      int m = b.sample[plan.positions[k]];
      if (!contains(out, n, m)) {
        out[n++] = m;
      }
    }
    b.recent[b.recentNext] = account;
    b.recentNext = (b.recentNext + 1) % b.recent.length;
    if (plan.slot >= 0) {
      b.sample[plan.slot] = account;
    }
    b.accounts++;
    return n;
  }

  /**
   * Whether an engine whose keys are filed elsewhere keeps a key's bucket: what it reads of the index are the
   * weights of keys shared by at least {@code commonMinAccounts} (below, a key weighs 1, as when absent), the members
   * of keys that may tie a cluster (at least {@link ClusterTies#SUPPORT} members), and the members of template keys of
   * any size (a template tie needs to know that no outsider filed it).
   */
  static boolean mirrored(long key, int accounts, LinkageConfig config) {
    return Keys.tag(key) == Keys.TEMPLATE || accounts >= Math.min(config.commonMinAccounts(), ClusterTies.SUPPORT);
  }

  /**
   * Brings a mirrored bucket level with the owner's after a filing that carried the whole bucket: its account count,
   * recent members and sample, as profile indexes. A bucket the mirror already holds at that filing or a later one is
   * left alone. What the mirror computed of the key (coherence, the weight pairs were scored with) stays.
   *
   * @param recent the first min(accounts, recent) recent slots
   * @param sample the first min(accounts, sampled) sample slots
   */
  void mirror(long key, int accounts, int[] recent, int[] sample) {
    Bucket b = buckets.get(key);
    if (b == null) {
      b = new Bucket(config.recent(), config.sampled());
      buckets.put(key, b);
    } else if (b.accounts >= accounts) {
      return;
    }
    b.accounts = accounts;
    b.recentNext = accounts % b.recent.length;
    System.arraycopy(recent, 0, b.recent, 0, Math.min(accounts, b.recent.length));
    System.arraycopy(sample, 0, b.sample, 0, Math.min(accounts, b.sample.length));
    changed(key, b);
  }

  /**
   * Applies one filing to a mirrored bucket held as it was just before it: the member takes the next recent slot and
   * the sample slot the owner chose.
   *
   * @return false (nothing done) when the mirror does not hold the bucket just before this filing: it missed a
   *     filing or got this one late, and waits for the next whole bucket
   */
  boolean mirror(long key, int accounts, int member, int slot) {
    Bucket b = buckets.get(key);
    if (b == null || b.accounts != accounts - 1) {
      return false;
    }
    b.recent[b.recentNext] = member;
    b.recentNext = (b.recentNext + 1) % b.recent.length;
    if (slot >= 0) {
      b.sample[slot] = member;
    }
    b.accounts = accounts;
    changed(key, b);
    return true;
  }

  /**
   * Writes the key's recent and sampled members (each once) into {@code out}, which must hold recent + sampled.
   * Reads only: nothing is sampled.
   *
   * @return how many were written
   */
  int members(long key, int[] out) {
    Bucket b = buckets.get(key);
    if (b == null) {
      return 0;
    }
    int n = 0;
    for (int i = 0, r = Math.min(b.accounts, b.recent.length); i < r; i++) {
      out[n++] = b.recent[i];
    }
    for (int i = 0, s = Math.min(b.accounts, b.sample.length); i < s; i++) {
      if (!contains(out, n, b.sample[i])) {
        out[n++] = b.sample[i];
      }
    }
    return n;
  }

  private void changed(long key, Bucket b) {
    if (!b.unsaved) {
      b.unsaved = true;
      unsaved.add(key);
    }
  }

  /**
   * The keys of the buckets that changed (were filed into, or had their coherence brought up to date) since the last
   * call, each once; the next call starts a new list.
   */
  LongBuffer takeUnsaved() {
    LongBuffer out = unsaved;
    unsaved = new LongBuffer();
    for (int i = 0; i < out.size; i++) {
      buckets.get(out.values[i]).unsaved = false;
    }
    return out;
  }

  /** Lists every bucket as changed (after the index was read back from one blob). */
  void markAllUnsaved() {
    buckets.forEach(this::changed);
  }

  /** The bucket under a key, or null. */
  Bucket bucket(long key) {
    return buckets.get(key);
  }

  /** Calls {@code action} with every key and its bucket (the live objects), in no particular order. */
  void forEachBucket(java.util.function.BiConsumer<Long, Bucket> action) {
    buckets.forEach(action);
  }

  /** Puts a bucket read back from a checkpoint under its key. */
  void restore(long key, Bucket b) {
    buckets.put(key, b);
  }

  /** Accounts ever filed under the key. */
  int accounts(long key) {
    Bucket b = buckets.get(key);
    return b == null ? 0 : b.accounts;
  }

  int size() {
    return buckets.size();
  }

  /**
   * How much sharing this key counts, in [0, 1]: 1 for keys shared by few accounts, else by coherence (recomputed
   * when the key has grown by a quarter since last time).
   */
  double weight(long key, Profiles profiles) {
    Bucket b = buckets.get(key);
    if (b == null || b.accounts < config.commonMinAccounts()) {
      return 1;
    }
    if (!frozen && stale(b)) {
      b.coherence = coherence(key, b, profiles);
      b.coherenceAt = b.accounts;
      changed(key, b);
    }
    return weightOf(b);
  }

  /** The weight of a key with enough accounts to be judged, from its coherence as it stands. */
  private double weightOf(Bucket b) {
    if (b.accounts < config.commonMinAccounts()) {
      return 1;
    }
    double c = (b.coherence - config.coherenceFloor()) / (config.coherenceFull() - config.coherenceFloor());
    return Math.max(0, Math.min(1, c));
  }

  private static boolean stale(Bucket b) {
    return Double.isNaN(b.coherence) || b.accounts > b.coherenceAt + Math.max(2, b.coherenceAt / 4);
  }

  /**
   * Brings every key's coherence up to date and then leaves it alone, so that {@link #weight} only reads and pairs
   * can be scored on several threads; {@link #thaw} lets it update lazily again.
   *
   * @return the keys whose weight differs from the one the last freeze saw (which it now remembers): pairs that read
   *     them must be scored again
   */
  LongMap<Boolean> freeze(Profiles profiles) {
    LongMap<Boolean> changed = new LongMap<>(1024);
    buckets.forEach((key, b) -> {
      if (b.accounts >= config.commonMinAccounts() && stale(b)) {
        b.coherence = coherence(key, b, profiles);
        b.coherenceAt = b.accounts;
        changed(key, b);
      }
      double w = weightOf(b);
      if (w != b.scoredWeight) {
        b.scoredWeight = w;
        changed.put(key, Boolean.TRUE);
      }
    });
    frozen = true;
    return changed;
  }

  void thaw() {
    frozen = false;
  }

  private static double coherence(long key, Bucket b, Profiles profiles) {
    Family family = Keys.family(key);
    int n = Math.min(b.accounts, b.sample.length);
    int pairs = 0;
    int coherent = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        AccountProfile x = profiles.get(b.sample[i]);
        AccountProfile y = profiles.get(b.sample[j]);
        pairs++;
        if (AccountProfile.otherFamiliesShared(x, y, family) >= 2) {
          coherent++;
        }
      }
    }
    return pairs == 0 ? 1 : coherent / (double) pairs;
  }

  private static boolean contains(int[] a, int n, int v) {
    for (int i = 0; i < n; i++) {
      if (a[i] == v) {
        return true;
      }
    }
    return false;
  }

  /** Profiles by index. */
  interface Profiles {
    AccountProfile get(int index);
  }
}
