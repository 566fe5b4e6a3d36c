package io.distillguard.flink;

import io.distillguard.core.detect.DetectionModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The detection job: exchange events from Kafka, the core detectors per account and linkage across accounts,
 * verdicts to the compacted verdict topic, exactly once. Run by {@code flink run} on a cluster, or in-process on a
 * local MiniCluster (which is what {@code StreamExecutionEnvironment} gives a plain {@code java} launch, and what
 * {@link #start} gives a caller in the same JVM).
 */
@Command(name = "detection-job", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs DistillGuard detection as an Apache Flink job (Kafka in, verdicts to Kafka).")
public final class DetectionJob implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers, host:port,...")
  String bootstrap;

  @Option(names = "--input-topic", defaultValue = "distillguard.exchanges",
      description = "topic of exchange events (default: ${DEFAULT-VALUE})")
  String inputTopic;

  @Option(names = "--verdict-topic", defaultValue = "distillguard.verdicts",
      description = "compacted topic verdicts go to (default: ${DEFAULT-VALUE})")
  String verdictTopic;

  @Option(names = "--ties-topic", defaultValue = "distillguard.cluster-ties",
      description = "compacted one-partition topic the cluster-ties snapshot goes to, for gateway nodes to check new "
          + "accounts against; 'none' to send none (default: ${DEFAULT-VALUE})")
  String tiesTopic;

  @Option(names = "--group-id", defaultValue = "distillguard-detection",
      description = "consumer group of the source (default: ${DEFAULT-VALUE})")
  String groupId;

  @Option(names = "--transactional-id-prefix", defaultValue = "distillguard-detection",
      description = "prefix of the sink's Kafka transactional ids; unique per job on a cluster "
          + "(default: ${DEFAULT-VALUE})")
  String transactionalIdPrefix;

  @Option(names = "--transaction-timeout", defaultValue = "10m", converter = DurationConverter.class,
      description = "Kafka transaction timeout; at most the brokers' transaction.max.timeout.ms "
          + "(default: ${DEFAULT-VALUE})")
  Duration transactionTimeout;

  @Option(names = "--parallelism", defaultValue = "1", description = "parallelism of the job (default: 1)")
  int parallelism;

  @Option(names = "--checkpoint-dir", description = "checkpoint storage URI (file:///..., s3://...); "
      + "default: the job manager's memory (fine for a local demo only)")
  String checkpointDir;

  @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class,
      description = "exactly-once checkpoint interval; verdicts are visible to read_committed consumers after "
          + "the checkpoint that follows them (default: ${DEFAULT-VALUE})")
  Duration checkpointInterval;

  @Option(names = "--state-backend", defaultValue = "hashmap",
      description = "hashmap (state on the heap) or rocksdb (state on local disk, larger than memory) "
          + "(default: ${DEFAULT-VALUE})")
  String stateBackend;

  @Option(names = "--state-ttl", defaultValue = "7d", converter = DurationConverter.class,
      description = "drop an account's detection state after this long without exchanges (default: ${DEFAULT-VALUE})")
  Duration stateTtl;

  @Option(names = "--dedupe-ttl", defaultValue = "1h", converter = DurationConverter.class,
      description = "remember exchange ids this long to drop re-sent exchanges (default: ${DEFAULT-VALUE})")
  Duration dedupeTtl;

  @Option(names = "--out-of-orderness", defaultValue = "5s", converter = DurationConverter.class,
      description = "watermark delay behind the largest event time seen (default: ${DEFAULT-VALUE})")
  Duration outOfOrderness;

  @Option(names = "--allowed-lateness", defaultValue = "1m", converter = DurationConverter.class,
      description = "exchanges this far behind the watermark are still folded in (default: ${DEFAULT-VALUE})")
  Duration allowedLateness;

  @Option(names = "--linkage-interval", defaultValue = "5m", converter = DurationConverter.class,
      description = "recompute linkage clusters at each multiple of this on event time (default: ${DEFAULT-VALUE})")
  Duration linkageInterval;

  @Option(names = "--linkage-threads", defaultValue = "1",
      description = "threads linkage's one subtask scores candidate pairs on during a recomputation; give it the "
          + "cores of its task manager beyond the slots' (default: ${DEFAULT-VALUE})")
  int linkageThreads;

  @Option(names = "--linkage-key-parallelism", defaultValue = "0",
      description = "subtasks of linkage's stage keyed by linkage key, which keeps every key's members; 0 for the "
          + "job's parallelism (default: ${DEFAULT-VALUE})")
  int linkageKeyParallelism;

  @Option(names = "--no-linkage", description = "per-account detection only")
  boolean noLinkage;

  @Option(names = "--detectors", defaultValue = "default",
      description = "registered detector set (default: ${DEFAULT-VALUE}); ignored with --model")
  String detectors;

  @Option(names = "--model", description = "detection model file (properties), shipped with the job")
  Path model;

  @Option(names = "--restore-from", description = "start from this retained checkpoint or savepoint (a directory "
      + "holding _metadata), or 'latest': the newest complete checkpoint under --checkpoint-dir")
  String restoreFrom;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DetectionJob()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    JobClient job = start();
    job.getJobExecutionResult().get();
    return 0;
  }

  /** Builds the job from the options and submits it without waiting for it to end. */
  public JobClient start() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration());
    build(env);
    return env.executeAsync("distillguard-detection");
  }

  /** The options as a job: parses and checks them, then adds source, topology and sink to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    JobSettings settings = settings();
    // watermarks in the source: one generator per Kafka partition (see DetectionTopology)
    DataStream<Decoded> events = env.fromSource(KafkaIo.source(bootstrap, inputTopic, groupId),
            DetectionTopology.sourceWatermarks(settings), "exchange events")
        .uid("kafka-exchanges");
    DetectionTopology.Streams s = DetectionTopology.fromDecoded(events, settings);
    s.verdicts().sinkTo(KafkaIo.sink(bootstrap, verdictTopic, transactionalIdPrefix, transactionTimeout))
        .name("verdict topic").uid("kafka-verdicts");
    if (s.ties() != null && !tiesTopic.equals("none")) {
      // not "<prefix>-ties": an abort strategy that lists open transactions by prefix (the connector's LISTING)
      // would take the ties sink's for the verdict sink's own
      s.ties().sinkTo(KafkaIo.tiesSink(bootstrap, tiesTopic, "ties-" + transactionalIdPrefix, transactionTimeout))
          .setParallelism(1).name("ties topic").uid("kafka-ties");
    }
  }

  /** The Flink configuration the options ask for: exactly-once checkpoints, the state backend, no Kryo. */
  public Configuration configuration() {
    if (parallelism < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--parallelism must be at least 1");
    }
    String backend = stateBackend.toLowerCase(Locale.ROOT);
    if (!backend.equals("hashmap") && !backend.equals("rocksdb")) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--state-backend must be hashmap or rocksdb, not '" + Decoded.printable(stateBackend) + "'");
    }
    if (checkpointInterval.toMillis() < 10) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--checkpoint-interval must be at least 10ms");
    }
    Configuration c = new Configuration();
    c.set(StateBackendOptions.STATE_BACKEND, backend);
    c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
    c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (checkpointDir != null) {
      c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
      c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
    }
    if (backend.equals("rocksdb")) {
      c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    }
    c.set(PipelineOptions.GENERIC_TYPES, false);
    c.set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, parallelism);
    if (restoreFrom != null) {
      c.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath());
    }
    return c;
  }

  private String restorePath() {
    if (!restoreFrom.equals("latest")) {
      if (!Files.isRegularFile(Path.of(restoreFrom).resolve("_metadata"))) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--restore-from: no checkpoint or savepoint (no _metadata) in '" + Decoded.printable(restoreFrom) + "'");
      }
      return restoreFrom;
    }
    if (checkpointDir == null) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--restore-from latest needs --checkpoint-dir");
    }
    if (!checkpointDir.startsWith("file:") && checkpointDir.contains("://")) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--restore-from latest looks in local checkpoint directories only; name the checkpoint instead");
    }
    Path latest = latestCheckpoint(checkpointDir.startsWith("file:") ? Path.of(java.net.URI.create(checkpointDir))
        : Path.of(checkpointDir));
    if (latest == null) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--restore-from latest: no complete checkpoint under --checkpoint-dir");
    }
    return latest.toString();
  }

  /**
   * The newest complete checkpoint under a checkpoint directory ({@code <job id>/chk-<n>/_metadata}, the layout of
   * Flink's file-system checkpoint storage), or null when there is none.
   */
  public static Path latestCheckpoint(Path checkpointDir) {
    if (!Files.isDirectory(checkpointDir)) {
      return null;
    }
    try (java.util.stream.Stream<Path> files = Files.walk(checkpointDir, 3)) {
      return files.filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(Path::getParent)
          .filter(p -> p.getFileName().toString().startsWith("chk-"))
          .max(java.util.Comparator.comparingLong((Path p) -> p.toFile().lastModified())
              .thenComparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
          .orElse(null);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the checkpoint directory", e);
    }
  }

  /** The operators' settings the options ask for. */
  public JobSettings settings() {
    topic("--input-topic", inputTopic);
    topic("--verdict-topic", verdictTopic);
    if (!tiesTopic.equals("none")) {
      topic("--ties-topic", tiesTopic);
      if (tiesTopic.equals(verdictTopic)) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--ties-topic must not be the verdict topic");
      }
    }
    EngineSpec spec;
    try {
      spec = model != null ? EngineSpec.ofModel(DetectionModel.load(model)) : new EngineSpec(detectors, null);
      spec.engine(); // fail here, on the client, for an unknown set or a bad model: not in every task
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), (model != null ? "--model: " : "--detectors: ")
          + e.getMessage());
    }
    try {
      return new JobSettings(spec, stateTtl, dedupeTtl, outOfOrderness, allowedLateness, Duration.ofMinutes(1),
          linkageInterval, !noLinkage, linkageThreads, linkageKeyParallelism);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
  }

  /** Kafka's rule for topic names, checked here so a bad name fails on the client, not in every task. */
  private static final java.util.regex.Pattern TOPIC = java.util.regex.Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private void topic(String option, String name) {
    if (name == null || !TOPIC.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new CommandLine.ParameterException(new CommandLine(this), option + " must be a Kafka topic name (1-249 "
          + "letters, digits, '.', '_' or '-'), not '" + Decoded.printable(String.valueOf(name)) + "'");
    }
  }

  /** Parses options for a caller in the same JVM (the cluster demo), with the same checks as the command line. */
  public static DetectionJob parse(String... args) {
    DetectionJob job = new DetectionJob();
    new CommandLine(job).parseArgs(args);
    return job;
  }

  /** Durations as {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT5M}). */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.startsWith("p")) {
          return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        }
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
          i++;
        }
        if (i == 0 || i > 12) {
          throw new IllegalArgumentException();
        }
        long n = Long.parseLong(v.substring(0, i));
        return switch (v.substring(i)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> throw new IllegalArgumentException();
        };
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException("not a duration (e.g. 500ms, 10s, 5m, 1h, 7d): '"
            + Decoded.printable(value) + "'");
      }
    }
  }
}
