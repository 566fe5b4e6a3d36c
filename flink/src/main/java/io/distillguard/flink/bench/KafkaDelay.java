package io.distillguard.flink.bench;

import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.core.Exchange;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.flink.DetectionJob;
import io.distillguard.flink.KafkaIo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * End-to-end verdict delay of the detection job with Kafka: an in-process broker ({@link EmbeddedKafka}), the job
 * as deployed ({@link DetectionJob}, on a local MiniCluster) between its input and verdict topics, a producer that
 * offers exchange events at a fixed rate (keyed by account, as the gateway publishes them), and a
 * {@code read_committed} consumer of the verdict topic. Each detection verdict is matched to the exchange that
 * triggered it (its account and event time) and its delay, from that exchange's send to the verdict's arrival, goes
 * into an HdrHistogram. Exactly-once delivery makes the checkpoint interval the floor of the delay: verdicts become
 * visible when the checkpoint after them commits.
 *
 * <p>The traffic ({@link SyntheticExchanges#rotating}) renews its accounts continuously, so verdicts keep coming for
 * the whole run. Verdicts triggered during the warm-up are not counted. Not a test: run it on a quiet machine
 * (docs/scale.md, "Flink job", has the command).
 */
@Command(name = "flink-kafka-delay", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Verdict delay of the detection job through Kafka at a fixed offered load.")
public final class KafkaDelay implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--rate", defaultValue = "2000", description = "offered exchanges per second (default: ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--duration", defaultValue = "120s", converter = DetectionJob.DurationConverter.class,
      description = "how long to offer load (default: ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "30s", converter = DetectionJob.DurationConverter.class,
      description = "verdicts triggered this early are not counted (default: ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(names = "--accounts", defaultValue = "500", description = "account slots (default: ${DEFAULT-VALUE})")
  int accounts;

  @Option(names = "--account-life", defaultValue = "250",
      description = "exchanges per account before its slot gets a new account (default: ${DEFAULT-VALUE})")
  long life;

  @Option(names = "--partitions", defaultValue = "4", description = "input topic partitions (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--checkpoint-interval", defaultValue = "1s", converter = DetectionJob.DurationConverter.class,
      description = "the job's exactly-once checkpoint interval (default: ${DEFAULT-VALUE})")
  Duration checkpointInterval;

  @Option(names = "--parallelism", defaultValue = "1", description = "the job's parallelism (default: 1)")
  int parallelism;

  @Option(names = "--state-backend", defaultValue = "hashmap", description = "hashmap or rocksdb")
  String backend;

  @Option(names = "--no-linkage", description = "per-account detection only")
  boolean noLinkage;

  @Option(names = "--drain", defaultValue = "30s", converter = DetectionJob.DurationConverter.class,
      description = "after the load, wait at most this long for outstanding verdicts (default: ${DEFAULT-VALUE})")
  Duration drain;

  /** Send time (nanoTime) of each exchange, by account and event time: what a verdict names as its trigger. */
  private final Map<String, Long> sent = new ConcurrentHashMap<>();
  private final Histogram delays = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
  private final AtomicLong detectionVerdicts = new AtomicLong();
  private final AtomicLong linkageVerdicts = new AtomicLong();
  private final AtomicLong unmatched = new AtomicLong();

  public static void main(String[] args) {
    Throughput.quietLogging();
    System.exit(new CommandLine(new KafkaDelay()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || accounts < 1 || life < 1 || partitions < 1 || duration.isNegative() || duration.isZero()
        || warmup.isNegative() || warmup.compareTo(duration) >= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rate, --accounts, --account-life and "
          + "--partitions must be positive, and --warmup shorter than --duration");
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.startNew()) {
      kafka.createTopic("distillguard.exchanges", partitions, Map.of());
      kafka.createCompactedTopic("distillguard.verdicts", partitions);
      List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
          "--checkpoint-interval", checkpointInterval.toMillis() + "ms", "--parallelism", Integer.toString(parallelism),
          "--state-backend", backend, "--transaction-timeout", "10m",
          // the job manager's memory takes 5 MB of state, less than a few thousand accounts': files, as deployed
          "--checkpoint-dir", java.nio.file.Files.createTempDirectory("dg-kafka-delay").toUri().toString()));
      if (noLinkage) {
        args.add("--no-linkage");
      }
      JobClient job = DetectionJob.parse(args.toArray(String[]::new)).start();
      AtomicBoolean reading = new AtomicBoolean(true);
      AtomicLong lastVerdict = new AtomicLong(System.nanoTime());
      Thread reader = new Thread(() -> read(kafka.bootstrapServers(), reading, lastVerdict), "verdict-reader");
      reader.start();
      long start = System.nanoTime();
      long warmupEnd = start + warmup.toNanos();
      long offered;
      try {
        offered = produce(kafka.bootstrapServers(), start, warmupEnd);
        long end = System.nanoTime() + drain.toNanos();
        // outstanding verdicts arrive with the next checkpoints; stop after three intervals without one
        while (System.nanoTime() < end
            && System.nanoTime() - lastVerdict.get() < 3 * checkpointInterval.toNanos() + 1_000_000_000L) {
          Thread.sleep(100);
        }
      } finally {
        reading.set(false);
        reader.join(10_000);
        job.cancel().get(60, TimeUnit.SECONDS);
      }
      double seconds = duration.toNanos() / 1e9;
      System.out.printf(Locale.ROOT, "offered %d exchanges/s for %.0f s (sent %d, %.0f/s), %d partitions, "
          + "parallelism %d, backend %s, linkage %s, checkpoints every %d ms%n", rate, seconds, offered,
          offered / seconds, partitions, parallelism, backend, noLinkage ? "off" : "on",
          checkpointInterval.toMillis());
      System.out.printf(Locale.ROOT, "verdicts: %d detection (%d after warm-up, %d not matched to an exchange), "
          + "%d linkage%n", detectionVerdicts.get(), delays.getTotalCount(), unmatched.get(), linkageVerdicts.get());
      System.out.printf(Locale.ROOT, "verdict delay, exchange sent to verdict read: p50 %.1f ms, p90 %.1f ms, "
          + "p99 %.1f ms, max %.1f ms%n", delays.getValueAtPercentile(50) / 1e3, delays.getValueAtPercentile(90) / 1e3,
          delays.getValueAtPercentile(99) / 1e3, delays.getMaxValue() / 1e3);
      return 0;
    }
  }

  /** Offers the load at a fixed rate (scheduled send times, so a stall is caught up, not forgotten). */
  private long produce(String bootstrap, long start, long warmupEnd) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("linger.ms", "1");
    long n = (long) (rate * (duration.toNanos() / 1e9));
    double interval = 1e9 / rate;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (long i = 0; i < n; i++) {
        long due = start + (long) (i * interval);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        Exchange e = SyntheticExchanges.rotating(i, accounts, life);
        long now = System.nanoTime();
        if (now >= warmupEnd) {
          sent.put(trigger(e.accountId(), e.eventTime().toEpochMilli()), now);
        }
        producer.send(new ProducerRecord<>("distillguard.exchanges",
            e.accountId().getBytes(StandardCharsets.UTF_8), ExchangeCodec.encodeEvent(e)));
      }
      producer.flush();
      return n;
    }
  }

  private void read(String bootstrap, AtomicBoolean reading, AtomicLong lastVerdict) {
    Properties c = new Properties();
    c.put("bootstrap.servers", bootstrap);
    c.put("group.id", "delay-reader");
    c.put("auto.offset.reset", "earliest");
    c.put("isolation.level", "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("distillguard.verdicts"));
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.nanoTime();
          lastVerdict.set(now);
          VerdictEvent v;
          try {
            v = KafkaIo.decodeVerdict(r.value());
          } catch (java.io.IOException ex) {
            unmatched.incrementAndGet();
            continue;
          }
          if (v.source() != VerdictEvent.Source.DETECTION) {
            linkageVerdicts.incrementAndGet();
            continue;
          }
          detectionVerdicts.incrementAndGet();
          Long at = sent.remove(trigger(v.accountId(), v.at().toEpochMilli()));
          if (at == null) {
            unmatched.incrementAndGet(); // triggered during the warm-up
            continue;
          }
          delays.recordValue(Math.min(delays.getHighestTrackableValue(), (now - at) / 1000));
        }
      }
    }
  }

  private static String trigger(String account, long eventTimeMillis) {
    return account + '@' + eventTimeMillis;
  }
}
