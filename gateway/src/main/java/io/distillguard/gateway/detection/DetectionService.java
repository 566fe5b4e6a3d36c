package io.distillguard.gateway.detection;

import io.distillguard.core.AccountStatus;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.core.detect.Verdict;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.detection.ExpensiveWorker;
import io.distillguard.gateway.Await;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.gateway.log.ExchangeSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the detection core beside the data plane: the request path only offers each finished exchange to a bounded
 * queue; one detection thread folds it into the account's detector state, and when an account's level rises it puts
 * the new status into the enforcement cache at once (the next request of that account sees it) and hands the verdict
 * to listeners (the store and the audit log, alerts).
 *
 * <p>Detection never slows or fails a request: when the queue is full the exchange is skipped for detection (it is
 * still in the exchange log) and counted. An analyst's decision about an account caps what detection may do to it
 * afterwards, so a reviewed false positive is not re-blocked by the same evidence.
 *
 * <p>With the expensive tier started ({@link #startExpensiveTier}), the detection thread hands the exchanges the tier
 * wants (sampled, of suspects) to the tier's own bounded worker, which drops what it cannot keep up with; its
 * findings come back through this service's queue, so only the detection thread ever touches the engine.
 */
public final class DetectionService implements ExchangeSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DetectionService.class);

  private static final double RISK_REFRESH_DELTA = 0.01;
  private static final long BATCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int BATCH = 512;
  private final DetectionEngine engine;
  private final EnforcementCache enforcement;
  private final BlockingQueue<Object> queue;
  private final AtomicLong offered = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final Map<String, RiskScore> risks = new ConcurrentHashMap<>();
  private final Map<String, RiskLevel> analystCeilings = new ConcurrentHashMap<>();
  private final List<Consumer<Verdict>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong escalations = new AtomicLong();
  private final AtomicLong propagationMicrosTotal = new AtomicLong();
  private final Thread worker;
  private volatile boolean running = true;
  private volatile ExpensiveWorker expensive;
  private volatile ExpensiveTier.Settings expensiveSettings;
  private final AtomicLong findingsDropped = new AtomicLong();
  private final List<RiskListener> riskListeners = new CopyOnWriteArrayList<>();
  /** The level detection itself last raised each account to, so an analyst lowering it counts as a revert. */
  private final Map<String, RiskLevel> automaticLevels = new ConcurrentHashMap<>();
  private final AtomicLong reverts = new AtomicLong();
  private volatile Observer observer = Observer.NONE;

  /** Told of every score and every escalation, for metrics; called on the detection thread (keep it short). */
  public interface Observer {
    Observer NONE = new Observer() {};

    /** The account's score after one exchange was folded in. */
    default void scored(double score) {}

    /** An automatic escalation reached the enforcement cache this long after its exchange arrived (-1: unknown). */
    default void escalated(RiskLevel to, long propagationMicros) {}

    /** An analyst lowered an account below the level detection had raised it to. */
    default void reverted(RiskLevel from, RiskLevel to) {}
  }

  /** Told whenever an account's readable risk changes (on the detection thread; keep it short). */
  @FunctionalInterface
  public interface RiskListener {
    /** @param at event time of the exchange or finding that moved the risk */
    void risk(String accountId, java.time.Instant at, RiskScore risk);
  }

  public DetectionService(DetectionEngine engine, EnforcementCache enforcement, int queueCapacity) {
    this.engine = engine;
    this.enforcement = enforcement;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.worker = new Thread(this::run, "detection");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Starts the expensive tier beside detection: {@code tier} is built on the tier's own thread (the model loads
   * there), and from then on the detection thread offers it every exchange {@code settings} wants.
   *
   * @param queueCapacity prompts waiting for the tier at most; beyond, they are dropped and counted
   */
  public void startExpensiveTier(ExpensiveTier.Settings settings, java.util.function.Supplier<ExpensiveTier> tier,
      int queueCapacity) {
    if (expensive != null) {
      throw new IllegalStateException("the expensive tier is already running");
    }
    expensiveSettings = settings;
    expensive = new ExpensiveWorker(tier, queueCapacity, (job, findings) -> {
      offered.incrementAndGet();
      if (!queue.offer(new Findings(job.accountId(), job.at(), findings))) {
        offered.decrementAndGet();
        findingsDropped.incrementAndGet(); // the account's next finding carries the same evidence again
      }
    });
  }

  /** The expensive tier's worker, or null when it is off. */
  public ExpensiveWorker expensiveTier() {
    return expensive;
  }

  /** Expensive-tier findings lost because the detection queue was full. */
  public long findingsDropped() {
    return findingsDropped.get();
  }

  public void observer(Observer o) {
    this.observer = o == null ? Observer.NONE : o;
  }

  public void addRiskListener(RiskListener l) {
    riskListeners.add(l);
  }

  /** Analyst decisions that lowered an account below the level detection had raised it to. */
  public long reverts() {
    return reverts.get();
  }

  /** Accounts whose latest risk is at this level (accounts never scored count as none only once seen). */
  public long accountsAt(RiskLevel level) {
    long n = 0;
    for (RiskScore r : risks.values()) {
      if (r.level() == level) {
        n++;
      }
    }
    return n;
  }

  /** Called for every verdict after the enforcement cache has it (on the detection thread; keep it short). */
  public void addListener(Consumer<Verdict> listener) {
    listeners.add(listener);
  }

  @Override
  public void accept(Exchange exchange) {
    if (exchange.accountId() == null) {
      return;
    }
    offered.incrementAndGet();
    if (!queue.offer(exchange)) {
      offered.decrementAndGet();
      skipped.incrementAndGet();
    }
  }

  /** The account's latest risk, or {@link RiskScore#NONE}. */
  public RiskScore risk(String accountId) {
    return risks.getOrDefault(accountId, RiskScore.NONE);
  }

  /**
   * An analyst set the account's status: detection continues from that level and may not go above it on its own
   * (until the analyst raises or clears the cap with another decision).
   */
  public void analystDecision(String accountId, AccountStatus status) {
    RiskLevel level = levelOf(status);
    analystCeilings.put(accountId, level);
    RiskLevel automatic = automaticLevels.get(accountId);
    if (automatic != null && level.compareTo(automatic) < 0) {
      automaticLevels.remove(accountId);
      reverts.incrementAndGet();
      observer.reverted(automatic, level);
    }
    offered.incrementAndGet();
    try {
      queue.put(new Ruling(accountId, level)); // rare, and must not be lost
      LockSupport.unpark(worker);
    } catch (InterruptedException e) {
      offered.decrementAndGet();
      Thread.currentThread().interrupt();
    }
  }

  public long processed() {
    return processed.get();
  }

  public long skipped() {
    return skipped.get();
  }

  /** Exchanges a detector threw on (must stay 0). */
  public long failures() {
    return failures.get();
  }

  public long escalations() {
    return escalations.get();
  }

  public int backlog() {
    return queue.size();
  }

  /** Mean time from the exchange's arrival at the gateway to its verdict in the enforcement cache, microseconds. */
  public double meanPropagationMicros() {
    long n = escalations.get();
    return n == 0 ? 0 : (double) propagationMicrosTotal.get() / n;
  }

  /**
   * Waits until everything offered so far has been processed (tests and orderly shutdown), the expensive tier's
   * prompts and the findings they led to included.
   */
  public boolean drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    LockSupport.unpark(worker);
    boolean ok = Await.until(() -> done.get() >= offered.get(), timeout, 1);
    ExpensiveWorker x = expensive;
    if (x != null) {
      ok &= x.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      LockSupport.unpark(worker);
      ok &= Await.until(() -> done.get() >= offered.get(),
          Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), 1);
    }
    return ok;
  }

  @Override
  public void close() {
    // The cheap tier's queue only: prompts still waiting for the expensive tier are not worth holding up shutdown.
    LockSupport.unpark(worker);
    Await.until(() -> done.get() >= offered.get(), Duration.ofSeconds(10), 1);
    ExpensiveWorker x = expensive;
    if (x != null) {
      x.close();
    }
    running = false;
    LockSupport.unpark(worker);
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An analyst's ruling, queued so it is ordered with the exchanges around it. */
  private record Ruling(String accountId, RiskLevel level) {}

  /** What the expensive tier found about an account, back on the detection thread. */
  private record Findings(String accountId, java.time.Instant at, List<ExpensiveTier.Finding> findings) {}

  /**
   * Drains the queue in batches. The thread sleeps between batches instead of waiting on the queue, so a request
   * never pays for waking it (on a small machine that context switch cost more latency than detection itself); an
   * exchange waits at most {@link #BATCH_WAIT_NANOS} before it is scored, far inside the one second verdicts have.
   */
  private void run() {
    List<Object> batch = new ArrayList<>(BATCH);
    while (running) {
      if (queue.isEmpty()) {
        LockSupport.parkNanos(this, BATCH_WAIT_NANOS);
      }
      queue.drainTo(batch, BATCH);
      for (Object item : batch) {
        process(item);
      }
      batch.clear();
    }
  }

  private void process(Object item) {
    try {
      if (item instanceof Ruling r) {
        engine.override(r.accountId(), r.level());
      } else if (item instanceof Findings f) {
        for (ExpensiveTier.Finding x : f.findings()) {
          Verdict v = engine.external(f.accountId(), f.at(), x.signal(), x.weight());
          if (v != null) {
            apply(v);
          }
        }
        publish(f.accountId(), f.at(), engine.risk(f.accountId()));
      } else {
        Exchange e = (Exchange) item;
        Verdict v = engine.accept(e);
        processed.incrementAndGet();
        if (v != null) {
          publish(e.accountId(), e.eventTime(), v.risk());
          observer.scored(v.risk().score());
          apply(v);
        } else {
          refreshRisk(e.accountId(), e.eventTime());
        }
        ExpensiveWorker x = expensive;
        if (x != null && expensiveSettings.wants(e, engine.level(e.accountId()))) {
          x.offer(new ExpensiveWorker.Job(e.accountId(), e.eventTime(), ExpensiveTier.promptOf(e)));
        }
      }
    } catch (RuntimeException | LinkageError | AssertionError ex) {
      // A broken detector must not silently end detection for everyone: log, count, carry on.
      failures.incrementAndGet();
      LOG.error("detection failed", ex);
    } finally {
      done.incrementAndGet();
    }
  }

  /**
   * Explanations cost more than scores, so the readable risk of an account is rebuilt only when its score moved
   * noticeably since the last snapshot.
   */
  private void refreshRisk(String accountId, java.time.Instant at) {
    double score = engine.score(accountId);
    observer.scored(score);
    RiskScore shown = risks.get(accountId);
    if (shown == null || Math.abs(shown.score() - score) >= RISK_REFRESH_DELTA) {
      publish(accountId, at, engine.risk(accountId));
    }
  }

  private void publish(String accountId, java.time.Instant at, RiskScore risk) {
    risks.put(accountId, risk);
    for (RiskListener l : riskListeners) {
      try {
        l.risk(accountId, at, risk);
      } catch (RuntimeException ex) {
        LOG.error("risk listener failed for account {}", accountId, ex);
      }
    }
  }

  private void apply(Verdict v) {
    RiskLevel ceiling = analystCeilings.get(v.accountId());
    if (ceiling != null && v.level().compareTo(ceiling) > 0) {
      return; // an analyst has ruled on this account; detection keeps scoring but does not act above the ruling
    }
    AccountStatus current = enforcement.statusOf(v.accountId());
    AccountStatus target = v.level().status();
    if (target.compareTo(current) <= 0) {
      return; // already at least as restricted (e.g. by an analyst)
    }
    enforcement.set(v.accountId(), target);
    automaticLevels.put(v.accountId(), v.level());
    escalations.incrementAndGet();
    long micros = Duration.between(v.at(), java.time.Instant.now()).toNanos() / 1_000;
    if (micros >= 0 && micros < 3_600_000_000L) {
      propagationMicrosTotal.addAndGet(micros);
    } else {
      micros = -1; // replayed traffic carries its own clock: no meaningful delay
    }
    observer.escalated(v.level(), micros);
    for (Consumer<Verdict> l : listeners) {
      try {
        l.accept(v);
      } catch (RuntimeException ex) {
        LOG.error("verdict listener failed for account {}", v.accountId(), ex);
      }
    }
  }

  /** Top reasons as audit details: signal → "value (contribution): explanation". */
  public static Map<String, String> details(Verdict v) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("from", v.previous().status().wireName());
    d.put("to", v.level().status().wireName());
    d.put("score", String.format("%.3f", v.risk().score()));
    d.put("evidence", Long.toString(v.risk().evidence()));
    d.put("source", "detection");
    putReasons(d, v.risk().reasons());
    return d;
  }

  /** Puts the first four reasons into audit details as {@code reason.1 ... reason.4}, largest first. */
  public static void putReasons(Map<String, String> d, List<Reason> reasons) {
    for (int i = 0; i < Math.min(4, reasons.size()); i++) {
      Reason r = reasons.get(i);
      d.put("reason." + (i + 1), r.signal() + " " + String.format("%.2f", r.value()) + " (+"
          + String.format("%.2f", r.contribution()) + "): " + r.explanation());
    }
  }

  private static RiskLevel levelOf(AccountStatus s) {
    for (RiskLevel l : RiskLevel.values()) {
      if (l.status() == s) {
        return l;
      }
    }
    return RiskLevel.NONE;
  }

}
