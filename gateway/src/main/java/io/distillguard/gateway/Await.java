package io.distillguard.gateway;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a background thread to catch up, by polling: for drains and flushes (tests, orderly shutdown). */
public final class Await {
  private Await() {}

  /**
   * Checks {@code done}, then sleeps {@code pollMillis} and checks again, until it holds or {@code timeout} has
   * passed. A condition that already holds returns at once, without sleeping.
   *
   * @return true when {@code done} held; false when the timeout passed first, or when the thread was interrupted
   *     while sleeping (its interrupt flag is set again)
   */
  public static boolean until(BooleanSupplier done, Duration timeout, long pollMillis) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(pollMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
