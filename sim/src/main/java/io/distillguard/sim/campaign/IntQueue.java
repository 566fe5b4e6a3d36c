package io.distillguard.sim.campaign;

import java.util.Arrays;

/** A growable FIFO of ints (prompt indices), no boxing. */
public final class IntQueue {
  private int[] a;
  private int head;
  private int size;

  public IntQueue(int capacity) {
    a = new int[Math.max(4, capacity)];
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public void addLast(int v) {
    if (size == a.length) {
      int[] b = new int[a.length * 2];
      for (int i = 0; i < size; i++) {
        b[i] = a[(head + i) % a.length];
      }
      a = b;
      head = 0;
    }
    a[(head + size) % a.length] = v;
    size++;
  }

  public int pollFirst() {
    if (size == 0) {
      throw new IllegalStateException("empty");
    }
    int v = a[head];
    head = (head + 1) % a.length;
    size--;
    return v;
  }

  public int peekFirst() {
    return a[head];
  }

  /** Moves everything into another queue. */
  public void drainTo(IntQueue other) {
    while (size > 0) {
      other.addLast(pollFirst());
    }
  }

  /** The contents in order (a copy). */
  public int[] toArray() {
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = a[(head + i) % a.length];
    }
    return out;
  }

  @Override
  public String toString() {
    return Arrays.toString(toArray());
  }
}
