package io.distillguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void aConditionThatHoldsReturnsAtOnce() {
    AtomicInteger checks = new AtomicInteger();
    assertThat(Await.until(() -> checks.incrementAndGet() > 0, Duration.ZERO, 1_000)).isTrue();
    assertThat(checks).hasValue(1);
  }

  @Test
  void pollsUntilTheConditionHolds() {
    AtomicInteger checks = new AtomicInteger();
    assertThat(Await.until(() -> checks.incrementAndGet() >= 3, Duration.ofSeconds(10), 1)).isTrue();
    assertThat(checks).hasValue(3);
  }

  @Test
  void falseWhenTheTimeoutPassesFirst() {
    long start = System.nanoTime();
    assertThat(Await.until(() -> false, Duration.ofMillis(50), 1)).isFalse();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
  }

  @Test
  void falseWhenInterruptedAndTheFlagIsKept() {
    Thread.currentThread().interrupt();
    try {
      assertThat(Await.until(() -> false, Duration.ofSeconds(10), 1)).isFalse();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted(); // clear it for the next test
    }
  }
}
