package io.distillguard.gateway.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.gateway.log.ExchangeSink;
import io.distillguard.gateway.log.Journal;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every exchange to a Kafka topic, keyed by account id (no key for unauthenticated requests), in the event
 * form of {@link ExchangeCodec#encodeEvent}, with an idempotent producer, {@code acks=all} and compression.
 *
 * <p><b>Never silently dropped.</b> Each exchange is first appended to a local {@link Journal} (the spill: one write
 * into the page cache, as the embedded exchange log does) and only then handed to the producer. A record leaves the
 * spill when Kafka has acknowledged it and every record before it (a checkpoint file remembers how far that is, so
 * a restart does not resend what was acknowledged). When the producer cannot take a record at once (no metadata,
 * buffer full: {@code max.block.ms} is 0 by default, so the event loop never waits) or a send fails (broker
 * unreachable past {@code delivery.timeout.ms}), the sink switches to spilling: new exchanges are only journaled,
 * and a background thread replays the spill in order once Kafka answers again, then switches back to publishing
 * directly. A process that stops with a non-empty spill replays it when it starts again. A record Kafka refuses for
 * good (larger than the broker accepts) is moved to {@code rejected/} beside the spill, counted and logged, so it
 * cannot hold the rest back.
 *
 * <p><b>Loss is not possible; duplicates are rare and allowed.</b> A record whose send failed may still have been
 * written by the broker (its acknowledgement was lost). Before replaying after a failure, or after a restart with
 * records past the checkpoint, the sink reads each partition back from the last offset it knows to hold its own
 * records in order (kept in the checkpoint) and does not resend an exchange it finds there. Sends leave in spill
 * order (under the append lock), so in each partition nothing of this sink's that is unacknowledged can sit below
 * that offset. A duplicate can still happen where the read-back cannot look: a partition added while the sink ran,
 * more than a million records past the offset, a checkpoint that was lost, or a request that reaches the broker
 * only after the read-back. Every consumer therefore dedupes by the exchange id ({@link Exchange#id()}, unique per
 * exchange); the Flink detection job does. Ordering: records of one account reach their partition in the order
 * they were recorded, except that a record whose send failed is re-sent after records sent directly behind it.
 *
 * <p>{@link #accept} runs on the event loop: it encodes, journals and calls the non-blocking {@code send}; it never
 * waits on a future.
 */
public final class KafkaExchangeSink implements ExchangeSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaExchangeSink.class);
  private static final String CHECKPOINT = "published.checkpoint";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(2);
  /** Records read back per partition at most (about a minute of a busy partition). */
  private static final long MAX_READ_BACK = 1_000_000;

  /** What the sink is doing, for health checks. */
  public enum State {
    /** Each exchange goes to Kafka as it is recorded. */
    PUBLISHING,
    /** Kafka is not taking records (or the spill is being replayed): exchanges are journaled only. */
    SPILLING,
    CLOSED;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Settings of the sink.
   *
   * @param producerProperties any further producer settings (security, client id, ...); they override the defaults
   *     except the ones the guarantees rest on (acks, idempotence, serializers)
   */
  public record Options(
      String bootstrapServers, String topic, Path spillDir, boolean redactText, String compression,
      long bufferBytes, Duration maxBlock, Duration deliveryTimeout, Duration requestTimeout, Duration linger,
      long segmentBytes, boolean fsync, Map<String, String> producerProperties) {

    /** Defaults for everything but where to publish and spill. */
    public static Options defaults(String bootstrapServers, String topic, Path spillDir) {
      return new Options(bootstrapServers, topic, spillDir, false, "lz4", 32L << 20, Duration.ZERO,
          Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(5), 16L << 20, false, Map.of());
    }

    public Options withDeliveryTimeout(Duration delivery, Duration request) {
      return new Options(bootstrapServers, topic, spillDir, redactText, compression, bufferBytes, maxBlock,
          delivery, request, linger, segmentBytes, fsync, producerProperties);
    }
  }

  private final Options options;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Journal spill;
  private final Path rejectedDir;
  private Journal rejected;
  private final Path checkpointFile;
  private final Object appendLock = new Object();
  private final Object ackLock = new Object();
  /** Acknowledged records above the watermark: seq to where Kafka put it (null for a record set aside). */
  private final TreeMap<Long, Placed> ackedAhead = new TreeMap<>();
  /** Per partition, the highest offset of a record at or below the watermark: where a read-back starts. */
  private final Map<Integer, Long> confirmed = new HashMap<>();
  private long watermark;
  private volatile long watermarkView;
  private long checkpointed;
  private volatile boolean spilling;
  private final AtomicInteger directInFlight = new AtomicInteger();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong spilled = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong rejectedCount = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong foundInTopic = new AtomicLong();
  /** Set when a send failed (or a spill was left by a previous run): the next replay reads the topic back first. */
  private volatile boolean readBackNeeded;
  private KafkaConsumer<byte[], byte[]> readBack;
  /** Replayer thread only: exchange ids the last read-back found in the topic, with where they are. */
  private Map<String, Placed> inTopic = Map.of();
  /** Replayer thread only: whether every partition has a read-back start in {@link #confirmed}. */
  private boolean baselined;
  private volatile String lastError;
  private volatile boolean running = true;
  private final Thread replayer;

  public KafkaExchangeSink(Options options) {
    this.options = options;
    try {
      Files.createDirectories(options.spillDir());
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the Kafka spill directory " + options.spillDir(), e);
    }
    this.checkpointFile = options.spillDir().resolve(CHECKPOINT);
    this.watermark = readCheckpoint(checkpointFile, confirmed);
    this.watermarkView = watermark;
    this.checkpointed = watermark;
    this.spill = new Journal(options.spillDir(), options.segmentBytes(), options.fsync(), watermark);
    this.rejectedDir = options.spillDir().resolve("rejected");
    this.producer = new KafkaProducer<>(producerConfig(options), new ByteArraySerializer(),
        new ByteArraySerializer());
    long pending = spill.lastSeq() - watermark;
    // records past the checkpoint may have reached Kafka before the last run ended: look before resending
    readBackNeeded = pending > 0;
    if (pending > 0) {
      LOG.warn("Kafka spill in {} holds {} exchanges not yet acknowledged by Kafka: replaying them",
          options.spillDir(), pending);
    }
    // Until the topic's metadata is known, publishing directly could only fail. The node is not serving yet: wait
    // briefly for it, and when Kafka does not answer in that time, start by spilling and let the replayer switch
    // to direct publishing once it does.
    this.spilling = pending > 0 || !awaitTopic(STARTUP_WAIT) || !baseline();
    this.replayer = new Thread(this::replayLoop, "kafka-exchange-replayer");
    replayer.setDaemon(true);
    replayer.start();
  }

  static Map<String, Object> producerConfig(Options o) {
    Map<String, Object> c = new java.util.HashMap<>();
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "distillguard-exchanges");
    c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, o.compression());
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, o.bufferBytes());
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, o.maxBlock().toMillis());
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) o.deliveryTimeout().toMillis());
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) o.requestTimeout().toMillis());
    c.put(ProducerConfig.LINGER_MS_CONFIG, (int) o.linger().toMillis());
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    // keep an idle topic's metadata, so a send after a quiet hour never finds it missing
    c.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, (int) Duration.ofDays(1).toMillis());
    c.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    c.putAll(o.producerProperties());
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    return c;
  }

  /** Registers the sink's meters. */
  public KafkaExchangeSink bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder("distillguard.kafka.exchanges.published", published, AtomicLong::get)
        .description("Exchanges Kafka acknowledged as they were recorded").register(registry);
    FunctionCounter.builder("distillguard.kafka.exchanges.spilled", spilled, AtomicLong::get)
        .description("Exchanges that could not go to Kafka at once and were left in the local spill")
        .register(registry);
    FunctionCounter.builder("distillguard.kafka.exchanges.replayed", replayed, AtomicLong::get)
        .description("Exchanges Kafka acknowledged when the spill was replayed").register(registry);
    FunctionCounter.builder("distillguard.kafka.exchanges.failed", failed, AtomicLong::get)
        .description("Sends Kafka did not acknowledge (the exchange stays in the spill and is sent again)")
        .register(registry);
    FunctionCounter.builder("distillguard.kafka.exchanges.rejected", rejectedCount, AtomicLong::get)
        .description("Exchanges Kafka refuses for good (too large), kept in the spill's rejected/ folder")
        .register(registry);
    FunctionCounter.builder("distillguard.kafka.exchanges.dropped", dropped, AtomicLong::get)
        .description("Exchanges lost because the spill could not be written while Kafka was away (must stay 0)")
        .register(registry);
    FunctionCounter.builder("distillguard.kafka.exchanges.found", foundInTopic, AtomicLong::get)
        .description("Spilled exchanges not sent again because reading the topic back found them there (their "
            + "acknowledgement had been lost)").register(registry);
    Gauge.builder("distillguard.kafka.spill.backlog", this, KafkaExchangeSink::backlog)
        .description("Exchanges in the spill not yet acknowledged by Kafka").register(registry);
    Gauge.builder("distillguard.kafka.sink.spilling", this, s -> s.state() == State.SPILLING ? 1 : 0)
        .description("1 while exchanges are only spilled (Kafka away or the spill being replayed)")
        .register(registry);
    return this;
  }

  @Override
  public void accept(Exchange exchange) {
    Exchange e = options.redactText() ? exchange.redacted() : exchange;
    byte[] value = ExchangeCodec.encodeEvent(e);
    byte[] key = e.accountId() == null ? null : e.accountId().getBytes(StandardCharsets.UTF_8);
    long seq;
    boolean direct;
    synchronized (appendLock) {
      try {
        seq = spill.append(value);
      } catch (RuntimeException ex) {
        unjournaled(e, key, value, ex);
        return;
      }
      direct = !spilling && running;
      if (direct) {
        directInFlight.incrementAndGet();
        // inside the lock: sends leave in spill order, so in each partition a later record has a higher offset
        // (what the read-back after a failure relies on); send never waits (max.block.ms)
        send(seq, key, value, false);
      } else {
        spilled.incrementAndGet();
      }
    }
  }

  /** The spill could not be written (disk full?): Kafka is the only copy left; say so loudly. */
  private void unjournaled(Exchange e, byte[] key, byte[] value, RuntimeException cause) {
    if (spilling || !running) {
      dropped.incrementAndGet();
      LOG.error("exchange {} DROPPED: the Kafka spill cannot be written and Kafka is not taking records", e.id(),
          cause);
      return;
    }
    LOG.error("the Kafka spill cannot be written; exchange {} goes to Kafka without a local copy", e.id(), cause);
    producer.send(new ProducerRecord<>(options.topic(), key, value), (md, ex) -> {
      if (ex == null) {
        published.incrementAndGet();
      } else {
        dropped.incrementAndGet();
        LOG.error("exchange {} DROPPED: neither the spill nor Kafka took it", e.id(), ex);
      }
    });
  }

  private void send(long seq, byte[] key, byte[] value, boolean replay) {
    Delivery d = new Delivery(seq, value, replay);
    try {
      producer.send(new ProducerRecord<>(options.topic(), key, value), d);
    } catch (RuntimeException ex) {
      d.onCompletion(null, ex);
    }
  }

  /** Completes one send exactly once (the producer reports some errors both by callback and by throwing). */
  private final class Delivery implements Callback {
    private final long seq;
    private final byte[] value;
    private final boolean replay;
    private final AtomicBoolean done = new AtomicBoolean();

    Delivery(long seq, byte[] value, boolean replay) {
      this.seq = seq;
      this.value = value;
      this.replay = replay;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception ex) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      try {
        if (ex == null) {
          ack(seq, new Placed(metadata.partition(), metadata.offset()));
          (replay ? replayed : published).incrementAndGet();
        } else if (refusedForGood(ex)) {
          reject(seq, value, ex);
          ack(seq, null);
        } else {
          failed.incrementAndGet();
          readBackNeeded = true;
          if (!replay) {
            spilled.incrementAndGet();
          }
          enterSpilling(ex);
        }
      } finally {
        if (!replay) {
          directInFlight.decrementAndGet();
        }
      }
    }
  }

  private static boolean refusedForGood(Exception ex) {
    return ex instanceof RecordTooLargeException || ex instanceof RecordBatchTooLargeException
        || ex instanceof InvalidRecordException;
  }

  private void enterSpilling(Exception cause) {
    lastError = cause.getClass().getSimpleName() + ": " + String.valueOf(cause.getMessage());
    if (!spilling) {
      spilling = true;
      LOG.warn("Kafka is not taking exchanges ({}); spilling to {} until it does", lastError, options.spillDir());
    }
    LockSupport.unpark(replayer);
  }

  private void reject(long seq, byte[] value, Exception cause) {
    rejectedCount.incrementAndGet();
    synchronized (this) {
      try {
        if (rejected == null) {
          rejected = new Journal(rejectedDir, options.segmentBytes(), true, 0);
        }
        rejected.append(value);
        LOG.error("Kafka refused spill record {} for good ({}); kept in {}", seq, cause.getClass().getSimpleName(),
            rejectedDir);
      } catch (RuntimeException e) {
        dropped.incrementAndGet();
        LOG.error("Kafka refused spill record {} for good and it could not be kept in {}", seq, rejectedDir, e);
      }
    }
  }

  /** Where Kafka put a record. */
  private record Placed(int partition, long offset) {}

  private void ack(long seq, Placed placed) {
    synchronized (ackLock) {
      if (seq == watermark + 1) {
        watermark = seq;
        confirm(placed);
        while (!ackedAhead.isEmpty() && ackedAhead.firstKey() == watermark + 1) {
          var next = ackedAhead.pollFirstEntry();
          watermark = next.getKey();
          confirm(next.getValue());
        }
        watermarkView = watermark;
      } else if (seq > watermark) {
        ackedAhead.put(seq, placed);
      }
    }
  }

  private void confirm(Placed p) {
    if (p != null) {
      confirmed.merge(p.partition(), p.offset(), Math::max);
    }
  }

  private boolean acked(long seq) {
    synchronized (ackLock) {
      return seq <= watermark || ackedAhead.containsKey(seq);
    }
  }

  /**
   * Replays the spill while the sink is spilling, then switches back to direct publishing; keeps the checkpoint
   * and deletes spill segments Kafka has fully acknowledged.
   */
  private void replayLoop() {
    long backoffMs = 100;
    while (running) {
      try {
        maintain();
        if (!spilling) {
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
          continue;
        }
        if (directInFlight.get() > 0) {
          // direct sends still waiting for their answer: replaying now could send them a second time
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(20));
          continue;
        }
        if (!topicKnown()) {
          sleep(backoffMs);
          backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
          continue;
        }
        if (replayBatch()) {
          backoffMs = 100;
        } else {
          sleep(backoffMs);
          backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
        }
      } catch (RuntimeException e) {
        LOG.error("Kafka spill replay failed; retrying", e);
        sleep(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
      }
    }
  }

  private boolean awaitTopic(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!topicKnown()) {
      if (System.nanoTime() > deadline) {
        LOG.warn("Kafka topic {} not reachable at start ({}); spilling to {} until it is", options.topic(),
            lastError, options.spillDir());
        return false;
      }
      sleep(20);
    }
    lastError = null;
    return true;
  }

  /** True when the producer has the topic's partitions (asking for them once more if not; never waits). */
  private boolean topicKnown() {
    try {
      return !producer.partitionsFor(options.topic()).isEmpty();
    } catch (RuntimeException e) {
      lastError = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage());
      return false;
    }
  }

  /**
   * Sends the next part of the spill and waits for Kafka's answers; when nothing is left, switches to direct
   * publishing. Returns false when a send failed.
   */
  private boolean replayBatch() {
    if (readBackNeeded) {
      Map<String, Placed> found = readBack();
      if (found == null) {
        return false;
      }
      inTopic = found;
      readBackNeeded = false;
      LOG.info("read the Kafka topic back before replaying: {} exchange ids past the confirmed offsets", found.size());
    }
    long from = watermarkView;
    long budget = Math.max(1, options.bufferBytes() / 2);
    List<Journal.Entry> entries = new ArrayList<>();
    long bytes = 0;
    for (Journal.Entry e : spill.read(from, from + 5000)) {
      if (acked(e.seq())) {
        continue;
      }
      entries.add(e);
      bytes += e.payload().length;
      if (bytes >= budget) {
        break;
      }
    }
    if (entries.isEmpty()) {
      synchronized (appendLock) {
        if (spill.lastSeq() <= watermarkView && directInFlight.get() == 0) {
          if (!baseline()) {
            return false;
          }
          spilling = false;
          inTopic = Map.of();
          lastError = null;
          LOG.info("Kafka spill replayed; publishing exchanges directly again");
          return true;
        }
      }
      if (spill.lastSeq() > watermarkView && spill.read(watermarkView, spill.lastSeq()).isEmpty()) {
        // Records past the watermark that the spill no longer has (cut off as torn by a crash): nothing to send.
        skipTo(spill.lastSeq());
      }
      return true;
    }
    long failedBefore = failed.get();
    for (Journal.Entry e : entries) {
      byte[] key;
      String id;
      try {
        JsonNode event = ExchangeCodec.MAPPER.readTree(e.payload());
        JsonNode account = event.get("accountId");
        key = account == null || account.isNull() ? null : account.asText().getBytes(StandardCharsets.UTF_8);
        id = event.path("id").asText();
      } catch (IOException | RuntimeException ex) {
        reject(e.seq(), e.payload(), ex);
        ack(e.seq(), null);
        continue;
      }
      Placed already = inTopic.get(id);
      if (already != null) {
        // it reached Kafka although its acknowledgement never came: do not send it twice
        foundInTopic.incrementAndGet();
        ack(e.seq(), already);
        continue;
      }
      send(e.seq(), key, e.payload(), true);
    }
    producer.flush();
    return failed.get() == failedBefore;
  }

  private void skipTo(long seq) {
    synchronized (ackLock) {
      if (seq > watermark) {
        watermark = seq;
        ackedAhead.headMap(seq, true).clear();
        watermarkView = watermark;
      }
    }
  }

  /**
   * Makes sure every partition has a read-back start: for a partition none of this spill's records has reached
   * yet, its current end (nothing of ours can be below it, since nothing has been sent to it). False when the
   * topic cannot be asked now.
   */
  private boolean baseline() {
    if (baselined) {
      return true;
    }
    try {
      KafkaConsumer<byte[], byte[]> c = readBackConsumer();
      List<TopicPartition> parts = partitions(c);
      Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(10));
      synchronized (ackLock) {
        ends.forEach((tp, end) -> confirmed.putIfAbsent(tp.partition(), end - 1));
      }
      baselined = true;
      return true;
    } catch (RuntimeException e) {
      lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
      return false;
    }
  }

  /**
   * The exchange ids in the topic past the confirmed offsets, with where they are: records the broker may have
   * written although their acknowledgement never came. Partitions come out in send order (sends leave in spill
   * order under the append lock), so nothing of ours that is unacknowledged can sit below a confirmed offset. Null
   * when the topic cannot be read now.
   */
  private Map<String, Placed> readBack() {
    Map<Integer, Long> from;
    synchronized (ackLock) {
      from = new HashMap<>(confirmed);
    }
    try {
      KafkaConsumer<byte[], byte[]> c = readBackConsumer();
      List<TopicPartition> parts = partitions(c);
      Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(10));
      Map<TopicPartition, Long> begins = c.beginningOffsets(parts, Duration.ofSeconds(10));
      Map<TopicPartition, Long> starts = new HashMap<>();
      for (TopicPartition tp : parts) {
        Long confirmedOffset = from.get(tp.partition());
        if (confirmedOffset == null) {
          // no start known (a spill from a build without offsets in its checkpoint): cannot look, may resend
          continue;
        }
        // bounded: after a long stop the topic may have grown by far more than this node ever sent
        long start = Math.max(Math.max(confirmedOffset + 1, begins.get(tp)), ends.get(tp) - MAX_READ_BACK);
        if (start < ends.get(tp)) {
          starts.put(tp, start);
        }
      }
      Map<String, Placed> found = new HashMap<>();
      c.assign(starts.keySet());
      starts.forEach(c::seek);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!starts.isEmpty()) {
        if (System.nanoTime() > deadline) {
          lastError = "reading the topic back timed out";
          return null;
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            try {
              found.put(ExchangeCodec.MAPPER.readTree(r.value()).path("id").asText(),
                  new Placed(r.partition(), r.offset()));
            } catch (IOException e) {
              // not an exchange event (another producer's record): nothing of ours
            }
          }
        }
        starts.keySet().removeIf(tp -> c.position(tp) >= ends.get(tp));
      }
      return found;
    } catch (RuntimeException e) {
      lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
      return null;
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c) {
    return c.partitionsFor(options.topic(), Duration.ofSeconds(10)).stream()
        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  private KafkaConsumer<byte[], byte[]> readBackConsumer() {
    if (readBack == null) {
      Map<String, Object> c = new HashMap<>();
      // the settings both kinds of client know (security.protocol, sasl.*, ssl.*, ...)
      options.producerProperties().forEach((k, v) -> {
        if (ConsumerConfig.configNames().contains(k)) {
          c.put(k, v);
        }
      });
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
      c.put(ConsumerConfig.CLIENT_ID_CONFIG, "distillguard-exchanges-readback");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
      c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
      c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
      readBack = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    return readBack;
  }

  /** Deletes fully acknowledged spill segments and writes the checkpoint when it moved. */
  private void maintain() {
    long w;
    String offsets;
    synchronized (ackLock) {
      w = watermark;
      offsets = confirmed.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(java.util.stream.Collectors.joining(","));
    }
    if (w > checkpointed) {
      writeCheckpoint(w, offsets);
      checkpointed = w;
      spill.release(w);
    }
  }

  /** Line 1: the watermark; line 2: {@code partition=offset,...} of {@link #confirmed}. */
  private void writeCheckpoint(long w, String offsets) {
    Path tmp = checkpointFile.resolveSibling(CHECKPOINT + ".tmp");
    try {
      Files.writeString(tmp, w + "\n" + offsets + "\n");
      Files.move(tmp, checkpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // the spill keeps everything; a stale checkpoint only means resending acknowledged records after a restart
      LOG.warn("cannot write the Kafka spill checkpoint {}", checkpointFile, e);
    }
  }

  private static long readCheckpoint(Path file, Map<Integer, Long> offsets) {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      List<String> lines = Files.readAllLines(file);
      long w = Math.max(0, Long.parseLong(lines.get(0).trim()));
      if (lines.size() > 1 && !lines.get(1).isBlank()) {
        for (String part : lines.get(1).trim().split(",")) {
          int eq = part.indexOf('=');
          offsets.put(Integer.parseInt(part.substring(0, eq)), Long.parseLong(part.substring(eq + 1)));
        }
      }
      return w;
    } catch (IOException | RuntimeException e) {
      offsets.clear();
      LOG.warn("the Kafka spill checkpoint {} is unreadable; the whole spill will be sent again (consumers dedupe "
          + "by exchange id)", file);
      return 0;
    }
  }

  public State state() {
    return !running ? State.CLOSED : spilling ? State.SPILLING : State.PUBLISHING;
  }

  /** Exchanges in the spill Kafka has not acknowledged yet. */
  public long backlog() {
    return Math.max(0, spill.lastSeq() - watermarkView);
  }

  public long published() {
    return published.get();
  }

  public long spilled() {
    return spilled.get();
  }

  public long replayed() {
    return replayed.get();
  }

  public long failed() {
    return failed.get();
  }

  public long rejected() {
    return rejectedCount.get();
  }

  public long dropped() {
    return dropped.get();
  }

  /** Spilled exchanges found in the topic by a read-back, and so not sent twice. */
  public long foundInTopic() {
    return foundInTopic.get();
  }

  /** The last error Kafka reported while it was not taking records, or null. */
  public String lastError() {
    return lastError;
  }

  public String topic() {
    return options.topic();
  }

  /** Waits until Kafka has acknowledged everything recorded so far; true when it has within the timeout. */
  public boolean flush(Duration timeout) {
    long target = spill.lastSeq();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (watermarkView >= target) {
        return true;
      }
      LockSupport.unpark(replayer);
      sleep(10);
    }
    return watermarkView >= target;
  }

  /**
   * Waits up to {@code timeout} for Kafka to acknowledge what is pending, then stops. Whatever Kafka has not
   * acknowledged stays in the spill and is replayed by the next sink on the same directory.
   */
  public void close(Duration timeout) {
    if (!running) {
      return;
    }
    flush(timeout);
    running = false;
    LockSupport.unpark(replayer);
    producer.close(Duration.ofSeconds(1));
    try {
      replayer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    maintain();
    if (readBack != null) {
      readBack.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
    long left = backlog();
    if (left > 0) {
      LOG.warn("Kafka sink closed with {} exchanges not acknowledged; they stay in {} and are replayed on the next "
          + "start", left, options.spillDir());
    }
    spill.close();
    synchronized (this) {
      if (rejected != null) {
        rejected.close();
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
