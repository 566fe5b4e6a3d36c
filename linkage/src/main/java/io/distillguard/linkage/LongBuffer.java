package io.distillguard.linkage;

import java.util.Arrays;

/** A reusable growable list of longs (no boxing on the per-exchange path). */
final class LongBuffer {
  long[] values = new long[16];
  int size;

  void add(long v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  void clear() {
    size = 0;
  }
}
