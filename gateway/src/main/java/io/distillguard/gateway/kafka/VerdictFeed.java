package io.distillguard.gateway.kafka;

import io.distillguard.core.AccountStatus;
import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.core.wire.WireFormatException;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link EnforcementCache} in step with the compacted verdict topic. Every node reads every
 * partition from the beginning ({@link CompactedTopicReader}), so a node that starts later ends with the current
 * status of every account that has one; afterwards it applies new verdicts as they come.
 *
 * <p>Records are keyed by account id (see {@link VerdictEvent}). Three producers write them: the job's detection and
 * its linkage, each versioning its own verdicts per account, and analysts (through any node). The node enforces, as a
 * single node does, the higher of the account's detection and linkage levels (neither source knows the other's: the
 * account's own later escalation to watch must not lift its cluster's block), unless an analyst ruled later: a ruling
 * replaces both (it may lower the status), and only verdicts versioned after it raise the account again. A record is
 * applied only when its version is above the last one applied from its source (and above the last ruling), so a
 * re-sent or replayed older verdict never undoes a newer one. A tombstone (null value) returns the account to
 * active and forgets it.
 *
 * <p>A record that cannot be read (not a verdict, another schema version, a key that does not match its account) is
 * counted, logged without its content, and skipped.
 */
public final class VerdictFeed extends CompactedTopicReader {
  private static final Logger LOG = LoggerFactory.getLogger(VerdictFeed.class);

  private final EnforcementCache enforcement;
  private final Map<String, Known> known = new ConcurrentHashMap<>();
  private final List<Consumer<VerdictEvent>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong tombstones = new AtomicLong();

  /**
   * @param consumerProperties further consumer settings (security, ...); they cannot change the deserializers, the
   *     isolation level or the absence of a consumer group
   */
  public VerdictFeed(String bootstrapServers, String topic, EnforcementCache enforcement,
      Map<String, String> consumerProperties) {
    super(bootstrapServers, topic, "verdict feed", "distillguard-verdicts", consumerProperties, null);
    this.enforcement = enforcement;
  }

  /** Starts reading; returns at once. */
  public VerdictFeed start() {
    startReading();
    return this;
  }

  /** Called on the feed's thread for every verdict applied (after the cache has it). */
  public void addListener(Consumer<VerdictEvent> listener) {
    listeners.add(listener);
  }

  /**
   * What the topic says of one account: each source's last status and version. Written by the feed's thread only;
   * {@link #version} is read by others (analyst overrides are versioned after it).
   */
  private static final class Known {
    volatile long version;
    long analystVersion;
    AccountStatus analyst;
    long detectionVersion;
    AccountStatus detection;
    long linkageVersion;
    AccountStatus linkage;

    /** Applies a verdict; false when it is not newer than what its source (or a later ruling) said. */
    boolean apply(VerdictEvent v) {
      long n = v.version();
      switch (v.source()) {
        case ANALYST -> {
          if (n <= analystVersion) {
            return false;
          }
          analyst = v.status();
          analystVersion = n;
          detection = null; // decided before the ruling, which replaces them
          linkage = null;
        }
        case LINKAGE -> {
          if (n <= linkageVersion || n <= analystVersion) {
            return false;
          }
          linkage = v.status();
          linkageVersion = n;
        }
        default -> {
          if (n <= detectionVersion || n <= analystVersion) {
            return false;
          }
          detection = v.status();
          detectionVersion = n;
        }
      }
      version = Math.max(version, n);
      return true;
    }

    AccountStatus status() {
      AccountStatus s = AccountStatus.ACTIVE;
      for (AccountStatus x : new AccountStatus[] {analyst, detection, linkage}) {
        if (x != null && x.compareTo(s) > 0) {
          s = x;
        }
      }
      return s;
    }
  }

  /** Registers the feed's meters. */
  public VerdictFeed bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder("distillguard.kafka.verdicts.applied", applied, AtomicLong::get)
        .description("Verdicts from the verdict topic applied to the enforcement cache").register(registry);
    FunctionCounter.builder("distillguard.kafka.verdicts.stale", stale, AtomicLong::get)
        .description("Verdicts ignored because a newer version for the account was already applied")
        .register(registry);
    FunctionCounter.builder("distillguard.kafka.verdicts.malformed", malformed, AtomicLong::get)
        .description("Verdict records that could not be read and were skipped").register(registry);
    Gauge.builder("distillguard.kafka.verdicts.caught.up", this, f -> f.caughtUp() ? 1 : 0)
        .description("1 once the feed has read the verdict topic up to where it ended when the node started")
        .register(registry);
    return this;
  }

  public long applied() {
    return applied.get();
  }

  public long stale() {
    return stale.get();
  }

  public long malformed() {
    return malformed.get();
  }

  public long tombstones() {
    return tombstones.get();
  }

  @Override
  void onCaughtUp() {
    LOG.info("verdict feed caught up with {} ({} verdicts applied)", topic(), applied.get());
  }

  /** Applies one record; never throws for a bad record. */
  @Override
  void apply(ConsumerRecord<byte[], byte[]> r) {
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    if (r.key() == null) {
      malformed(where, "record has no key (the account id)");
      return;
    }
    String account = new String(r.key(), StandardCharsets.UTF_8);
    if (r.value() == null) {
      tombstones.incrementAndGet();
      known.remove(account);
      enforcement.set(account, AccountStatus.ACTIVE);
      return;
    }
    VerdictEvent v;
    try {
      v = VerdictCodec.decode(r.value());
    } catch (WireFormatException e) {
      malformed(where, e.getMessage());
      return;
    }
    if (!v.accountId().equals(account)) {
      malformed(where, "record key does not match the verdict's accountId");
      return;
    }
    Known k = known.computeIfAbsent(account, a -> new Known());
    if (!k.apply(v)) {
      stale.incrementAndGet();
      return;
    }
    enforcement.set(account, k.status());
    applied.incrementAndGet();
    for (Consumer<VerdictEvent> l : listeners) {
      try {
        l.accept(v);
      } catch (RuntimeException e) {
        LOG.error("verdict listener failed at {}", where, e);
      }
    }
  }

  private void malformed(String where, String why) {
    malformed.incrementAndGet();
    // the message of a WireFormatException never quotes the record, and neither does this line
    LOG.warn("verdict feed: skipping unreadable record {}: {}", where, why);
  }

  /** The last version applied for an account, or 0. */
  public long versionOf(String accountId) {
    Known k = known.get(accountId);
    return k == null ? 0 : k.version;
  }
}
