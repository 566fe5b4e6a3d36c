package io.distillguard.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.distillguard.core.Account;
import io.distillguard.core.ApiKey;
import io.distillguard.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's {@link AccountDirectory} in step with a store that other gateway nodes write too (the scale-out
 * topology, where every node shares one PostgreSQL). Two gaps would otherwise open between nodes:
 *
 * <ul>
 *   <li>a key issued on another node is unknown here: {@link #load} fetches an unknown key id and its account from
 *       the store, off the event loop, once; ids the store does not know are remembered as absent for
 *       {@code negativeTtl}, so a client probing random key ids costs the store one query per id and interval, not
 *       one per request;
 *   <li>a key revoked on another node would stay usable here: every {@code interval} the keys revoked since the last
 *       scan (with an overlap for clocks and commit order) are read and put in the directory.
 * </ul>
 *
 * <p>Account statuses do not travel this way: they reach every node's enforcement cache through the verdict topic.
 */
public final class SharedDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedDirectory.class);
  /** Revocations are looked up from this far before the last scan: commits land out of order across nodes. */
  static final Duration OVERLAP = Duration.ofSeconds(30);

  private final Store store;
  private final AccountDirectory directory;
  private final Clock clock;
  private final Cache<String, Boolean> absent;
  private final ScheduledExecutorService worker;
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile Instant scannedUntil;

  public SharedDirectory(Store store, AccountDirectory directory, Clock clock, Duration interval,
      Duration negativeTtl) {
    this.store = store;
    this.directory = directory;
    this.clock = clock;
    this.absent = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(negativeTtl).build();
    this.scannedUntil = clock.instant();
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "directory-sync");
      t.setDaemon(true);
      return t;
    });
    long ms = Math.max(1, interval.toMillis());
    worker.scheduleWithFixedDelay(this::scanRevocations, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Looks a key id this node does not know up in the store, on the sync thread.
   *
   * @return the key (now also in the directory, with its account), or empty when the store has no such key
   */
  public CompletableFuture<Optional<ApiKey>> load(String keyId) {
    if (absent.getIfPresent(keyId) != null) {
      misses.incrementAndGet();
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.supplyAsync(() -> {
      Optional<ApiKey> key = store.keys().find(keyId);
      if (key.isEmpty()) {
        absent.put(keyId, Boolean.TRUE);
        misses.incrementAndGet();
        return key;
      }
      Optional<Account> account = store.accounts().find(key.get().accountId());
      if (account.isEmpty()) {
        absent.put(keyId, Boolean.TRUE);
        misses.incrementAndGet();
        return Optional.<ApiKey>empty();
      }
      // Account first: a request that finds the key must find its account.
      directory.put(account.get());
      directory.put(key.get());
      loads.incrementAndGet();
      return key;
    }, worker).exceptionally(e -> {
      failures.incrementAndGet();
      LOG.warn("could not look up an unknown key in the shared store: {}", e.toString());
      return Optional.empty();
    });
  }

  /** Puts keys revoked elsewhere since the last scan into the directory. Runs on the sync thread. */
  void scanRevocations() {
    Instant now = clock.instant();
    try {
      for (ApiKey k : store.keys().revokedSince(scannedUntil.minus(OVERLAP))) {
        if (directory.key(k.keyId()) != null) {
          directory.put(k);
        }
      }
      scannedUntil = now;
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.warn("could not read revocations from the shared store (retrying): {}", e.toString());
    }
  }

  /** Keys found in the store that this node had not seen. */
  public long loads() {
    return loads.get();
  }

  /** Lookups of key ids the store does not know (including those answered from the negative cache). */
  public long misses() {
    return misses.get();
  }

  /** Store errors while loading or scanning. */
  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
