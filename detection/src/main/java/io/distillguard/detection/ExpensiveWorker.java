package io.distillguard.detection;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link ExpensiveTier} on a thread of its own behind a bounded queue, apart from the cheap tier's thread
 * and never on a request's. {@link #offer} never blocks: when the worker has fallen behind and the queue is full, the
 * job is dropped and counted ({@link #dropped}), so a burst of suspects costs detection evidence, not memory or
 * latency.
 *
 * <p>The tier is built on the worker thread when the first job arrives (loading the model takes seconds), so neither
 * starting the worker nor a gateway that never sees a suspect pays for it; jobs offered meanwhile wait in the
 * queue. If the tier cannot be built
 * (the model fails to load), the error is logged and every job is dropped and counted from then on: detection goes on
 * with the cheap tier alone.
 *
 * <p>Findings go to the sink on the worker thread; the sink hands them to whoever owns the detection engine.
 */
public final class ExpensiveWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExpensiveWorker.class);

  /**
   * One prompt to embed.
   *
   * @param at event time of the exchange it came from (verdicts it leads to carry it)
   */
  public record Job(String accountId, Instant at, String prompt) {}

  private final java.util.function.Supplier<ExpensiveTier> factory;
  private volatile ExpensiveTier tier;
  private volatile boolean broken;
  private final BlockingQueue<Job> queue;
  private final BiConsumer<Job, List<ExpensiveTier.Finding>> sink;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Starts the worker thread.
   *
   * @param tier     builds the tier, called once on the worker thread
   * @param capacity jobs waiting at most
   * @param sink     receives each job's non-empty findings, on the worker thread
   */
  public ExpensiveWorker(java.util.function.Supplier<ExpensiveTier> tier, int capacity,
      BiConsumer<Job, List<ExpensiveTier.Finding>> sink) {
    if (capacity < 1) {
      throw new IllegalArgumentException("queue capacity must be positive: " + capacity);
    }
    this.factory = tier;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.thread = new Thread(this::run, "detection-expensive");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
  }

  /** The tier, or null while it is being built or when it could not be. */
  public ExpensiveTier tier() {
    return tier;
  }

  /** True when the tier could not be built: every job is dropped. */
  public boolean broken() {
    return broken;
  }

  /** Queues a job; false (and counted as dropped) when the queue is full or the worker stopped or broke. */
  public boolean offer(Job job) {
    if (!running || broken) {
      dropped.incrementAndGet();
      return false;
    }
    accepted.incrementAndGet();
    if (!queue.offer(job)) {
      accepted.decrementAndGet();
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  /** Jobs dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Jobs processed. */
  public long done() {
    return done.get();
  }

  /** Jobs whose embedding or tests threw (must stay 0). */
  public long failures() {
    return failures.get();
  }

  public int backlog() {
    return queue.size();
  }

  /** Waits until every accepted job has been processed, or the timeout passes; true when it has. */
  public boolean drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (done.get() < accepted.get()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    Job first = null;
    while (running && first == null) {
      try {
        first = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        // checked by the loop
      }
    }
    if (first == null) {
      return;
    }
    try {
      tier = factory.get();
    } catch (RuntimeException | LinkageError e) {
      LOG.error("expensive detection tier disabled: it could not be built", e);
      broken = true;
      dropped.incrementAndGet();
      done.incrementAndGet();
      while (running) { // an offer racing with 'broken' may still land: keep counting them off
        try {
          if (queue.poll(200, TimeUnit.MILLISECONDS) != null) {
            dropped.incrementAndGet();
            done.incrementAndGet();
          }
        } catch (InterruptedException ignored) {
          // checked by the loop
        }
      }
      return;
    }
    Job job = first;
    while (running) {
      if (job == null) {
        try {
          job = queue.poll(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          continue;
        }
        if (job == null) {
          continue;
        }
      }
      try {
        List<ExpensiveTier.Finding> findings = tier.observe(job.accountId(), job.prompt());
        if (!findings.isEmpty()) {
          sink.accept(job, findings);
        }
      } catch (RuntimeException | LinkageError e) {
        // One bad prompt (or a native failure) must not end the tier for everyone.
        failures.incrementAndGet();
        LOG.error("expensive detection failed for account {}", job.accountId(), e);
      } finally {
        done.incrementAndGet();
        job = null;
      }
    }
  }
}
