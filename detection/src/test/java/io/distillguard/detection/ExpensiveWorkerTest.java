package io.distillguard.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The worker's bounds, without timing: a latch holds the tier's construction while the queue fills. */
class ExpensiveWorkerTest {

  @Test
  void aFullQueueDropsAndCountsNeverBlocks() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger built = new AtomicInteger();
    ExpensiveTierTest.FakeEmbedder fake = new ExpensiveTierTest.FakeEmbedder();
    BenignReference reference = ExpensiveTierTest.reference(fake);
    List<ExpensiveTier.Finding> found = new ArrayList<>();
    try (ExpensiveWorker w = new ExpensiveWorker(() -> {
      built.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS); // the model "loads" until the test says so
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new ExpensiveTier(fake, reference, ExpensiveTierTest.settings());
    }, 4, (job, f) -> {
      synchronized (found) {
        found.addAll(f);
      }
    })) {
      assertThat(built.get()).as("nothing is built before the first job").isZero();
      // The first job is taken off the queue to start the build; it may or may not have been taken yet, so offer
      // until the queue of 4 is surely full.
      int accepted = 0;
      for (int i = 0; i < 10; i++) {
        if (w.offer(new ExpensiveWorker.Job("a", Instant.EPOCH, "t:" + i))) {
          accepted++;
        }
      }
      assertThat(accepted).isBetween(4, 5);
      assertThat(w.dropped()).isEqualTo(10 - accepted);
      release.countDown();
      for (int i = 10; i < 60; i++) {
        while (!w.offer(new ExpensiveWorker.Job("a", Instant.EPOCH, "t:" + i))) {
          assertThat(w.drain(Duration.ofSeconds(30))).isTrue();
        }
      }
      assertThat(w.drain(Duration.ofSeconds(30))).isTrue();
      assertThat(built.get()).isEqualTo(1);
      assertThat(w.failures()).isZero();
      assertThat(w.done()).isEqualTo(accepted + 50);
      synchronized (found) {
        assertThat(found).isNotEmpty();
      }
    }
  }

  @Test
  void aTierThatCannotBeBuiltDropsEverythingAndSaysSo() {
    try (ExpensiveWorker w = new ExpensiveWorker(() -> {
      throw new IllegalStateException("no model here");
    }, 8, (job, f) -> { })) {
      w.offer(new ExpensiveWorker.Job("a", Instant.EPOCH, "hello"));
      assertThat(w.drain(Duration.ofSeconds(30))).isTrue();
      assertThat(w.broken()).isTrue();
      assertThat(w.offer(new ExpensiveWorker.Job("a", Instant.EPOCH, "again"))).isFalse();
      assertThat(w.dropped()).isEqualTo(2);
      assertThat(w.tier()).isNull();
    }
  }
}
