package io.distillguard.app;

import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.cluster.LocalPostgres;
import io.distillguard.flink.DetectionJob;
import io.distillguard.flink.KafkaIo;
import io.distillguard.gateway.admin.AdminToken;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The scale-out topology on one machine (docs/scale.md, deploy/): a PostgreSQL server the gateway nodes share, an
 * Apache Kafka broker (in this process), the detection job on a Flink MiniCluster (in this process), the builtin
 * upstream (a stand-in for a model server), and gateway nodes, each its own operating-system process running
 * {@code distillguard serve} with a configuration file written here. Every component can be stopped and started
 * again, which is what the failure tests and {@code cluster-demo} do.
 */
final class LocalCluster implements AutoCloseable {
  static final String DATABASE = "distillguard";
  static final String EXCHANGES = "distillguard.exchanges";
  static final String VERDICTS = "distillguard.verdicts";
  static final String TIES = "distillguard.cluster-ties";
  static final int PARTITIONS = 4;

  /** How the cluster is laid out. */
  record Settings(Path dir, int nodes, Duration checkpointInterval, Path dataSets) {}

  private final Settings settings;
  private final String adminToken;
  private final String dbPassword;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LocalPostgres postgres;
  private EmbeddedKafka kafka;
  private BuiltinUpstream upstream;
  private JobClient job;
  private final List<GatewayProcess> nodes = new ArrayList<>();

  private LocalCluster(Settings settings) {
    this.settings = settings;
    SecureRandom random = new SecureRandom();
    this.adminToken = "dg-local-" + HexFormat.of().formatHex(random.generateSeed(12));
    this.dbPassword = "dg" + HexFormat.of().formatHex(random.generateSeed(12));
  }

