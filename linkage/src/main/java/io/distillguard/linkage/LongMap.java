package io.distillguard.linkage;

import java.util.Arrays;

/**
 * An open-addressing hash map from long keys (never 0) to objects. Linkage looks keys up several times for every
 * candidate pair it scores; a {@code HashMap<Long, ...>} boxes each lookup, and at a million accounts the boxes alone
 * cost more collection time than the scoring.
 */
final class LongMap<V> {
  private long[] keys;
  private Object[] values;
  private int size;
  private int mask;

  LongMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new Object[cap];
    mask = cap - 1;
  }

  @SuppressWarnings("unchecked")
  V get(long key) {
    int i = slot(key);
    while (true) {
      long k = keys[i];
      if (k == key) {
        return (V) values[i];
      }
      if (k == 0) {
        return null;
      }
      i = (i + 1) & mask;
    }
  }

  void put(long key, V value) {
    if (key == 0) {
      throw new IllegalArgumentException("key 0 is reserved");
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int i = slot(key);
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == 0) {
      size++;
    }
    keys[i] = key;
    values[i] = value;
  }

  int size() {
    return size;
  }

  /** Calls {@code action} with every key and value, in no particular order. */
  @SuppressWarnings("unchecked")
  void forEach(java.util.function.BiConsumer<Long, V> action) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != 0) {
        action.accept(keys[i], (V) values[i]);
      }
    }
  }

  private int slot(long key) {
    return (int) Keys.mix(key) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        int j = slot(oldKeys[i]);
        while (keys[j] != 0) {
          j = (j + 1) & mask;
        }
        keys[j] = oldKeys[i];
        values[j] = oldValues[i];
        size++;
      }
    }
    Arrays.fill(oldValues, null);
  }
}
