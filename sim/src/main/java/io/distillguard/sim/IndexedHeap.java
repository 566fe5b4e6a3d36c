package io.distillguard.sim;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;

/**
 * A binary min-heap whose elements record their own position in it, so that an element can be removed, or put back
 * in order after its key changed, in O(log n) without searching for it. The simulation keeps its actors in one
 * (ordered by next send time) and each campaign keeps its accounts in one.
 *
 * <p>Each element carries an {@code int} field for its position, read through {@code position} and written through
 * {@code setPosition}. The heap writes the element's index in its array while the element is in the heap and
 * {@code -1} when it leaves, so {@code position < 0} means "not in the heap": the field must hold {@code -1} before
 * the element is first {@link #add added}, and an element can be in at most one heap at a time.
 *
 * <p>{@link #peek()} is an element that no other element in the heap is less than under {@code order}. Elements the
 * comparator does not tell apart come out in an order fixed by the sequence of operations (the heap is
 * deterministic, not stable): give the comparator a tie-breaker when the order among equal keys matters.
 *
 * <p>An element's key (whatever {@code order} compares) may change while it is outside the heap; while it is inside,
 * a change must be followed by {@link #update} or {@link #remove} of that element before any other operation. Not
 * thread-safe; null elements are refused.
 *
 * @param <T> the element type
 */
public final class IndexedHeap<T> {
  private final Comparator<? super T> order;
  private final ToIntFunction<? super T> position;
  private final ObjIntConsumer<? super T> setPosition;
  private Object[] heap;
  private int size;

  /**
   * An empty heap.
   *
   * @param initialCapacity elements it holds before its array grows (doubling); at least 1
   * @param order           the order: {@code compare(a, b) < 0} means {@code a} comes out before {@code b}
   * @param position        reads an element's position field
   * @param setPosition     writes an element's position field
   */
  public IndexedHeap(int initialCapacity, Comparator<? super T> order, ToIntFunction<? super T> position,
      ObjIntConsumer<? super T> setPosition) {
    if (initialCapacity < 1) {
      throw new IllegalArgumentException("initialCapacity must be at least 1, got " + initialCapacity);
    }
    this.order = Objects.requireNonNull(order, "order");
    this.position = Objects.requireNonNull(position, "position");
    this.setPosition = Objects.requireNonNull(setPosition, "setPosition");
    this.heap = new Object[initialCapacity];
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The least element, left in the heap; null when the heap is empty. */
  @SuppressWarnings("unchecked")
  public T peek() {
    return (T) heap[0];
  }

  /** Whether {@code e} is in this heap (its position field is not negative). */
  public boolean contains(T e) {
    return position.applyAsInt(e) >= 0;
  }

  /**
   * Adds {@code e}, which must not be in the heap.
   *
   * @throws IllegalArgumentException when {@code e}'s position field is not negative (it is in a heap already)
   */
  public void add(T e) {
    Objects.requireNonNull(e, "element");
    if (position.applyAsInt(e) >= 0) {
      throw new IllegalArgumentException("element is in a heap already (position " + position.applyAsInt(e) + ")");
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, heap.length * 2);
    }
    heap[size] = e;
    setPosition.accept(e, size);
    size++;
    up(size - 1);
  }

  /** Removes {@code e}; does nothing when it is not in the heap. Returns whether it was. */
  @SuppressWarnings("unchecked")
  public boolean remove(T e) {
    int i = position.applyAsInt(e);
    if (i < 0) {
      return false;
    }
    size--;
    T last = (T) heap[size];
    heap[size] = null;
    setPosition.accept(e, -1);
    if (i < size) {
      heap[i] = last;
      setPosition.accept(last, i);
      up(i);
      down(position.applyAsInt(last));
    }
    return true;
  }

  /**
   * Restores the order after {@code e}'s key changed (either way) while it was in the heap; does nothing when it is
   * not in the heap. Returns whether it was.
   */
  public boolean update(T e) {
    int i = position.applyAsInt(e);
    if (i < 0) {
      return false;
    }
    up(i);
    down(position.applyAsInt(e));
    return true;
  }

  /** Moves the element at {@code i} towards the root while it is less than its parent. */
  @SuppressWarnings("unchecked")
  private void up(int i) {
    T x = (T) heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      T p = (T) heap[parent];
      if (order.compare(x, p) >= 0) {
        break;
      }
      heap[i] = p;
      setPosition.accept(p, i);
      i = parent;
    }
    heap[i] = x;
    setPosition.accept(x, i);
  }

  /** Moves the element at {@code i} towards the leaves while a child is less than it (the lesser child first). */
  @SuppressWarnings("unchecked")
  private void down(int i) {
    T x = (T) heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      T c = (T) heap[child];
      int right = child + 1;
      if (right < size && order.compare((T) heap[right], c) < 0) {
        child = right;
        c = (T) heap[child];
      }
      if (order.compare(c, x) >= 0) {
        break;
      }
      heap[i] = c;
      setPosition.accept(c, i);
      i = child;
    }
    heap[i] = x;
    setPosition.accept(x, i);
  }
}
