package io.distillguard.flink.bench;

import io.distillguard.flink.DetectionJob;
import io.distillguard.flink.DetectionTopology;
import io.distillguard.flink.JobSettings;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of the detection job per task slot: pushes N generated exchange events (wire form, decoded by the job)
 * through the whole topology on a local MiniCluster with one slot, checkpointing exactly once, and reports events
 * per second of job run time. Verdicts go to a discarding sink, so Kafka is not part of the figure. Not a test:
 * run it on a quiet machine (docs/scale.md, "Flink job", has the command).
 */
@Command(name = "flink-throughput", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Events/s of the detection job on one Flink task slot.")
public final class Throughput implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--exchanges", defaultValue = "1000000", description = "exchanges to push (default: ${DEFAULT-VALUE})")
  long exchanges;

  @Option(names = "--accounts", defaultValue = "10000", description = "distinct accounts (default: ${DEFAULT-VALUE})")
  int accounts;

  @Option(names = "--state-backend", defaultValue = "hashmap", description = "hashmap or rocksdb")
  String backend;

  @Option(names = "--no-linkage", description = "per-account detection only")
  boolean noLinkage;

  @Option(names = "--managed-memory", description = "the task manager's managed memory, e.g. 2g (RocksDB's block "
      + "cache and write buffers live in it; default: Flink's local default)")
  String managedMemory;

  @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DetectionJob.DurationConverter.class,
      description = "(default: ${DEFAULT-VALUE})")
  Duration checkpointInterval;

  @Option(names = "--checkpoint-dir", description = "checkpoint storage directory (default: a temporary directory; "
      + "the job manager's memory holds only 5 MB, less than the state of a few thousand accounts)")
  java.nio.file.Path checkpointDir;

  public static void main(String[] args) {
    quietLogging();
    System.exit(new CommandLine(new Throughput()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (exchanges < 1 || accounts < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--exchanges and --accounts must be positive");
    }
    Configuration c = new Configuration();
    c.set(TaskManagerOptions.NUM_TASK_SLOTS, 1);
    if (managedMemory != null) {
      c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, org.apache.flink.configuration.MemorySize.parse(managedMemory));
    }
    c.set(PipelineOptions.GENERIC_TYPES, false);
    c.set(StateBackendOptions.STATE_BACKEND, backend.toLowerCase(Locale.ROOT));
    c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
    c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    java.nio.file.Path dir = checkpointDir != null ? checkpointDir
        : java.nio.file.Files.createTempDirectory("dg-flink-throughput");
    c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, c);
    DataGeneratorSource<byte[]> source = new DataGeneratorSource<>(new SyntheticExchanges(accounts), exchanges,
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    JobSettings settings = JobSettings.defaults().withLinkage(!noLinkage, Duration.ofMinutes(5));
    DetectionTopology.fromEvents(env.fromSource(source, WatermarkStrategy.noWatermarks(), "generated"), settings)
        .verdicts().sinkTo(new Discard<>());
    JobExecutionResult r = env.execute("flink-throughput");
    double seconds = r.getNetRuntime() / 1000.0;
    System.out.printf(Locale.ROOT, "%d exchanges, %d accounts, backend %s, linkage %s, 1 slot: %.1f s, "
        + "%.0f events/s per slot%n", exchanges, accounts, backend, noLinkage ? "off" : "on", seconds,
        exchanges / seconds);
    return 0;
  }

  /** Warnings only, unless the caller chose a logback configuration (before any logger exists). */
  static void quietLogging() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "distillguard-flink-bench-logback.xml");
    }
  }

  /** Drops what it is given: the figure is the job's, not a sink's. */
  static final class Discard<T> implements Sink<T> {
    @Override
    public SinkWriter<T> createWriter(org.apache.flink.api.connector.sink2.WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context ctx) {}

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
