package io.distillguard.gateway.detection;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each account's score over time, and its latest risk with reasons, in the store. The detection thread only
 * decides whether a change is worth a point (the score moved by {@link #MIN_STEP}, the level changed, or an hour of
 * event time passed) and queues it; a writer thread stores points in batches and the latest snapshots coalesced, so
 * a busy account costs one row per material change, and at most {@link #KEEP_PER_ACCOUNT} rows in all.
 */
public final class ScoreHistoryRecorder implements DetectionService.RiskListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreHistoryRecorder.class);
  static final double MIN_STEP = 0.02;
  static final Duration MAX_GAP = Duration.ofHours(1);
  public static final int KEEP_PER_ACCOUNT = 500;
  private static final int QUEUE = 100_000;

  private record Last(double score, RiskLevel level, Instant at) {}

  private final Store store;
  private final Map<String, Last> last = new ConcurrentHashMap<>();
  private final BlockingQueue<RiskHistory.Point> points = new ArrayBlockingQueue<>(QUEUE);
  private final Map<String, RiskHistory.Snapshot> snapshots = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "score-history");
    t.setDaemon(true);
    return t;
  });

  public ScoreHistoryRecorder(Store store, Duration flushInterval) {
    this.store = store;
    long ms = Math.max(10, flushInterval.toMillis());
    writer.scheduleWithFixedDelay(this::write, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void risk(String accountId, Instant at, RiskScore risk) {
    snapshots.put(accountId, new RiskHistory.Snapshot(accountId, at, risk.score(), risk.level(), risk.evidence(),
        risk.reasons()));
    Last l = last.get(accountId);
    if (l == null || Math.abs(l.score() - risk.score()) >= MIN_STEP || l.level() != risk.level()
        || Duration.between(l.at(), at).compareTo(MAX_GAP) >= 0) {
      last.put(accountId, new Last(risk.score(), risk.level(), at));
      if (!points.offer(new RiskHistory.Point(accountId, at, risk.score(), risk.level(), risk.evidence()))) {
        dropped.incrementAndGet(); // the snapshot still carries the latest score
      }
    }
  }

  /** Points lost because the writer fell behind. */
  public long dropped() {
    return dropped.get();
  }

  /** Writes everything queued so far and waits for it (tests, shutdown). */
  public void flush() {
    try {
      writer.submit(this::write).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("flushing the score history did not finish", e);
    }
  }

  private void write() {
    try {
      List<RiskHistory.Point> batch = new ArrayList<>();
      points.drainTo(batch);
      List<RiskHistory.Snapshot> latest = new ArrayList<>();
      for (String account : List.copyOf(snapshots.keySet())) {
        RiskHistory.Snapshot s = snapshots.remove(account);
        if (s != null) {
          latest.add(s);
        }
      }
      store.risks().record(batch, latest, KEEP_PER_ACCOUNT);
    } catch (RuntimeException e) {
      LOG.error("recording score history failed", e);
    }
  }

  @Override
  public void close() {
    flush();
    writer.shutdown();
  }
}
