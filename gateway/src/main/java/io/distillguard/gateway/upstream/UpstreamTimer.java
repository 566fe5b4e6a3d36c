package io.distillguard.gateway.upstream;

/**
 * The two upstream deadlines of one call: the first byte of the answer, then the longest silence between chunks.
 * Activity only stamps a time and no timer is armed per call: the event loop's {@link DeadlineSweep} checks every
 * watched call a few times a second, so a deadline fires within one sweep period after it passed (never before).
 * Timeouts are seconds long; a timer per call cost more event-loop time than the rest of the forwarding bookkeeping.
 */
final class UpstreamTimer {
  private final DeadlineSweep sweep;
  private final long firstByteNanos;
  private final long idleNanos;
  private final Runnable onTimeout;
  private boolean watched;
  private boolean started;
  private boolean stopped;
  private long firstByteDeadline;
  private long lastActivityNanos;

  UpstreamTimer(DeadlineSweep sweep, long firstByteMs, long idleMs, Runnable onTimeout) {
    this.sweep = sweep;
    this.firstByteNanos = firstByteMs * 1_000_000L;
    this.idleNanos = idleMs * 1_000_000L;
    this.onTimeout = onTimeout;
  }

  /** The request was sent: wait for the first byte. */
  void awaitFirstByte() {
    if (stopped) {
      return;
    }
    firstByteDeadline = System.nanoTime() + firstByteNanos;
    watched = true;
    sweep.watch(this);
  }

  /** The answer began: from now on, watch the gaps between chunks. */
  void answerStarted() {
    started = true;
    lastActivityNanos = System.nanoTime();
  }

  void activity() {
    lastActivityNanos = System.nanoTime();
  }

  void stop() {
    stopped = true;
    if (watched) {
      watched = false;
      sweep.unwatch(this);
    }
  }

  /** Called by the sweep on the call's event loop. */
  void check(long now) {
    if (stopped) {
      return;
    }
    boolean expired = started ? now - lastActivityNanos >= idleNanos : now - firstByteDeadline >= 0;
    if (expired) {
      stop();
      onTimeout.run();
    }
  }
}