  /** Starts everything, gateway nodes last (they need the store, the broker and the topics). */
  static LocalCluster start(Settings settings, java.util.function.Consumer<String> progress) {
    LocalCluster c = new LocalCluster(settings);
    try {
      Files.createDirectories(settings.dir());
      c.postgres = LocalPostgres.start(settings.dir().resolve("postgres"), 0, c.dbPassword);
      c.postgres.createDatabase(DATABASE);
      progress.accept("PostgreSQL      " + c.postgres.url(DATABASE) + " (shared store of every gateway node)");
      c.kafka = EmbeddedKafka.builder().dataDir(settings.dir().resolve("kafka")).build().start();
      c.kafka.createTopic(EXCHANGES, PARTITIONS, Map.of());
      c.kafka.createCompactedTopic(VERDICTS, PARTITIONS);
      c.kafka.createTopic(TIES, 1, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
          TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(KafkaIo.TIES_MAX_BYTES + (1 << 16))));
      progress.accept("Kafka broker    " + c.kafka.bootstrapServers() + " (topics " + EXCHANGES + " x" + PARTITIONS
          + ", " + VERDICTS + " x" + PARTITIONS + " compacted, " + TIES + " x1 compacted)");
      c.startJob(false);
      progress.accept("Flink job       detection on a MiniCluster, exactly-once checkpoints every "
          + settings.checkpointInterval().toMillis() + " ms into " + c.checkpoints());
      BuiltinUpstreamOptions uo = new BuiltinUpstreamOptions().host("127.0.0.1").port(0);
      if (settings.dataSets() != null) {
        uo.dataDir(settings.dataSets());
      }
      c.upstream = BuiltinUpstream.start(uo);
      progress.accept("upstream        " + c.upstream.baseUrl() + " (the builtin stand-in, not a model)");
      for (int i = 1; i <= settings.nodes(); i++) {
        GatewayProcess n = new GatewayProcess(c, "node-" + i, freePort(), freePort());
        c.nodes.add(n);
        n.start();
        progress.accept("gateway " + n.name + "  " + n.dataUrl() + " (admin " + n.adminUrl() + ", pid " + n.pid()
            + ")");
      }
      return c;
    } catch (IOException e) {
      c.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  String adminToken() {
    return adminToken;
  }

  EmbeddedKafka kafka() {
    return kafka;
  }

  List<GatewayProcess> nodes() {
    return nodes;
  }

  GatewayProcess node(int i) {
    return nodes.get(i);
  }

  Path checkpoints() {
    return settings.dir().resolve("checkpoints");
  }

  /** A consumer of this cluster's broker, with no group; {@code isolation} is read_committed or read_uncommitted. */
  KafkaConsumer<byte[], byte[]> consumer(String isolation) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Assigns every partition of {@code topic} to {@code c}, from the beginning. */
  static List<TopicPartition> assignAll(KafkaConsumer<byte[], byte[]> c, String topic) {
    List<TopicPartition> parts = c.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    c.assign(parts);
    c.seekToBeginning(parts);
    return parts;
  }

  /**
   * Every record of {@code topic} up to where it ends now, each partition in order.
   *
   * @throws IllegalStateException when the end is not reached within {@code timeout}
   */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolation, Duration timeout) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(isolation)) {
      List<TopicPartition> parts = assignAll(c, topic);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("did not read " + topic + " to its end within " + timeout);
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** Starts the detection job, from its newest complete checkpoint when {@code restore}. */
  void startJob(boolean restore) {
    List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
        "--input-topic", EXCHANGES, "--verdict-topic", VERDICTS, "--ties-topic", TIES,
        "--checkpoint-dir", checkpoints().toUri().toString(),
        "--checkpoint-interval", settings.checkpointInterval().toMillis() + "ms",
        "--transaction-timeout", "2m", "--linkage-interval", "10m",
        // Replayed days run about a thousand times faster than real time: a node's spill replayed a few seconds
        // late is hours late in event time. Nothing the demo or the tests send may count as too late.
        "--out-of-orderness", "10m", "--allowed-lateness", "2d"));
    if (restore) {
      args.addAll(List.of("--restore-from", "latest"));
    }
    try {
      job = DetectionJob.parse(args.toArray(String[]::new)).start();
    } catch (Exception e) {
      throw new IllegalStateException("the detection job did not start: " + e.getMessage(), e);
    }
  }

  /** Cancels the job (its checkpoints are retained) and starts it again from the newest one. */
  Path restartJobFromCheckpoint() throws Exception {
    job.cancel().get(60, TimeUnit.SECONDS);
    Path latest = DetectionJob.latestCheckpoint(checkpoints());
    startJob(true);
    return latest;
  }

  /** The job's status, e.g. RUNNING. */
  String jobStatus() {
    try {
      return job.getJobStatus().get(10, TimeUnit.SECONDS).toString();
    } catch (Exception e) {
      return "unknown (" + e.getClass().getSimpleName() + ")";
    }
  }

  @Override
  public void close() {
    for (GatewayProcess n : nodes) {
      n.stop();
    }
    if (job != null) {
      try {
        job.cancel().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the job may have ended already
      }
    }
    if (upstream != null) {
      upstream.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** One gateway node: {@code distillguard serve} in its own process, on fixed ports, so a restart keeps them. */
  static final class GatewayProcess {
    final String name;
    private final LocalCluster cluster;
    private final int port;
    private final int adminPort;
    private final Path dir;
    private Process process;

    GatewayProcess(LocalCluster cluster, String name, int port, int adminPort) {
      this.cluster = cluster;
      this.name = name;
      this.port = port;
      this.adminPort = adminPort;
      this.dir = cluster.settings.dir().resolve(name);
    }

    String dataUrl() {
      return "http://127.0.0.1:" + port;
    }

    String adminUrl() {
      return "http://127.0.0.1:" + adminPort;
    }

    long pid() {
      return process == null ? -1 : process.pid();
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    /** Writes the node's configuration and starts it; returns once its admin API answers. */
    void start() throws IOException {
      Files.createDirectories(dir);
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(config, String.join("\n",
          "# written by the local cluster: one gateway node of the scale-out topology (deploy/README.md)",
          "server: {host: 127.0.0.1, port: " + port + "}",
          "admin: {host: 127.0.0.1, port: " + adminPort + "}",
          "data-dir: " + dir.toAbsolutePath(),
          "replay: true",
          "upstream: {url: \"" + cluster.upstream.baseUrl() + "\"}",
          "store: {url: \"" + cluster.postgres.url(DATABASE) + "\", user: " + LocalPostgres.USER + ", node: " + name
              + "}",
          "exchange-log: {sink: kafka}",
          "detection: {mode: remote}",
          "limits: {backend: postgresql}",
          "kafka: {bootstrap-servers: \"" + cluster.kafka.bootstrapServers() + "\", exchanges-topic: " + EXCHANGES
              + ", verdicts-topic: " + VERDICTS + ", ties-topic: " + TIES + "}",
          ""), StandardCharsets.UTF_8);
      ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx512m", "-XX:+UseSerialGC", "-cp",
          System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", config.toString());
      pb.environment().put(AdminToken.ENV, cluster.adminToken);
      pb.environment().put(Node.STORE_PASSWORD_ENV, cluster.dbPassword);
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("gateway.log")
          .toFile()));
      process = pb.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!healthy()) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see "
              + dir.resolve("gateway.log"));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(name + " did not answer within 120 s; see " + dir.resolve("gateway.log"));
        }
        sleep(200);
      }
    }

    /** Its admin health, or null when it does not answer. */
    String health() {
      try {
        HttpResponse<String> r = cluster.http.send(HttpRequest.newBuilder(URI.create(adminUrl()
                + "/admin/v1/health")).header("Authorization", "Bearer " + cluster.adminToken)
            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : null;
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    boolean healthy() {
      return health() != null;
    }

    /** What this node's enforcement cache holds for {@code account} (its admin API's {@code enforced}). */
    String enforced(String account) {
      try {
        HttpResponse<String> r = cluster.http.send(HttpRequest.newBuilder(URI.create(adminUrl()
                + "/admin/v1/accounts/" + java.net.URLEncoder.encode(account, StandardCharsets.UTF_8)))
            .header("Authorization", "Bearer " + cluster.adminToken).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        return DemoCommand.JSON.readTree(r.body()).path("enforced").asText("?");
      } catch (IOException e) {
        return "unreachable";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed; what the node acknowledged must survive anyway. */
    void kill() {
      if (process != null) {
        process.destroyForcibly();
        waitFor();
      }
    }

    /** An orderly stop (SIGTERM: the node drains and closes). */
    void stop() {
      if (process != null && process.isAlive()) {
        process.destroy();
        waitFor();
      }
    }

    private void waitFor() {
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static String javaBinary() {
      return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
