package io.distillguard.gateway.kafka;

import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.gateway.linkage.TieSource;
import io.distillguard.linkage.ClusterTies;
import io.distillguard.linkage.TiesSnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node in remote mode checks new accounts against before answering them: the latest cluster-ties snapshot
 * ({@link TiesSnapshot}) the detection job's linkage sent to the compacted ties topic after a recomputation. A node
 * in remote mode runs no linkage, so without it a blocked campaign's new accounts would be answered until the job's
 * verdict for them arrived.
 *
 * <p>The topic has one partition and one key; the feed reads it from the beginning and keeps the last snapshot that
 * decodes (the job writes them in order, in transactions). A record that does not decode (another format, damaged)
 * is counted, logged without its content, and skipped: the node goes on with the snapshot it had. A tombstone
 * (null value) clears it.
 *
 * <p>Accounts already in a cluster are not checked (as with local linkage): the feed learns them from the linkage
 * verdicts the {@link VerdictFeed} applies ({@link #onVerdict}). Accounts in a cluster no one acts on send no
 * verdict, so they are checked; a tie needs keys of acted-on clusters, which such accounts rarely hold.
 */
public final class TiesFeed extends CompactedTopicReader implements TieSource {
  private static final Logger LOG = LoggerFactory.getLogger(TiesFeed.class);
  /** The largest record the feed fetches: the job's sink sends at most this (plus headroom). */
  static final int MAX_FETCH_BYTES = (16 << 20) + (1 << 16);

  private volatile TiesSnapshot latest = new TiesSnapshot(Long.MIN_VALUE, ClusterTies.EMPTY);
  private final Map<String, String> clusterOf = new ConcurrentHashMap<>();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong tied = new AtomicLong();

  public TiesFeed(String bootstrapServers, String topic, Map<String, String> consumerProperties) {
    super(bootstrapServers, topic, "ties feed", "distillguard-ties", consumerProperties, MAX_FETCH_BYTES);
  }

  /** Starts reading; returns at once. */
  public TiesFeed start() {
    startReading();
    return this;
  }

  /** Registers the feed's meters (the request-path check's are {@code GatewayMetrics.bindTies}). */
  public TiesFeed bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder("distillguard.kafka.ties.applied", applied, AtomicLong::get)
        .description("Cluster-ties snapshots read from the ties topic and used").register(registry);
    FunctionCounter.builder("distillguard.kafka.ties.malformed", malformed, AtomicLong::get)
        .description("Ties records that could not be read and were skipped").register(registry);
    Gauge.builder("distillguard.kafka.ties.built.at", this, f -> Math.max(0, f.latest.builtAtMillis()) / 1000.0)
        .baseUnit("seconds").description("Event time (epoch seconds) the snapshot in use was built at; 0 for none")
        .register(registry);
    return this;
  }

  /** Notes the cluster of an account a linkage verdict puts in one (a {@link VerdictFeed} listener). */
  public void onVerdict(VerdictEvent v) {
    if (v.source() == VerdictEvent.Source.LINKAGE && v.clusterId() != null) {
      clusterOf.put(v.accountId(), v.clusterId());
    }
  }

  @Override
  public ClusterTies ties() {
    return latest.ties();
  }

  /** The snapshot in use ({@code builtAtMillis} {@link Long#MIN_VALUE} before the first). */
  public TiesSnapshot snapshot() {
    return latest;
  }

  @Override
  public String clusterOf(String accountId) {
    return clusterOf.get(accountId);
  }

  @Override
  public void tiedOnRequest() {
    tied.incrementAndGet();
  }

  @Override
  public long tiedOnRequestCount() {
    return tied.get();
  }

  public long applied() {
    return applied.get();
  }

  public long malformed() {
    return malformed.get();
  }

  @Override
  void apply(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      latest = new TiesSnapshot(Long.MIN_VALUE, ClusterTies.EMPTY);
      applied.incrementAndGet();
      return;
    }
    try {
      latest = TiesSnapshot.decode(r.value());
      applied.incrementAndGet();
    } catch (IOException e) {
      malformed.incrementAndGet();
      // the decoder's messages never quote the record, and neither does this line
      LOG.warn("ties feed: skipping unreadable record {}-{}@{}: {}; keeping the snapshot in use", r.topic(),
          r.partition(), r.offset(), e.getMessage());
    }
  }

  @Override
  void onCaughtUp() {
    LOG.info("ties feed caught up with {} ({} tying keys)", topic(), ties().size());
  }
}
