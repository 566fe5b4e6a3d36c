package io.distillguard.gateway.log;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.gateway.Await;
import io.distillguard.store.ExchangeRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of every exchange. On the request path an exchange is appended to the local {@link Journal}
 * (one write into the page cache) and offered to a bounded queue; a single writer thread stores the queue in batches
 * and advances the store's checkpoint in the same transaction.
 *
 * <p>Nothing is dropped silently: when the queue is full the exchange stays in the journal only ("spilled") and the
 * writer fetches it from there; when the process dies, the next start replays the journal past the checkpoint.
 * The store skips ids it already has, so a replay stores each exchange exactly once.
 */
public final class ExchangeLog implements ExchangeSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeLog.class);

  private final ExchangeRepository repository;
  private final Journal journal;
  private final BlockingQueue<Pending> queue;
  private final int batchSize;
  private final long flushNanos;
  private final boolean redact;
  private final int retentionDays;
  private final Object appendLock = new Object();
  private final AtomicLong spilled = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong latestEventMicros = new AtomicLong();
  private final Thread writer;
  private volatile boolean running = true;
  private volatile boolean flushRequested;
  private volatile long committedSeq;
  private long lastRetentionRunNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(10);

  private record Pending(long seq, Exchange exchange) {}

  /** Settings of the log. */
  public record Options(
      Path journalDir, int queueCapacity, int batchSize, Duration flushInterval, int retentionDays,
      boolean redactText, boolean fsync, long segmentBytes) {}

  /** Opens the journal, replays whatever the store has not yet got, and starts the writer. */
  public ExchangeLog(ExchangeRepository repository, Options options) {
    this.repository = repository;
    this.batchSize = options.batchSize();
    this.flushNanos = options.flushInterval().toNanos();
    this.redact = options.redactText();
    this.retentionDays = options.retentionDays();
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    long checkpoint = repository.checkpoint();
    this.journal = new Journal(options.journalDir(), options.segmentBytes(), options.fsync(), checkpoint);
    this.committedSeq = checkpoint;
    recover();
    this.writer = new Thread(this::writeLoop, "exchange-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void accept(Exchange exchange) {
    Exchange e = redact ? exchange.redacted() : exchange;
    byte[] bytes = ExchangeCodec.encode(e);
    latestEventMicros.accumulateAndGet(micros(e.eventTime()), Math::max);
    synchronized (appendLock) {
      long seq;
      try {
        seq = journal.append(bytes);
      } catch (RuntimeException ex) {
        // The journal is unusable (disk full?): the queue is the only copy left. Say so loudly.
        LOG.error("exchange journal append failed; exchange {} is held in memory only", e.id(), ex);
        if (!queue.offer(new Pending(-1, e))) {
          dropped.incrementAndGet();
          LOG.error("exchange {} DROPPED: journal failed and the queue is full", e.id());
        }
        return;
      }
      if (!queue.offer(new Pending(seq, e))) {
        spilled.incrementAndGet();
        LockSupport.unpark(writer);
      } else if (queue.size() >= batchSize) {
        LockSupport.unpark(writer);
      }
    }
  }

  /** Exchanges recorded but not yet in the store. */
  public long backlog() {
    return Math.max(0, journal.lastSeq() - committedSeq);
  }

  public int queueDepth() {
    return queue.size();
  }

  public long spilled() {
    return spilled.get();
  }

  public long dropped() {
    return dropped.get();
  }

  public long storedCount() {
    return stored.get();
  }

  /** Blocks until everything recorded so far is in the store, or the timeout passes; true when caught up. */
  public boolean flush(Duration timeout) {
    long target = journal.lastSeq();
    flushRequested = true;
    LockSupport.unpark(writer);
    return Await.until(() -> committedSeq >= target && queue.isEmpty(), timeout, 2);
  }

  @Override
  public void close() {
    flush(Duration.ofSeconds(30));
    running = false;
    LockSupport.unpark(writer); // not interrupt(): an interrupt would break the writer's file channels mid-commit
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    journal.close();
  }

  private void recover() {
    List<Journal.Entry> entries = journal.read(committedSeq, Long.MAX_VALUE);
    if (entries.isEmpty()) {
      journal.release(committedSeq);
      return;
    }
    LOG.warn("recovering {} exchanges from the journal that the store had not committed (unclean stop)",
        entries.size());
    List<Exchange> batch = new ArrayList<>(batchSize);
    for (Journal.Entry entry : entries) {
      batch.add(ExchangeCodec.decode(entry.payload()));
      if (batch.size() >= batchSize) {
        commit(batch, entry.seq());
        batch.clear();
      }
    }
    commit(batch, entries.get(entries.size() - 1).seq());
  }

  /**
   * Wakes once per flush interval, or at once when a full batch is waiting or someone asked for a flush, and stores
   * whatever the queue holds. The request path never wakes this thread for a single exchange: on a small machine
   * the context switch per request cost more latency than the batch writing itself. Under load batches fill and the
   * writer does not sleep between them; when quiet an exchange waits at most the interval.
   */
  private void writeLoop() {
    List<Exchange> batch = new ArrayList<>(batchSize);
    List<Pending> drained = new ArrayList<>(batchSize);
    boolean more = false;
    while (running || !queue.isEmpty()) {
      try {
        if (!more && running && !flushRequested && queue.size() < batchSize) {
          LockSupport.parkNanos(this, flushNanos);
        }
        flushRequested = false;
        queue.drainTo(drained, batchSize);
        long expected = committedSeq + 1;
        long reach = committedSeq;
        for (Pending p : drained) {
          if (p.seq < 0) {
            batch.add(p.exchange);
            continue;
          }
          if (p.seq > expected) {
            // Spilled exchanges sit between what was committed and this one: fetch them from the journal.
            for (Journal.Entry e : journal.read(expected - 1, p.seq - 1)) {
              batch.add(ExchangeCodec.decode(e.payload()));
            }
          }
          if (p.seq >= expected) {
            batch.add(p.exchange);
            expected = p.seq + 1;
            reach = p.seq;
          }
        }
        if (drained.isEmpty() && spilled.get() > 0) {
          reach = catchUpFromJournal(batch);
        }
        more = drained.size() >= batchSize || batch.size() >= batchSize;
        if (!batch.isEmpty() || reach > committedSeq) {
          commit(batch, reach);
        }
        batch.clear();
        drained.clear();
        maybeApplyRetention();
      } catch (RuntimeException e) {
        // The store failed (locked, disk full): keep everything in the journal and try again shortly.
        LOG.error("storing exchanges failed; they stay in the journal and will be retried", e);
        requeueFromJournal(drained);
        batch.clear();
        drained.clear();
        more = false;
        sleepQuietly(500);
      }
    }
  }

  /** With an empty queue, whatever the journal holds past the checkpoint was spilled: read it back. */
  private long catchUpFromJournal(List<Exchange> batch) {
    long last;
    synchronized (appendLock) {
      last = journal.lastSeq();
      if (!queue.isEmpty()) {
        return committedSeq;
      }
    }
    if (last <= committedSeq) {
      return committedSeq;
    }
    long reach = committedSeq;
    for (Journal.Entry e : journal.read(committedSeq, Math.min(last, committedSeq + batchSize))) {
      batch.add(ExchangeCodec.decode(e.payload()));
      reach = e.seq();
    }
    return reach;
  }

  private void requeueFromJournal(List<Pending> drained) {
    // The failed batch is still in the journal past the checkpoint; mark it spilled so the writer re-reads it.
    long journaled = drained.stream().filter(p -> p.seq >= 0).count();
    spilled.addAndGet(journaled);
    for (Pending p : drained) {
      if (p.seq < 0 && !queue.offer(p)) {
        dropped.incrementAndGet();
        LOG.error("exchange {} DROPPED after a store failure", p.exchange.id());
      }
    }
  }

  private void commit(List<Exchange> batch, long reach) {
    int added = repository.append(batch, reach);
    stored.addAndGet(added);
    committedSeq = Math.max(committedSeq, reach);
    journal.release(committedSeq);
  }

  private void maybeApplyRetention() {
    if (retentionDays <= 0 || System.nanoTime() - lastRetentionRunNanos < TimeUnit.MINUTES.toNanos(10)) {
      return;
    }
    lastRetentionRunNanos = System.nanoTime();
    long latest = latestEventMicros.get();
    if (latest == 0) {
      return;
    }
    // Event time, not the wall clock: a replayed month must age out by its own calendar.
    Instant cutoff = Instant.ofEpochSecond(latest / 1_000_000).minus(Duration.ofDays(retentionDays));
    int n = repository.deleteBefore(cutoff);
    if (n > 0) {
      LOG.info("retention: deleted {} exchanges older than {}", n, cutoff);
    }
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
