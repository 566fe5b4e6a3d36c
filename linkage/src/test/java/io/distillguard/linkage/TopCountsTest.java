package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link TopCounts}: the top it keeps as counts rise is the one a scan of the slots finds, restored ones too. */
class TopCountsTest {
  /** The first slot with the highest count, as a scan finds it. */
  private static long scanned(TopCounts t) {
    int best = -1;
    for (int i = 0; i < t.slots(); i++) {
      if (t.counts[i] > 0 && (best < 0 || t.counts[i] > t.counts[best])) {
        best = i;
      }
    }
    return best < 0 ? 0 : t.keys[best];
  }

  @Test
  void theKeptTopIsTheScannedTopWhateverTheOrder() {
    SplittableRandom r = new SplittableRandom(11);
    for (int run = 0; run < 2_000; run++) {
      TopCounts t = new TopCounts(1 + r.nextInt(8));
      assertThat(t.top()).isZero();
      int values = 1 + r.nextInt(12);
      for (int k = 0, n = r.nextInt(60); k < n; k++) {
        t.add(1 + r.nextInt(values));
        assertThat(t.top()).isEqualTo(scanned(t));
      }
      TopCounts copy = new TopCounts(t.slots());
      System.arraycopy(t.keys, 0, copy.keys, 0, t.slots());
      System.arraycopy(t.counts, 0, copy.counts, 0, t.slots());
      copy.recount();
      assertThat(copy.top()).isEqualTo(t.top());
      copy.add(1 + r.nextInt(values));
      assertThat(copy.top()).isEqualTo(scanned(copy));
    }
  }

  @Test
  void tiesGoToTheFirstSlot() {
    TopCounts t = new TopCounts(3);
    t.add(7);
    t.add(8);
    assertThat(t.top()).isEqualTo(7);
    t.add(8);
    assertThat(t.top()).isEqualTo(8);
    t.add(7);
    assertThat(t.top()).isEqualTo(7);
  }
}
