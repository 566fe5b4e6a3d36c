package io.distillguard.gateway.upstream;

import io.vertx.core.Vertx;

/**
 * The two upstream deadlines of one call: the first byte of the answer, then the longest silence between chunks.
 * Activity only stamps a time; the single timer re-arms itself when it fires early, so a fast stream costs no timer
 * churn per chunk.
 */
final class UpstreamTimer {
  private final Vertx vertx;
  private final long firstByteMs;
  private final long idleMs;
  private final Runnable onTimeout;
  private long timerId = -1;
  private boolean started;
  private boolean stopped;
  private long lastActivityNanos;

  UpstreamTimer(Vertx vertx, long firstByteMs, long idleMs, Runnable onTimeout) {
    this.vertx = vertx;
    this.firstByteMs = firstByteMs;
    this.idleMs = idleMs;
    this.onTimeout = onTimeout;
  }

  /** The request was sent: wait for the first byte. */
  void awaitFirstByte() {
    timerId = vertx.setTimer(firstByteMs, id -> {
      if (!stopped && !started) {
        stopped = true;
        onTimeout.run();
      }
    });
  }

  /** The answer began: from now on, watch the gaps between chunks. */
  void answerStarted() {
    if (stopped) {
      return;
    }
    started = true;
    vertx.cancelTimer(timerId);
    lastActivityNanos = System.nanoTime();
    arm(idleMs);
  }

  void activity() {
    lastActivityNanos = System.nanoTime();
  }

  void stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  private void arm(long delayMs) {
    timerId = vertx.setTimer(Math.max(1, delayMs), id -> {
      if (stopped) {
        return;
      }
      long silentMs = (System.nanoTime() - lastActivityNanos) / 1_000_000;
      if (silentMs >= idleMs) {
        stopped = true;
        onTimeout.run();
      } else {
        arm(idleMs - silentMs);
      }
    });
  }
}
