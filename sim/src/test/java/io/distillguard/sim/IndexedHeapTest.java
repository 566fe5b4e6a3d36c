package io.distillguard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IndexedHeapTest {
  /** An element with a changeable key, a tie-breaking id and the position field the heap maintains. */
  static final class Item {
    final int id;
    long key;
    int pos = -1;

    Item(int id, long key) {
      this.id = id;
      this.key = key;
    }

    @Override
    public String toString() {
      return "Item" + id + "@" + key;
    }
  }

  static final Comparator<Item> ORDER = (a, b) -> a.key != b.key ? Long.compare(a.key, b.key)
      : Integer.compare(a.id, b.id);

  static IndexedHeap<Item> heap(int capacity) {
    return new IndexedHeap<>(capacity, ORDER, i -> i.pos, (i, p) -> i.pos = p);
  }

  @Test
  void emptyHeapHasNothingToPeekAndNothingToRemove() {
    IndexedHeap<Item> h = heap(4);
    Item a = new Item(1, 10);
    assertThat(h.isEmpty()).isTrue();
    assertThat(h.size()).isZero();
    assertThat(h.peek()).isNull();
    assertThat(h.contains(a)).isFalse();
    assertThat(h.remove(a)).isFalse();
    assertThat(h.update(a)).isFalse();
    assertThat(a.pos).isEqualTo(-1);
  }

  @Test
  void peekIsTheLeastAndTiesGoByTheTieBreaker() {
    IndexedHeap<Item> h = heap(1); // grows past its initial capacity
    Item a = new Item(3, 5);
    Item b = new Item(1, 7);
    Item c = new Item(2, 5);
    h.add(a);
    h.add(b);
    h.add(c);
    assertThat(h.size()).isEqualTo(3);
    assertThat(h.peek()).isSameAs(c); // key 5, id 2 before id 3
    assertThat(h.remove(c)).isTrue();
    assertThat(c.pos).isEqualTo(-1);
    assertThat(h.contains(c)).isFalse();
    assertThat(h.peek()).isSameAs(a);
    assertThat(h.remove(a)).isTrue();
    assertThat(h.peek()).isSameAs(b);
    assertThat(h.remove(b)).isTrue();
    assertThat(h.isEmpty()).isTrue();
    assertThat(h.peek()).isNull();
  }

  @Test
  void updateMovesAnElementEitherWay() {
    IndexedHeap<Item> h = heap(4);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Item it = new Item(i, 100 + i);
      items.add(it);
      h.add(it);
    }
    Item last = items.get(9);
    last.key = 1;
    assertThat(h.update(last)).isTrue();
    assertThat(h.peek()).isSameAs(last);
    last.key = 1_000;
    assertThat(h.update(last)).isTrue();
    assertThat(h.peek()).isSameAs(items.get(0));
    for (int i = 0; i < 9; i++) {
      assertThat(h.peek()).isSameAs(items.get(i));
      h.remove(items.get(i));
    }
    assertThat(h.peek()).isSameAs(last);
  }

  @Test
  void anElementCannotBeAddedTwiceAndNullIsRefused() {
    IndexedHeap<Item> h = heap(4);
    Item a = new Item(1, 1);
    h.add(a);
    assertThatThrownBy(() -> h.add(a)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("in a heap already");
    assertThat(h.size()).isEqualTo(1);
    assertThatThrownBy(() -> h.add(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> heap(0)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Random adds, removes, key changes and pops agree with a sorted set under the same order, and every element's
   * position field says whether it is in the heap.
   */
  @Test
  void randomOperationsAgreeWithASortedSet() {
    SplittableRandom rng = new SplittableRandom(42);
    IndexedHeap<Item> h = heap(2);
    TreeSet<Item> reference = new TreeSet<>(ORDER);
    List<Item> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(new Item(i, 0));
    }
    for (int step = 0; step < 20_000; step++) {
      Item it = all.get(rng.nextInt(all.size()));
      int op = rng.nextInt(4);
      if (op == 0 && !h.contains(it)) {
        it.key = rng.nextInt(50); // few distinct keys: many ties
        h.add(it);
        reference.add(it);
      } else if (op == 1) {
        assertThat(h.remove(it)).isEqualTo(reference.remove(it));
      } else if (op == 2 && h.contains(it)) {
        reference.remove(it);
        it.key = rng.nextInt(50);
        assertThat(h.update(it)).isTrue();
        reference.add(it);
      } else if (op == 3 && !h.isEmpty()) {
        Item least = h.peek();
        assertThat(least).isSameAs(reference.first());
        h.remove(least);
        reference.remove(least);
      }
      assertThat(h.size()).isEqualTo(reference.size());
      assertThat(h.peek()).isSameAs(reference.isEmpty() ? null : reference.first());
      assertThat(h.contains(it)).as("%s", it).isEqualTo(reference.contains(it));
      if (step % 500 == 0) {
        for (Item x : all) {
          assertThat(h.contains(x)).as("%s", x).isEqualTo(reference.contains(x));
        }
      }
    }
    // Drains in order.
    while (!reference.isEmpty()) {
      Item least = h.peek();
      assertThat(least).isSameAs(reference.pollFirst());
      h.remove(least);
    }
    assertThat(h.isEmpty()).isTrue();
  }
}
