package io.distillguard.linkage;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What only a group of accounts shows, computed from its members' profiles.
 *
 * @param members          accounts in the cluster
 * @param exchanges        their exchanges together
 * @param burstShare       share of members signed up within an hour of at least two other members
 * @param templateShare    share of members that use the cluster's most common template skeleton on at least 60%
 *                         of their prompts
 * @param shardShare       share of members that ask that template, never repeat a prompt and share no prompt with
 *                         the next such member: a prompt set split between accounts
 * @param latticeShare     share of members whose requests sit on the cluster's most common clock window (from
 *                         their first request on)
 * @param subnets          distinct subnets among the members' top subnets
 * @param dominantTemplate the cluster's most common template skeleton (0 when none)
 * @param dominantLattice  the cluster's most common clock window (0 when none)
 */
public record ClusterFeatures(int members, long exchanges, double burstShare, double templateShare,
    double shardShare, double latticeShare, int subnets, long dominantTemplate, long dominantLattice) {

  static ClusterFeatures of(List<AccountProfile> members) {
    int n = members.size();
    long exchanges = 0;
    long[] created = new long[n];
    int known = 0;
    Map<Long, Integer> templates = new HashMap<>();
    Map<Long, Integer> lattices = new HashMap<>();
    java.util.Set<Long> subnets = new java.util.HashSet<>();
    for (AccountProfile p : members) {
      exchanges += p.exchanges;
      if (p.createdAt != Long.MIN_VALUE) {
        created[known++] = p.createdAt;
      }
      // Every skeleton covering most of a member's prompts gets its vote: with one prompt, its prefix, suffix and
      // frame tie, and only the one the campaign's wrapper fixes is shared with the other members.
      for (int i = 0; i < p.templates.slots(); i++) {
        if (p.templates.counts[i] > 0 && p.templates.counts[i] >= 0.6 * p.templated) {
          templates.merge(p.templates.keys[i], 1, Integer::sum);
        }
      }
      long l = window(p);
      if (l != 0) {
        lattices.merge(l, 1, Integer::sum);
      }
      for (int i = 0; i < p.subnets.slots(); i++) {
        if (p.subnets.counts[i] > 0 && subnets.size() < 4096) {
          subnets.add(p.subnets.keys[i]);
        }
      }
    }
    long[] c = Arrays.copyOf(created, known);
    Arrays.sort(c);
    int bursty = 0;
    int lo = 0;
    int hi = 0;
    for (int i = 0; i < c.length; i++) {
      while (c[i] - c[lo] > 3_600_000L) {
        lo++;
      }
      if (hi < i) {
        hi = i;
      }
      while (hi + 1 < c.length && c[hi + 1] - c[i] <= 3_600_000L) {
        hi++;
      }
      if (hi - lo >= 2) {
        bursty++;
      }
    }
    long dominantTemplate = argmax(templates);
    long dominantLattice = argmax(lattices);
    int templated = 0;
    int sharded = 0;
    AccountProfile previous = null;
    for (AccountProfile p : members) {
      if (dominantTemplate == 0 || p.templates.count(dominantTemplate) < 0.6 * p.templated) {
        continue;
      }
      templated++;
      if (p.repeatShare() <= 0.1 && (previous == null || AccountProfile.commonPrompts(previous, p) == 0)) {
        sharded++;
      }
      previous = p;
    }
    int onLattice = dominantLattice == 0 ? 0 : lattices.get(dominantLattice);
    return new ClusterFeatures(n, exchanges, n == 0 ? 0 : bursty / (double) n, n == 0 ? 0 : templated / (double) n,
        n == 0 ? 0 : sharded / (double) n, n == 0 ? 0 : onLattice / (double) n, subnets.size(), dominantTemplate,
        dominantLattice);
  }

  /**
   * The clock window most of the account's requests fall in, from its first request on. One request says little
   * about one account (it lands in some 10-second window of 15 minutes by chance one time in 90), but most members
   * of a group landing in the same window is no chance: the cluster-level signal can use accounts that have sent
   * once, where the pairwise evidence waits for two requests ({@link AccountProfile#lattice()}).
   */
  static long window(AccountProfile p) {
    if (p.timing.total == 0) {
      return 0;
    }
    long top = p.timing.top();
    return p.timing.share(top) >= 0.7 ? top : 0;
  }

  private static long argmax(Map<Long, Integer> counts) {
    long best = 0;
    int bestCount = 0;
    for (Map.Entry<Long, Integer> e : counts.entrySet()) {
      if (e.getValue() > bestCount || (e.getValue() == bestCount && Long.compareUnsigned(e.getKey(), best) < 0)) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best;
  }
}
