package io.distillguard.gateway.kafka;

import org.apache.kafka.clients.consumer.Consumer;

/** Stopping a thread that polls a Kafka consumer (the consumer is closed by that thread when its loop ends). */
public final class ConsumerThreads {
  private ConsumerThreads() {}

  /**
   * Wakes the consumer out of a poll and waits up to 10 s for the thread to finish; the caller has already told the
   * loop to stop.
   */
  public static void stop(Consumer<?, ?> consumer, Thread thread) {
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
