package io.distillguard.core.detectors;

/**
 * Space-Saving heavy hitters over 64-bit keys with a fixed number of slots: bounded memory, counts overestimate by at
 * most the smallest slot. Enough to ask "what share of this account's prompts fall into its top few templates".
 */
final class TopK {
  private final long[] keys;
  private final int[] counts;
  private long total;

  TopK(int slots) {
    keys = new long[slots];
    counts = new int[slots];
  }

  void add(long key) {
    total++;
    int min = 0;
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] > 0 && keys[i] == key) {
        counts[i]++;
        return;
      }
      if (counts[i] < counts[min]) {
        min = i;
      }
    }
    keys[min] = key;
    counts[min]++;
  }

  /** Estimated count of a key (0 when not tracked). */
  int count(long key) {
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] > 0 && keys[i] == key) {
        return counts[i];
      }
    }
    return 0;
  }

  /** Share of all additions that went to the {@code k} largest slots (an upper estimate). */
  double topShare(int k) {
    if (total == 0) {
      return 0;
    }
    int[] sorted = counts.clone();
    java.util.Arrays.sort(sorted);
    long sum = 0;
    for (int i = sorted.length - 1; i >= 0 && i >= sorted.length - k; i--) {
      sum += sorted[i];
    }
    return Math.min(1.0, (double) sum / total);
  }

  long total() {
    return total;
  }
}
