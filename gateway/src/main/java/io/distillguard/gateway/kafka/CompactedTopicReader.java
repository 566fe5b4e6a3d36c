package io.distillguard.gateway.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * Reads every partition of a compacted topic from the beginning on a thread of its own (no consumer group, no
 * committed offsets), so a node that starts later ends with the current state the topic holds, and then hands each
 * new record to {@link #apply} as it comes. Only committed records are read ({@code isolation.level=read_committed}:
 * the detection job writes in transactions).
 *
 * <p>A broker outage only pauses it (the consumer reconnects, partitions are looked up again with a back-off); a
 * failure is kept as {@link #lastError()} until reading works again; nothing stops it but {@link #close()}.
 * Partitions added to the topic later are read from their beginning.
 */
abstract class CompactedTopicReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicReader.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);

  private final String topic;
  private final String what;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String lastError;
  private Map<TopicPartition, Long> startEnds;

  /**
   * @param what               what the reader is, for its thread's name and log lines ("verdict feed")
   * @param consumerProperties further consumer settings (security, ...); they cannot change the deserializers, the
   *     isolation level or the absence of a consumer group
   */
  CompactedTopicReader(String bootstrapServers, String topic, String what, String clientId,
      Map<String, String> consumerProperties, Integer maxFetchBytes) {
    this.topic = topic;
    this.what = what;
    Map<String, Object> c = new HashMap<>(consumerProperties);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.putIfAbsent(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    c.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    if (maxFetchBytes != null) {
      c.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxFetchBytes);
    }
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // a consumer must never create the topic: auto-created, it would not be compacted
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, what.replace(' ', '-'));
    thread.setDaemon(true);
  }

  /** Applies one record, on the reader's thread; must not throw for a bad record. */
  abstract void apply(ConsumerRecord<byte[], byte[]> r);

  /** Called once, on the reader's thread, when it has read what the topic held when it started. */
  void onCaughtUp() {}

  /** Starts reading; returns at once. */
  void startReading() {
    thread.start();
  }

  /** True once every record that was in the topic when the reader started has been read. */
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
        LOG.warn("{}: reading {} failed ({}); retrying", what, topic, lastError);
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
    Set<TopicPartition> all = new HashSet<>();
    for (PartitionInfo i : infos) {
      all.add(new TopicPartition(topic, i.partition()));
    }
    if (!all.equals(current)) {
      Set<TopicPartition> added = new HashSet<>(all);
      added.removeAll(current);
      consumer.assign(all);
      consumer.seekToBeginning(added);
      LOG.info("{} reading {} partitions of {}", what, all.size(), topic);
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
    onCaughtUp();
    caughtUp.countDown();
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
