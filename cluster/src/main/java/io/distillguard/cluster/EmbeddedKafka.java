package io.distillguard.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker running in this JVM: one node in KRaft mode acting as both broker and controller
 * ({@link KafkaRaftServer}, the class {@code kafka-server-start.sh} runs), listening on loopback.
 *
 * <p>Its two ports (client and controller) are chosen once, when the object is made, and kept across
 * {@link #stop()} and {@link #start()}, so clients keep their bootstrap address and the controller quorum its
 * voter address. The data directory is formatted (as {@code kafka-storage format} would) on the first start only; a
 * later start on the same directory keeps every topic and record, which is what failure tests need: stop the broker
 * for a while, then bring it back with its data.
 *
 * <p>Defaults suit one machine: replication factor 1 for the internal topics, few partitions and threads, no
 * initial rebalance delay, a transaction timeout ceiling of one hour (transactional sinks such as Flink's ask for
 * more than the broker's 15-minute default). {@link Builder#brokerProperty} overrides any of them.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final Map<String, String> overrides;
  private KafkaRaftServer server;

  static {
    // The broker ends the process on faults it deems fatal (Exit.exit / Exit.halt). In process it shares the JVM
    // with a gateway or a test suite, which must outlive it: such a fault becomes an exception and an error log.
    Exit.setExitProcedure((code, message) -> {
      LOG.error("Kafka broker asked to exit the JVM with status {}: {}", code, message);
      throw new EmbeddedKafkaException("the broker asked to exit the JVM with status " + code);
    });
    Exit.setHaltProcedure((code, message) -> {
      LOG.error("Kafka broker asked to halt the JVM with status {}: {}", code, message);
      throw new EmbeddedKafkaException("the broker asked to halt the JVM with status " + code);
    });
  }

  private EmbeddedKafka(Builder b) {
    try {
      this.ownsDataDir = b.dataDir == null;
      this.dataDir = b.dataDir == null ? Files.createTempDirectory("embedded-kafka") : b.dataDir;
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory", e);
    }
    this.brokerPort = b.brokerPort > 0 ? b.brokerPort : freePort();
    int cp = b.controllerPort > 0 ? b.controllerPort : freePort();
    while (cp == brokerPort) {
      cp = freePort();
    }
    this.controllerPort = cp;
    this.overrides = Map.copyOf(b.overrides);
  }

  /** A builder for a broker on a fresh temporary data directory (deleted by {@link #close()}). */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a broker on a fresh temporary data directory with default settings. */
  public static EmbeddedKafka startNew() {
    return builder().build().start();
  }

  /**
   * Formats the data directory if it is new, starts the broker, and returns once it answers clients.
   *
   * @throws IllegalStateException when it is already running
   * @throws EmbeddedKafkaException when it does not start (a port in use, a data directory of another cluster)
   */
  public synchronized EmbeddedKafka start() {
    if (server != null) {
      throw new IllegalStateException("the broker is already running");
    }
    KafkaConfig config = new KafkaConfig(brokerProperties(), false);
    formatIfNew();
    KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      s.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(s);
      throw new EmbeddedKafkaException("the broker did not start on ports " + brokerPort + "/" + controllerPort, e);
    }
    server = s;
    awaitReady();
    LOG.info("Kafka broker up at {} (data in {})", bootstrapServers(), dataDir);
    return this;
  }

  /** Shuts the broker down and waits until it has; the data directory is kept. Does nothing when it is stopped. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    shutdownQuietly(server);
    server = null;
    LOG.info("Kafka broker at {} stopped", bootstrapServers());
  }

  /** {@link #stop()} then {@link #start()} on the same data directory and ports. */
  public synchronized EmbeddedKafka restart() {
    stop();
    return start();
  }

  public synchronized boolean running() {
    return server != null;
  }

  /** {@code 127.0.0.1:port}, the same across restarts. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    Map<String, Object> conf = new HashMap<>();
    conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return Admin.create(conf);
  }

  /**
   * Creates a topic (replication factor 1) unless it exists, and waits until its partitions have leaders.
   *
   * @param configs topic configuration, e.g. {@code cleanup.policy=compact}
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try (Admin admin = admin()) {
      NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
      try {
        admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new EmbeddedKafkaException("cannot create topic " + name, e.getCause());
        }
      }
      awaitLeaders(admin, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedKafkaException("interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new EmbeddedKafkaException("topic " + name + " was not created in time", e);
    }
  }

  /** Creates a compacted topic (the verdict topic's kind), unless it exists. */
  public void createCompactedTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /** Stops the broker; deletes the data directory when this object created it. */
  @Override
  public synchronized void close() {
    stop();
    if (ownsDataDir) {
      deleteTree(dataDir);
    }
  }

  private Properties brokerProperties() {
    String logs = dataDir.resolve("logs").toString();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
        + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logs);
    p.put("metadata.log.dir", logs);
    // one node: internal topics cannot have more than one replica
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("transaction.max.timeout.ms", Long.toString(Duration.ofHours(1).toMillis()));
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    // a 2-core machine shared with the rest of a test suite
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("background.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
    p.putAll(overrides);
    return p;
  }

  private void formatIfNew() {
    Path logs = dataDir.resolve("logs");
    if (Files.exists(logs.resolve("meta.properties"))) {
      return;
    }
    try {
      Files.createDirectories(logs);
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(logs.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .addDirectory(logs.toString())
          .run();
    } catch (Exception e) {
      throw new EmbeddedKafkaException("cannot format the broker's data directory " + logs, e);
    }
  }

  /** Waits until the broker answers a metadata request, so callers can use it at once. */
  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new EmbeddedKafkaException("the broker did not answer within " + READY_TIMEOUT, e);
          }
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedKafkaException("interrupted while waiting for the broker", e);
    }
  }

  private static void awaitLeaders(Admin admin, String topic)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      try {
        boolean ready = admin.describeTopics(Set.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
            .partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (ready) {
          return;
        }
      } catch (ExecutionException e) {
        // the topic's metadata is not there yet
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topic + " have no leader");
      }
      Thread.sleep(50);
    }
  }

  private static void shutdownQuietly(KafkaRaftServer s) {
    try {
      s.shutdown();
      s.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("Kafka broker shutdown failed", e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on loopback", e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not delete {}", root, e);
    }
  }

  /** Settings of a broker; {@link #build()} makes it without starting it. */
  public static final class Builder {
    private Path dataDir;
    private int brokerPort;
    private int controllerPort;
    private final Map<String, String> overrides = new HashMap<>();

    private Builder() {}

    /** Keeps data in this directory (kept by {@link EmbeddedKafka#close()}); by default a temporary one. */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** Fixed ports; by default two free loopback ports are chosen. */
    public Builder ports(int broker, int controller) {
      if (broker <= 0 || controller <= 0 || broker == controller) {
        throw new IllegalArgumentException("ports must be two different numbers above 0");
      }
      this.brokerPort = broker;
      this.controllerPort = controller;
      return this;
    }

    /** Any broker setting ({@code server.properties} name), overriding the defaults. */
    public Builder brokerProperty(String name, String value) {
      overrides.put(name, value);
      return this;
    }

    public EmbeddedKafka build() {
      return new EmbeddedKafka(this);
    }
  }
}
