package io.distillguard.linkage;

/**
 * The random choices of filing an account under a key, which the key index ({@link KeyIndex}) and a stream job's
 * keyed stage ({@link KeyMembers}) both make, so that both keep the same members: which sampled members the
 * newcomer is compared with besides the recent ones, and which sample slot it takes (reservoir sampling: the n-th
 * account filed replaces a random slot with probability sampled / n).
 *
 * <p>Each filing draws from a generator seeded by the key and the number of accounts filed under it before, so the
 * choices depend on nothing but the key's own history: not on the order other keys were filed in, not on which
 * subtask owns the key.
 */
final class Sampling {
  private static final long SEED = 0x5eed_11c4L;

  private Sampling() {}

  /** The choices of one filing; reused from filing to filing. */
  static final class Plan {
    private final int recent;
    private final int sampled;
    private final int fromSample;
    private final SeededRandom random = new SeededRandom(0);
    /** Recent slots that hold members (the first ones): all are candidates. */
    int inRecent;
    /** How many sample positions were drawn. */
    int draws;
    /** The drawn sample positions (a position may come up twice; the caller keeps each member once). */
    final int[] positions;
    /** The sample slot the newcomer takes, or -1. */
    int slot;

    Plan(LinkageConfig config) {
      this.recent = config.recent();
      this.sampled = config.sampled();
      this.fromSample = config.fromSample();
      this.positions = new int[fromSample];
    }

    /** Makes the choices for filing an account under {@code key}, which {@code accounts} accounts were before. */
    Plan of(long key, int accounts) {
      random.state(seed(key, accounts));
      inRecent = Math.min(accounts, recent);
      int inSample = Math.min(accounts, sampled);
      draws = 0;
      if (inSample > inRecent) {
        for (int k = 0; k < fromSample; k++) {
          positions[draws++] = random.nextInt(inSample);
        }
      }
      if (accounts < sampled) {
        slot = accounts;
      } else {
        long j = random.nextLong(accounts + 1L);
        slot = j < sampled ? (int) j : -1;
      }
      return this;
    }
  }

  /** The generator's seed for a key's filing number {@code accounts} (from 0). */
  static long seed(long key, int accounts) {
    return SEED ^ key * 0x9e3779b97f4a7c15L ^ (accounts + 1L) * 0xc2b2ae3d27d4eb4fL;
  }
}
