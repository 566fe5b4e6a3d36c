package io.distillguard.upstream;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests and keeps the most recent {@value #CAPACITY} not yet taken, dropping the oldest,
 * so a long benchmark cannot grow memory without bound. Thread-safe: the event loop records while
 * a test thread takes.
 */
final class RequestLog {
  static final int CAPACITY = 1000;
  private final AtomicInteger count = new AtomicInteger();
  private final ArrayDeque<RecordedRequest> recorded = new ArrayDeque<>();

  void record(RecordedRequest request) {
    count.incrementAndGet();
    synchronized (recorded) {
      if (recorded.size() == CAPACITY) {
        recorded.pollFirst();
      }
      recorded.addLast(request);
    }
  }

  int count() {
    return count.get();
  }

  RecordedRequest take() {
    synchronized (recorded) {
      return recorded.pollFirst();
    }
  }
}
