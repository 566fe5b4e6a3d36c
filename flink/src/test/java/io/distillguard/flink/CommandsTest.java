package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.flink.bench.KafkaDelay;
import io.distillguard.flink.bench.Throughput;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The job's command line and the throughput harness: good options build, bad ones fail with a clear message. */
class CommandsTest {

  static String run(Object command, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return code + ":" + err;
  }

  @Test
  void optionsBecomeTheFlinkConfigurationAndSettings() {
    DetectionJob job = DetectionJob.parse("--bootstrap-servers", "localhost:9092", "--state-backend", "RocksDB",
        "--checkpoint-dir", "file:///tmp/cp", "--checkpoint-interval", "30s", "--state-ttl", "2d",
        "--dedupe-ttl", "PT30M", "--allowed-lateness", "0s", "--no-linkage", "--parallelism", "4",
        "--linkage-threads", "6");
    Configuration c = job.configuration();
    assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///tmp/cp");
    assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
    JobSettings s = job.settings();
    assertThat(s.stateTtl()).isEqualTo(Duration.ofDays(2));
    assertThat(s.dedupeTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(s.allowedLateness()).isZero();
    assertThat(s.linkage()).isFalse();
    assertThat(s.linkageThreads()).isEqualTo(6);
    assertThat(s.engine()).isEqualTo(EngineSpec.defaults());
    assertThat(DetectionJob.parse("--bootstrap-servers", "x:1").settings().linkageThreads()).isOne();
  }

  @Test
  void badOptionsFailWithAMessageNamingTheOption(@TempDir Path dir) throws Exception {
    assertThat(run(new DetectionJob())).startsWith("2:").contains("--bootstrap-servers");
    assertThat(run(new DetectionJob(), "--bootstrap-servers", "x:1", "--state-ttl", "soon\u001b[2J"))
        .startsWith("2:").contains("not a duration").doesNotContain("\u001b");
    DetectionJob backend = DetectionJob.parse("--bootstrap-servers", "x:1", "--state-backend", "memory");
    assertThatThrownBy(backend::configuration).hasMessageContaining("--state-backend must be hashmap or rocksdb");
    DetectionJob ttl = DetectionJob.parse("--bootstrap-servers", "x:1", "--dedupe-ttl", "0s");
    assertThatThrownBy(ttl::settings).hasMessageContaining("dedupe TTL must be positive");
    DetectionJob set = DetectionJob.parse("--bootstrap-servers", "x:1", "--detectors", "nonsense");
    assertThatThrownBy(set::settings).hasMessageContaining("--detectors").hasMessageContaining("unknown detector set");
    Path model = Files.writeString(dir.resolve("bad.properties"), "weight.nonsense = banana\n");
    DetectionJob bad = DetectionJob.parse("--bootstrap-servers", "x:1", "--model", model.toString());
    assertThatThrownBy(bad::settings).hasMessageStartingWith("--model: ");
    DetectionJob parallel = DetectionJob.parse("--bootstrap-servers", "x:1", "--parallelism", "0");
    assertThatThrownBy(parallel::configuration).hasMessageContaining("--parallelism");
    DetectionJob ties = DetectionJob.parse("--bootstrap-servers", "x:1", "--ties-topic", "ties <\u001b[2J>");
    assertThatThrownBy(ties::settings).hasMessageContaining("--ties-topic must be a Kafka topic name")
        .hasMessageNotContaining("\u001b");
    DetectionJob same = DetectionJob.parse("--bootstrap-servers", "x:1", "--ties-topic", "distillguard.verdicts");
    assertThatThrownBy(same::settings).hasMessageContaining("must not be the verdict topic");
    DetectionJob input = DetectionJob.parse("--bootstrap-servers", "x:1", "--input-topic", "");
    assertThatThrownBy(input::settings).hasMessageContaining("--input-topic");
    assertThat(DetectionJob.parse("--bootstrap-servers", "x:1", "--ties-topic", "none").settings()).isNotNull();
    DetectionJob threads = DetectionJob.parse("--bootstrap-servers", "x:1", "--linkage-threads", "0");
    assertThatThrownBy(threads::settings).hasMessageContaining("linkage threads");
    assertThat(run(new DetectionJob(), "--bootstrap-servers", "x:1", "--linkage-threads", "many")).startsWith("2:")
        .contains("--linkage-threads");
  }

  @Test
  void theThroughputHarnessRunsASmallJobToTheEnd() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.out;
    System.setOut(new java.io.PrintStream(bytes, true));
    try {
      assertThat(new CommandLine(new Throughput()).execute("--exchanges", "3000", "--accounts", "50")).isZero();
    } finally {
      System.setOut(old);
    }
    assertThat(bytes.toString()).contains("3000 exchanges, 50 accounts").contains("events/s per slot");
  }

  @Test
  void theKafkaDelayHarnessRefusesBadLoadsBeforeStartingAnything() {
    assertThat(run(new KafkaDelay(), "--rate", "0")).startsWith("2:").contains("--rate");
    assertThat(run(new KafkaDelay(), "--duration", "10s", "--warmup", "10s")).startsWith("2:")
        .contains("--warmup shorter than --duration");
    assertThat(run(new KafkaDelay(), "--duration", "soon")).startsWith("2:").contains("not a duration");
  }
}
