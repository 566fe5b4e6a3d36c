package io.distillguard.gateway.linkage;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.Await;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.detection.DetectionService;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.gateway.log.ExchangeSink;
import io.distillguard.linkage.ClusterTies;
import io.distillguard.linkage.ClusterView;
import io.distillguard.linkage.Edge;
import io.distillguard.linkage.IndicatorBundle;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.store.ClusterRepository;
import io.distillguard.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs cross-account linkage beside the data plane, never on the request path: exchanges are offered to a bounded
 * queue (skipped for linkage when it is full; they are still logged), one linkage thread folds them in and
 * recomputes clusters every {@code interval}, and every action linkage takes (a cluster's level for all its members,
 * an account joining a cluster already at a level) goes into the enforcement cache at once and into the store.
 *
 * <p>Admin calls (cluster details, rulings, indicator export and import) run on the linkage thread too, so the engine
 * is only ever touched by one thread; readers get immutable snapshots.
 *
 * <p>Clusters outlive a restart through the store's {@link ClusterRepository}: after each recomputation the clusters
 * that changed are saved and those no longer found are dissolved; a ruling is saved when it is made. At start the
 * stored clusters are put back into the engine with their ids, members, levels and rulings (see
 * {@link LinkageEngine#restoreCluster}), so the admin API lists them at once and recomputations keep their ids.
 */
public final class LinkageService implements ExchangeSink, TieSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LinkageService.class);
  private static final int RULINGS_SCANNED = 200_000;

  /** A cluster with its evidence, for the admin API. */
  public record Detail(ClusterView cluster, List<Edge> edges) {}

  private final LinkageEngine engine;
  private final EnforcementCache enforcement;
  private final Store store;
  private final AccountDirectory directory;
  private final Clock clock;
  private final long intervalNanos;
  private final BlockingQueue<Object> queue;
  private final AtomicLong offered = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong actions = new AtomicLong();
  private final AtomicLong recomputations = new AtomicLong();
  private final Thread worker;
  /** The longest an exchange waits for the linkage thread to pick it up. */
  private static final long BATCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int BATCH = 512;
  private volatile boolean running = true;
  private volatile List<ClusterView> snapshot = List.of();
  private volatile Map<String, ClusterView> byId = Map.of();
  private volatile ClusterTies ties = ClusterTies.EMPTY;
  private final AtomicLong tiedOnRequest = new AtomicLong();
  private final Map<String, String> clusterOf = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile DetectionService detection;
  private final List<java.util.function.Consumer<LinkageAction>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private Instant latestEvent;
  private long nextRecompute;
  /** The store's clusters, or null when the store keeps none (then rulings come back from the audit log). */
  private final ClusterRepository stored;
  /** What was last saved of each cluster, so a recomputation writes only what changed. */
  private final Map<String, Saved> saved = new HashMap<>();

  /** The part of a cluster that is stored, to tell whether it changed. */
  private record Saved(List<String> members, RiskLevel level, long scoreMillis) {
    static Saved of(ClusterView v) {
      return new Saved(v.members(), v.level(), Math.round(v.risk().score() * 1000));
    }
  }

  /** Work for the linkage thread. */
  private record Task(Runnable run) {}

  public LinkageService(LinkageEngine engine, EnforcementCache enforcement, Store store, AccountDirectory directory,
      Clock clock, Duration interval, int queueCapacity) {
    this.engine = engine;
    this.enforcement = enforcement;
    this.store = store;
    this.directory = directory;
    this.clock = clock;
    this.intervalNanos = interval.toNanos();
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.nextRecompute = System.nanoTime() + intervalNanos;
    this.stored = clusterRepository(store);
    this.worker = new Thread(this::run, "linkage");
    worker.setDaemon(true);
    worker.start();
    submit(() -> {
      if (!restoreClusters()) {
        restoreRulings();
      }
      return null;
    });
  }

  private static ClusterRepository clusterRepository(Store store) {
    try {
      return store.clusters();
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  /**
   * Puts the stored clusters back into the engine (live ones with members and level, dissolved ones' rulings) and
   * publishes them.
   *
   * @return false when the store has no clusters at all (a store from before the clusters table), so the caller
   *     falls back to the audit log for rulings
   */
  private boolean restoreClusters() {
    if (stored == null) {
      return false;
    }
    try {
      List<ClusterRepository.StoredCluster> live = stored.active();
      List<ClusterRepository.StoredCluster> ruled = stored.ruled();
      if (live.isEmpty() && ruled.isEmpty()) {
        return false;
      }
      for (ClusterRepository.StoredCluster k : live) {
        engine.restoreCluster(k.id(), k.members(), k.firstSeen(), k.level(), k.score(), k.ruling());
      }
      for (ClusterRepository.StoredCluster k : ruled) {
        engine.restoreRuling(k.id(), k.ruling());
      }
      publish();
      for (ClusterView v : snapshot) {
        saved.put(v.id(), Saved.of(v));
      }
      LOG.info("linkage restored {} clusters ({} with rulings) from the store", live.size(), ruled.size());
      return true;
    } catch (RuntimeException e) {
      LOG.error("linkage could not restore clusters from the store", e);
      return true;
    }
  }

  /**
   * Saves the clusters that changed since the last save and dissolves those that are gone. A failure is logged and
   * retried with the next recomputation (what was not saved is still marked unsaved).
   */
  private void persist(Instant at) {
    if (stored == null) {
      return;
    }
    List<ClusterRepository.StoredCluster> changed = new ArrayList<>();
    Map<String, Saved> now = new HashMap<>();
    for (ClusterView v : snapshot) {
      Saved s = Saved.of(v);
      now.put(v.id(), s);
      if (!s.equals(saved.get(v.id()))) {
        changed.add(ClusterRepository.StoredCluster.found(v.id(), v.formedAt(), at, v.members(), v.risk().score(),
            v.level()));
      }
    }
    List<String> gone = new ArrayList<>();
    for (String id : saved.keySet()) {
      if (!now.containsKey(id)) {
        gone.add(id);
      }
    }
    try {
      stored.save(changed);
      stored.dissolve(gone, at);
      saved.clear();
      saved.putAll(now);
    } catch (RuntimeException e) {
      LOG.error("linkage could not save {} changed clusters; retrying after the next recomputation", changed.size(),
          e);
    }
  }

  /**
   * For a store that has no clusters yet (written before the clusters table existed): analysts' rulings come back
   * from the audit log (its latest {@value #RULINGS_SCANNED} entries), the newest {@code cluster.status} entry of each
   * cluster; from then on the clusters table keeps them.
   */
  private void restoreRulings() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    try {
      for (io.distillguard.core.AuditEntry a : store.audit().list(null, RULINGS_SCANNED)) {
        if (!"cluster.status".equals(a.action()) || a.subject() == null || !a.subject().startsWith("cluster:")
            || !seen.add(a.subject())) {
          continue;
        }
        String to = a.details().get("to");
        try {
          engine.restoreRuling(a.subject().substring("cluster:".length()), RiskLevel.of(AccountStatus.parse(to)));
        } catch (IllegalArgumentException e) {
          LOG.warn("audit entry {} names no status: {}", a.seq(), to);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("linkage could not restore cluster rulings from the audit log", e);
    }
  }

  /**
   * Called for every action that raised an account's status, after the enforcement cache has it (on the linkage
   * thread; keep it short).
   */
  public void addListener(java.util.function.Consumer<LinkageAction> listener) {
    listeners.add(listener);
  }

  /** Lets analysts' cluster rulings cap per-account detection too (as an account ruling does). */
  public void detection(DetectionService d) {
    this.detection = d;
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

  /** Tells linkage an account's sign-up attributes (at start, and when the admin API creates one). */
  public void account(Account a) {
    submit(() -> {
      apply(engine.account(a.id(), a.attributes(), a.createdAt()));
      return null;
    });
  }

  /** The cluster of an account, or null (as of the last recomputation or join). */
  @Override
  public String clusterOf(String accountId) {
    return clusterOf.get(accountId);
  }

  /**
   * The keys that tie a young account to an acted-on cluster, for the request path ({@code ClusterTieStage}): as of
   * the last recomputation, ruling or restore.
   */
  @Override
  public ClusterTies ties() {
    return ties;
  }

  /** Counts a request given an acted-on cluster's level by the request-path check. */
  @Override
  public void tiedOnRequest() {
    tiedOnRequest.incrementAndGet();
  }

  /** Requests given an acted-on cluster's level by the request-path check, since start. */
  @Override
  public long tiedOnRequestCount() {
    return tiedOnRequest.get();
  }

  /** Every cluster as of the last recomputation. */
  public List<ClusterView> clusters() {
    return snapshot;
  }

  /** A cluster with up to {@code edges} evidence edges, or null for an unknown id. */
  public CompletableFuture<Detail> detail(String id, int edges) {
    return submit(() -> {
      ClusterView v = engine.cluster(id);
      return v == null ? null : new Detail(v, engine.edges(id, edges));
    });
  }

  /**
   * An analyst's ruling on a whole cluster: every member is set to {@code status} now (in the store, the enforcement
   * cache and per-account detection's ceiling), and detection never raises the cluster above it; accounts that join
   * later get it too.
   *
   * @return the cluster after the ruling, or null for an unknown id
   */
  public CompletableFuture<ClusterView> rule(String id, AccountStatus status, String reason, String actor) {
    return submit(() -> {
      if (engine.cluster(id) == null) {
        return null;
      }
      RiskLevel level = RiskLevel.of(status);
      List<LinkageAction> members = engine.rule(id, level, clock.instant());
      Instant now = clock.instant();
      for (LinkageAction a : members) {
        setStatus(a.accountId(), status, now);
        DetectionService d = detection;
        if (d != null) {
          d.analystDecision(a.accountId(), status);
        }
      }
      Map<String, String> details = new LinkedHashMap<>();
      details.put("to", status.wireName());
      details.put("members", Integer.toString(members.size()));
      details.put("reason", reason);
      details.put("source", "manual");
      store.audit().append(now, actor, "cluster.status", "cluster:" + id, details);
      publish();
      saveRuling(id, level, now, actor);
      return engine.cluster(id);
    });
  }

  /** Stores a ruling at once (the cluster row is written first when the last save has not got it yet). */
  private void saveRuling(String id, RiskLevel level, Instant now, String actor) {
    if (stored == null) {
      return;
    }
    try {
      ClusterView v = engine.cluster(id);
      Instant at = latestEvent != null ? latestEvent : now;
      stored.save(List.of(ClusterRepository.StoredCluster.found(id, v.formedAt(), at, v.members(),
          v.risk().score(), v.level())));
      saved.put(id, Saved.of(v));
      stored.rule(id, level, now, actor);
    } catch (RuntimeException e) {
      LOG.error("linkage could not store the ruling on cluster {}; it holds until a restart", id, e);
    }
  }

  /** The cluster's indicator bundle, or null for an unknown id. */
  public CompletableFuture<IndicatorBundle> export(String id) {
    return submit(() -> engine.cluster(id) == null ? null : engine.export(id, clock.instant()));
  }

  /** Imports a bundle; new accounts matching it are pre-scored from then on. */
  public CompletableFuture<Void> importBundle(IndicatorBundle b, String actor) {
    return submit(() -> {
      engine.importIndicators(b);
      store.audit().append(clock.instant(), actor, "indicators.import", "cluster:" + b.clusterId(),
          Map.of("subnets", Integer.toString(b.subnets().size()), "templates",
              Integer.toString(b.templates().size()), "level", b.level()));
      return null;
    });
  }

  /** Imported bundles. */
  public CompletableFuture<List<IndicatorBundle>> imported() {
    return submit(() -> List.copyOf(engine.importedIndicators()));
  }

  /** Recomputes now (tests, the demo); completes when done. */
  public CompletableFuture<Void> recomputeNow() {
    return submit(() -> {
      recompute();
      return null;
    });
  }

  /** Waits until everything offered so far has been processed. */
  public boolean drain(Duration timeout) {
    LockSupport.unpark(worker);
    return Await.until(() -> done.get() >= offered.get(), timeout, 1);
  }

  public long skipped() {
    return skipped.get();
  }

  public long actions() {
    return actions.get();
  }

  public long recomputations() {
    return recomputations.get();
  }

  @Override
  public void close() {
    drain(Duration.ofSeconds(10));
    running = false;
    worker.interrupt();
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <T> CompletableFuture<T> submit(Supplier<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    offered.incrementAndGet();
    try {
      queue.put(new Task(() -> {
        try {
          f.complete(work.get());
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      }));
      LockSupport.unpark(worker); // an admin call: answer it now, not after the next sleep
    } catch (InterruptedException e) {
      offered.decrementAndGet();
      Thread.currentThread().interrupt();
      f.completeExceptionally(e);
    }
    return f;
  }

  /**
   * Drains the queue in batches and sleeps between them instead of waiting on the queue, so a request never pays for
   * waking this thread (on a small machine that wake-up, once per request, showed in the gateway's tail latency); an
   * exchange waits at most {@link #BATCH_WAIT_NANOS} before linkage folds it in, far inside a recomputation interval.
   */
  private void run() {
    List<Object> batch = new ArrayList<>(BATCH);
    while (running) {
      if (queue.isEmpty()) {
        LockSupport.parkNanos(this, Math.max(1, Math.min(BATCH_WAIT_NANOS, nextRecompute - System.nanoTime())));
      }
      queue.drainTo(batch, BATCH);
      for (Object item : batch) {
        try {
          if (item instanceof Task t) {
            t.run().run();
          } else if (item instanceof Exchange e) {
            latestEvent = e.eventTime();
            apply(engine.accept(e));
          }
        } catch (RuntimeException | LinkageError | AssertionError ex) {
          LOG.error("linkage failed", ex);
        } finally {
          done.incrementAndGet();
        }
      }
      batch.clear();
      if (System.nanoTime() >= nextRecompute) {
        try {
          recompute();
        } catch (RuntimeException | LinkageError | AssertionError ex) {
          LOG.error("linkage recomputation failed", ex);
        }
      }
    }
  }

  private void recompute() {
    nextRecompute = System.nanoTime() + intervalNanos;
    // Replayed traffic carries its own clock: clusters form at the time of the traffic being processed (the last
    // exchange's, not the largest seen: live and replayed requests may be mixed), not of the replay.
    Instant at = latestEvent != null ? latestEvent : clock.instant();
    apply(engine.recompute(at));
    recomputations.incrementAndGet();
    publish();
    persist(at);
    LOG.debug("linkage: {}", engine.lastRecomputation());
  }

  private void publish() {
    List<ClusterView> views = engine.clusters();
    Map<String, ClusterView> ids = new HashMap<>();
    Map<String, String> members = new HashMap<>();
    for (ClusterView v : views) {
      ids.put(v.id(), v);
      for (String m : v.members()) {
        members.put(m, v.id());
      }
    }
    clusterOf.keySet().retainAll(members.keySet());
    clusterOf.putAll(members);
    byId = ids;
    snapshot = views;
    ties = engine.ties();
  }

  /** Puts members at their cluster's level (never lowering an account), in the cache at once and in the store. */
  private void apply(List<LinkageAction> list) {
    if (list.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    Map<String, LinkageAction> raised = new LinkedHashMap<>();
    for (LinkageAction a : list) {
      if (a.joined() && !a.clusterId().startsWith("imported:")) {
        clusterOf.put(a.accountId(), a.clusterId());
      }
      AccountStatus target = a.level().status();
      if (target.compareTo(enforcement.statusOf(a.accountId())) <= 0) {
        continue;
      }
      setStatus(a.accountId(), target, now);
      actions.incrementAndGet();
      raised.putIfAbsent(a.clusterId(), a);
      for (java.util.function.Consumer<LinkageAction> l : listeners) {
        try {
          l.accept(a);
        } catch (RuntimeException e) {
          LOG.error("linkage listener failed for account {}", a.accountId(), e);
        }
      }
    }
    for (LinkageAction a : raised.values()) {
      Map<String, String> d = new LinkedHashMap<>();
      d.put("to", a.level().status().wireName());
      d.put("score", String.format("%.3f", a.risk().score()));
      d.put("source", "linkage");
      List<Reason> reasons = new ArrayList<>(a.risk().reasons());
      reasons.sort((x, y) -> Double.compare(y.contribution(), x.contribution()));
      for (int i = 0; i < Math.min(3, reasons.size()); i++) {
        Reason r = reasons.get(i);
        d.put("reason." + (i + 1), r.signal() + " (+" + String.format("%.2f", r.contribution()) + "): "
            + r.explanation());
      }
      try {
        store.audit().append(now, "linkage", a.joined() ? "cluster.join" : "cluster.level",
            a.joined() ? "account:" + a.accountId() : "cluster:" + a.clusterId(), d);
      } catch (RuntimeException e) {
        LOG.error("linkage could not audit an action on {}", a.clusterId(), e);
      }
    }
  }

  private void setStatus(String accountId, AccountStatus status, Instant now) {
    enforcement.set(accountId, status);
    try {
      store.accounts().updateStatus(accountId, status, now).ifPresent(directory::put);
    } catch (RuntimeException e) {
      LOG.error("linkage could not store the status of {}", accountId, e);
    }
  }

  /** A cluster as of the last recomputation, or null. */
  public ClusterView snapshot(String id) {
    return byId.get(id);
  }
}
