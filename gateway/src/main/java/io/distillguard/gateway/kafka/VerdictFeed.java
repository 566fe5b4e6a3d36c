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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link EnforcementCache} in step with the compacted verdict topic. Every node reads every
 * partition from the beginning (no consumer group, no committed offsets), so a node that starts later ends with the
 * current status of every account that has one; afterwards it applies new verdicts as they come.
 *
 * <p>Records are keyed by account id (see {@link VerdictEvent}); a record is applied only when its version is above
 * the last one applied for its account, so a re-sent or replayed older verdict never undoes a newer one. A
 * tombstone (null value) returns the account to active. Only committed records are read
 * ({@code isolation.level=read_committed}: the detection job writes in transactions).
 *
 * <p>Runs on its own thread. A broker outage only pauses it (the consumer reconnects); a record that cannot be read
 * (not a verdict, another schema version, a key that does not match its account) is counted, logged without its
 * content, and skipped; nothing stops the feed but {@link #close()}.
 */
public final class VerdictFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VerdictFeed.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);

  private final String topic;
  private final EnforcementCache enforcement;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Long> versions = new ConcurrentHashMap<>();
  private final List<Consumer<VerdictEvent>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong tombstones = new AtomicLong();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String lastError;
  private Map<TopicPartition, Long> startEnds;

  /**
   * @param consumerProperties further consumer settings (security, ...); they cannot change the deserializers, the
   *     isolation level or the absence of a consumer group
   */
  public VerdictFeed(String bootstrapServers, String topic, EnforcementCache enforcement,
      Map<String, String> consumerProperties) {
    this.topic = topic;
    this.enforcement = enforcement;
    Map<String, Object> c = new HashMap<>(consumerProperties);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "distillguard-verdicts");
    c.putIfAbsent(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    c.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // a consumer must never create the verdict topic: auto-created, it would not be compacted
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "verdict-feed");
    thread.setDaemon(true);
  }

  /** Starts reading; returns at once. */
  public VerdictFeed start() {
    thread.start();
    return this;
  }

  /** Called on the feed's thread for every verdict applied (after the cache has it). */
  public void addListener(Consumer<VerdictEvent> listener) {
    listeners.add(listener);
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

  /** True once every record that was in the topic when the feed started has been read. */
  public boolean caughtUp() {
    return caughtUp.getCount() == 0;
  }

  /** Waits until {@link #caughtUp()}; true when it happened within the timeout. */
  public boolean awaitCaughtUp(Duration timeout) {
    try {
      return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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

  /** The last error the consumer reported, or null. */
  public String lastError() {
    return lastError;
  }

  public String topic() {
    return topic;
  }

  private void run() {
    long nextPartitionCheck = 0;
    long backoffMs = 200;
    while (running) {
      try {
        if (System.nanoTime() >= nextPartitionCheck) {
          if (!assignPartitions()) {
            sleep(backoffMs);
            backoffMs = Math.min(5_000, backoffMs * 2);
            continue;
          }
          nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          apply(r);
        }
        checkCaughtUp();
        backoffMs = 200;
      } catch (WakeupException e) {
        // close() woke the consumer: the loop ends
      } catch (RuntimeException e) {
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warn("verdict feed: reading {} failed ({}); retrying", topic, lastError);
        sleep(backoffMs);
        backoffMs = Math.min(5_000, backoffMs * 2);
      }
    }
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
  }

  /**
   * Assigns every partition of the topic (new ones from their beginning) and, the first time, notes where each
   * ended. False when the topic's partitions are not known yet (broker away or topic missing).
   */
  private boolean assignPartitions() {
    List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      lastError = "topic " + topic + " not found";
      return false;
    }
    Set<TopicPartition> current = consumer.assignment();
    Set<TopicPartition> all = new java.util.HashSet<>();
    for (PartitionInfo i : infos) {
      all.add(new TopicPartition(topic, i.partition()));
    }
    if (!all.equals(current)) {
      Set<TopicPartition> added = new java.util.HashSet<>(all);
      added.removeAll(current);
      consumer.assign(all);
      consumer.seekToBeginning(added);
      LOG.info("verdict feed reading {} partitions of {}", all.size(), topic);
    }
    if (startEnds == null) {
      startEnds = consumer.endOffsets(all);
    }
    lastError = null;
    return true;
  }

  private void checkCaughtUp() {
    if (caughtUp() || startEnds == null) {
      return;
    }
    for (Map.Entry<TopicPartition, Long> e : startEnds.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return;
      }
    }
    LOG.info("verdict feed caught up with {} ({} verdicts applied)", topic, applied.get());
    caughtUp.countDown();
  }

  /** Applies one record; never throws for a bad record. */
  void apply(ConsumerRecord<byte[], byte[]> r) {
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    if (r.key() == null) {
      malformed(where, "record has no key (the account id)");
      return;
    }
    String account = new String(r.key(), StandardCharsets.UTF_8);
    if (r.value() == null) {
      tombstones.incrementAndGet();
      versions.remove(account);
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
    Long last = versions.get(account);
    if (last != null && v.version() <= last) {
      stale.incrementAndGet();
      return;
    }
    versions.put(account, v.version());
    enforcement.set(account, v.status());
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
    return versions.getOrDefault(accountId, 0L);
  }

  @Override
  public void close() {
    running = false;
    if (!thread.isAlive()) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
      return;
    }
    ConsumerThreads.stop(consumer, thread);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
