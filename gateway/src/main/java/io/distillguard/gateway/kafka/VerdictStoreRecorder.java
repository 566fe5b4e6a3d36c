package io.distillguard.gateway.kafka;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.Alert;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.core.wire.WireFormatException;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.detection.DetectionService;
import io.distillguard.store.Store;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the detection job's verdicts durable and explainable in the shared store, as {@code VerdictRecorder} does
 * for in-process detection: the account's status, an audit entry with the score and reasons, and an entry in the
 * alerts feed — so the admin API, the dashboard and case files show what the cluster decided.
 *
 * <p>Every node runs one, in one consumer group ({@code <client>-verdict-recorder}): Kafka gives each partition of
 * the verdict topic to exactly one live node, and moves it when a node dies. Offsets are committed after the store
 * has the batch, so a crash between the two records a verdict twice (one more alert row), never zero times.
 * Analysts' rulings are skipped: the node that took one recorded and audited it already. A store failure stops
 * the batch, which is read again from the last committed offset after a pause.
 */
public final class VerdictStoreRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VerdictStoreRecorder.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration RETRY = Duration.ofSeconds(1);
  /** Reasons kept with an alert, as in process. */
  static final int TOP_REASONS = 4;

  private final Store store;
  private final AccountDirectory directory;
  private final Clock clock;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean running = true;

  public VerdictStoreRecorder(String bootstrapServers, String topic, String groupId, Store store,
      AccountDirectory directory, Clock clock, Map<String, String> consumerProperties) {
    this.store = store;
    this.directory = directory;
    this.clock = clock;
    Map<String, Object> c = new HashMap<>(consumerProperties);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "distillguard-verdict-recorder");
    c.putIfAbsent(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    this.thread = new Thread(this::run, "verdict-recorder");
    thread.setDaemon(true);
  }

  public VerdictStoreRecorder start() {
    thread.start();
    return this;
  }

  public VerdictStoreRecorder bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder("distillguard.kafka.verdicts.recorded", recorded, AtomicLong::get)
        .description("Verdicts of the detection job this node wrote to the store (status, audit, alert)")
        .register(registry);
    FunctionCounter.builder("distillguard.kafka.verdicts.record.failures", failures, AtomicLong::get)
        .description("Store failures while recording verdicts (the batch is read again)").register(registry);
    return this;
  }

  private void run() {
    while (running) {
      ConsumerRecords<byte[], byte[]> batch;
      try {
        batch = consumer.poll(POLL);
      } catch (WakeupException e) {
        break;
      } catch (RuntimeException e) {
        LOG.warn("verdict recorder: poll failed (retrying): {}", e.toString());
        pause();
        continue;
      }
      if (batch.isEmpty()) {
        continue;
      }
      Map<TopicPartition, OffsetAndMetadata> done = new LinkedHashMap<>();
      try {
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          record(r);
          done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        consumer.commitSync(done);
      } catch (WakeupException e) {
        break;
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        LOG.warn("verdict recorder: recording failed, the batch will be read again: {}", e.toString());
        if (!done.isEmpty()) {
          try {
            consumer.commitSync(done);
          } catch (RuntimeException ignored) {
            // the uncommitted part is read again below either way
          }
        }
        rewind();
        pause();
      }
    }
    consumer.close(Duration.ofSeconds(5));
  }

  /** Records one verdict; throws only when the store fails (so the batch is retried). */
  void record(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null || r.key() == null) {
      skipped.incrementAndGet();
      return;
    }
    VerdictEvent v;
    try {
      v = VerdictCodec.decode(r.value());
    } catch (WireFormatException e) {
      malformed.incrementAndGet(); // VerdictFeed logs these; one line per node is enough
      return;
    }
    if (v.source() == VerdictEvent.Source.ANALYST
        || !v.accountId().equals(new String(r.key(), StandardCharsets.UTF_8))) {
      skipped.incrementAndGet();
      return;
    }
    Optional<Account> before = store.accounts().find(v.accountId());
    if (before.isEmpty()) {
      skipped.incrementAndGet(); // traffic of an account the store no longer has
      return;
    }
    RiskLevel previous = RiskLevel.of(before.get().status());
    RiskLevel level = v.level() != null ? v.level() : RiskLevel.of(v.status());
    Instant now = clock.instant();
    // The job's detection and linkage each know only their own level: an account's own escalation to watch must not
    // lift its cluster's block (nor a detection block an analyst's manual one). The verdict raises, never lowers;
    // one that does not raise is still audited as evidence, without an alert.
    boolean raises = v.status().compareTo(before.get().status()) > 0;
    AccountStatus to = raises ? v.status() : before.get().status();
    if (raises) {
      store.accounts().updateStatus(v.accountId(), to, now).ifPresent(directory::put);
    }
    Map<String, String> details = new LinkedHashMap<>();
    details.put("from", before.get().status().wireName());
    details.put("to", to.wireName());
    if (v.score() != null) {
      details.put("score", String.format(Locale.ROOT, "%.3f", v.score()));
    }
    details.put("evidence", Long.toString(v.evidence()));
    details.put("source", v.source().wireName());
    if (v.clusterId() != null) {
      details.put("cluster", v.clusterId());
    }
    details.put("version", Long.toString(v.version()));
    List<Reason> reasons = v.reasons();
    DetectionService.putReasons(details, reasons);
    AuditEntry audited = store.audit().append(now, v.source() == VerdictEvent.Source.LINKAGE ? "linkage" : "detector",
        "account.status", "account:" + v.accountId(), details);
    if (raises) {
      store.alerts().append(new Alert(0, v.at(), now, v.accountId(), previous, level,
          v.score() == null ? 0 : v.score(), v.evidence(), reasons.subList(0, Math.min(TOP_REASONS, reasons.size())),
          audited.seq()));
    }
    recorded.incrementAndGet();
  }

  private void rewind() {
    try {
      for (TopicPartition tp : consumer.assignment()) {
        OffsetAndMetadata committed = consumer.committed(java.util.Set.of(tp)).get(tp);
        if (committed != null) {
          consumer.seek(tp, committed);
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("verdict recorder: could not rewind to the committed offsets: {}", e.toString());
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  public long recorded() {
    return recorded.get();
  }

  public long failures() {
    return failures.get();
  }

  public long malformed() {
    return malformed.get();
  }

  @Override
  public void close() {
    running = false;
    ConsumerThreads.stop(consumer, thread);
  }
}
