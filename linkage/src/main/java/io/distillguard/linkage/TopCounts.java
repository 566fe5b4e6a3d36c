package io.distillguard.linkage;

/**
 * Space-Saving heavy hitters over 64-bit values with a fixed number of slots: an account's most used subnets,
 * clients, system prompts or templates in bounded memory. Counts overestimate by at most the smallest slot.
 */
final class TopCounts {
  final long[] keys;
  final int[] counts;
  long total;
  /**
   * The slot {@link #top} answers with, -1 when empty: the first slot with the highest count. Kept as counts rise
   * (they only rise, so only the slot just counted can take over), since pair scoring asks for it many times per
   * pair; {@link #recount} sets it after the arrays were filled directly (a checkpoint).
   */
  private int best = -1;

  TopCounts(int slots) {
    keys = new long[slots];
    counts = new int[slots];
  }

  /**
   * Counts one occurrence.
   *
   * @return true when the value was not tracked before (it is new to this account, or came back after eviction)
   */
  boolean add(long key) {
    total++;
    int min = 0;
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] > 0 && keys[i] == key) {
        counts[i]++;
        rose(i);
        return false;
      }
      if (counts[i] < counts[min]) {
        min = i;
      }
    }
    keys[min] = key;
    counts[min]++;
    rose(min);
    return true;
  }

  private void rose(int i) {
    if (best < 0 || counts[i] > counts[best] || (counts[i] == counts[best] && i < best)) {
      best = i;
    }
  }

  /** Finds the top slot again, after {@code keys} and {@code counts} were written directly. */
  void recount() {
    best = -1;
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] > 0 && (best < 0 || counts[i] > counts[best])) {
        best = i;
      }
    }
  }

  int count(long key) {
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] > 0 && keys[i] == key) {
        return counts[i];
      }
    }
    return 0;
  }

  /** The share of everything counted that fell on {@code key}, in [0, 1]. */
  double share(long key) {
    return total == 0 ? 0 : Math.min(1.0, count(key) / (double) total);
  }

  /** The most counted value, or 0 when empty. */
  long top() {
    return best < 0 ? 0 : keys[best];
  }

  int slots() {
    return keys.length;
  }
}
