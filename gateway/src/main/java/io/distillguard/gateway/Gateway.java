package io.distillguard.gateway;

import io.distillguard.core.Account;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.gateway.admin.AdminApi;
import io.distillguard.gateway.alerts.WebhookNotifier;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.auth.SharedDirectory;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.detection.DetectionFactory;
import io.distillguard.gateway.detection.DetectionService;
import io.distillguard.gateway.detection.ExpensiveTierFactory;
import io.distillguard.gateway.detection.ScoreHistoryRecorder;
import io.distillguard.gateway.detection.VerdictRecorder;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.gateway.kafka.KafkaNode;
import io.distillguard.gateway.kafka.VerdictStoreRecorder;
import io.distillguard.gateway.limits.LimitSync;
import io.distillguard.gateway.limits.Limiter;
import io.distillguard.gateway.linkage.LinkageService;
import io.distillguard.gateway.linkage.TieSource;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.gateway.log.ExchangeLog;
import io.distillguard.gateway.log.ExchangeSink;
import io.distillguard.gateway.metrics.GatewayMetrics;
import io.distillguard.gateway.net.TrustedProxies;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.gateway.provenance.WatermarkStages;
import io.distillguard.gateway.pipeline.StageChain;
import io.distillguard.gateway.stages.AdmissionStage;
import io.distillguard.gateway.stages.AuthenticateStage;
import io.distillguard.gateway.stages.ClusterTieStage;
import io.distillguard.gateway.stages.DegradeStage;
import io.distillguard.gateway.stages.EnforcementStage;
import io.distillguard.gateway.stages.ForwardStage;
import io.distillguard.gateway.stages.LimitStage;
import io.distillguard.gateway.stages.MetricsStage;
import io.distillguard.gateway.stages.ParseStage;
import io.distillguard.gateway.stages.RecordStage;
import io.distillguard.gateway.upstream.UpstreamSettings;
import io.distillguard.store.Store;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway node: the data plane on one port (one server per event loop, sharing the port), the admin API
 * on another, the exchange log writing behind them.
 *
 * <p>The stage chain is: metrics → record → admission → authenticate → parse → enforcement → cluster ties (with
 * linkage) → limits → degrade → forward.
 * Later capabilities (detection, watermarking, degrading) add stages; {@link Builder#extraStages} puts them between
 * limits and forward.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final ExchangeLog exchangeLog;
  private final AccountDirectory directory;
  private final EnforcementCache enforcement;
  private final GatewayMetrics metrics;
  private final int port;
  private final int adminPort;
  private final String adminToken;
  private final HttpServer adminServer;
  private final DetectionService detection;
  private ScoreHistoryRecorder scoreHistory;
  private WebhookNotifier alerts;
  private LimitSync limitSync;
  private LinkageService linkage;
  private KafkaNode kafka;
  private VerdictStoreRecorder verdictRecorder;
  private SharedDirectory sharedDirectory;
  private final String dataPlaneDeployment;

  private Gateway(Builder b, Vertx vertx, boolean ownsVertx, ExchangeLog log, AccountDirectory directory,
      EnforcementCache enforcement, GatewayMetrics metrics, int port, int adminPort, HttpServer adminServer,
      String dataPlaneDeployment, DetectionService detection) {
    this.detection = detection;
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.exchangeLog = log;
    this.directory = directory;
    this.enforcement = enforcement;
    this.metrics = metrics;
    this.port = port;
    this.adminPort = adminPort;
    this.adminToken = b.adminToken;
    this.adminServer = adminServer;
    this.dataPlaneDeployment = dataPlaneDeployment;
  }

  public static Builder builder(GatewayConfig config, Store store) {
    return new Builder(config, store);
  }

  public int port() {
    return port;
  }

  public int adminPort() {
    return adminPort;
  }

  public String adminToken() {
    return adminToken;
  }

  /** The journal-backed exchange log, or null when {@code exchange-log.sink} is {@code kafka}. */
  public ExchangeLog exchangeLog() {
    return exchangeLog;
  }

  /** The Kafka exchange sink and verdict feed, or null when the configuration uses no Kafka. */
  public KafkaNode kafka() {
    return kafka;
  }

  public EnforcementCache enforcement() {
    return enforcement;
  }

  public AccountDirectory directory() {
    return directory;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The cross-account linkage service, or null when linkage is disabled. */
  public LinkageService linkage() {
    return linkage;
  }

  /** What keeps accounts' scores over time in the store, or null when detection is disabled. */
  public ScoreHistoryRecorder scoreHistory() {
    return scoreHistory;
  }

  /** The escalation webhooks, or null when none is configured. */
  public WebhookNotifier alerts() {
    return alerts;
  }

  /** The detection service, or null when detection is disabled. */
  public DetectionService detection() {
    return detection;
  }

  /** Stops taking requests, writes out the exchange log, and releases the event loops. */
  @Override
  public void close() {
    try {
      adminServer.close().await(10, TimeUnit.SECONDS);
      if (ownsVertx) {
        vertx.close().await(30, TimeUnit.SECONDS);
      } else {
        // Someone else's Vert.x keeps running: take our data-plane servers off it.
        vertx.undeploy(dataPlaneDeployment).await(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.warn("stopping the servers did not finish cleanly", e);
    }
    if (limitSync != null) {
      limitSync.close();
    }
    if (linkage != null) {
      linkage.close();
    }
    if (detection != null) {
      detection.close();
    }
    if (scoreHistory != null) {
      scoreHistory.close();
    }
    if (alerts != null) {
      alerts.close();
    }
    if (verdictRecorder != null) {
      verdictRecorder.close();
    }
    if (sharedDirectory != null) {
      sharedDirectory.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (exchangeLog != null) {
      exchangeLog.close();
    }
  }

  /** Assembles a gateway. */
  public static final class Builder {
    /** The consumer group in which the nodes' recorders share the verdict topic's partitions. */
    static final String VERDICT_RECORDER_GROUP = "distillguard-verdict-recorder";
    /** How often a node sharing its store reads the keys other nodes revoked. */
    static final Duration SHARED_DIRECTORY_SCAN = Duration.ofSeconds(1);
    /** How long a key id the shared store does not know is answered 401 without asking it again. */
    static final Duration SHARED_DIRECTORY_ABSENT_TTL = Duration.ofSeconds(5);
    private final GatewayConfig config;
    private final Store store;
    /** Set by {@link #start()} when the store is shared; read by {@link #chain}. */
    private SharedDirectory sharedDirectory;
    private String upstreamUrl;
    private String adminToken;
    private Vertx vertx;
    private Clock clock = Clock.systemUTC();
    private final List<Stage> extraStages = new ArrayList<>();
    private final List<ExchangeSink> extraSinks = new ArrayList<>();
    private final List<BiConsumer<Router, Gateway>> adminExtensions = new ArrayList<>();

    private Builder(GatewayConfig config, Store store) {
      this.config = config;
      this.store = store;
      this.upstreamUrl = config.upstream.url;
      this.adminToken = config.admin.token;
    }

    /** The upstream base URL to use (the app resolves {@code builtin} to a running builtin upstream). */
    public Builder upstreamUrl(String url) {
      this.upstreamUrl = url;
      return this;
    }

    public Builder adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /** Deploy on an existing Vert.x instance instead of creating one. */
    public Builder vertx(Vertx vertx) {
      this.vertx = vertx;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Stages inserted after the limits and before the forward stage, in order. */
    public Builder extraStage(Stage stage) {
      extraStages.add(stage);
      return this;
    }

    /** Sinks that receive every exchange after the exchange log. */
    public Builder extraSink(ExchangeSink sink) {
      extraSinks.add(sink);
      return this;
    }

    /**
     * Routes added to the admin server (the dashboard) once the gateway is up and before {@link #start} returns;
     * they handle their own authentication: only {@code /admin/*} is guarded by the admin token.
     */
    public Builder adminExtension(BiConsumer<Router, Gateway> extension) {
      adminExtensions.add(extension);
      return this;
    }

    /** Starts the gateway; returns once both ports are listening. */
    public Gateway start() {
      if (upstreamUrl == null || "builtin".equals(upstreamUrl)) {
        throw new IllegalStateException("upstream.url 'builtin' must be resolved to a URL before start");
      }
      if (adminToken == null || adminToken.isBlank()) {
        throw new IllegalStateException("an admin token is required");
      }
      int loops = config.server.eventLoops > 0 ? config.server.eventLoops
          : Runtime.getRuntime().availableProcessors();
      boolean owns = vertx == null;
      Vertx vx = owns ? Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops)
          .setPreferNativeTransport(config.server.nativeTransport)) : vertx;
      GatewayMetrics metrics = new GatewayMetrics();
      GatewayConfig.ExchangeLog lc = config.exchangeLog;
      // exchange-log.sink: kafka sends exchanges to Kafka only (with its own spill), not to the journal and store
      ExchangeLog log = "kafka".equals(lc.sink) ? null : new ExchangeLog(store.exchanges(), new ExchangeLog.Options(
          Path.of(config.dataDir).resolve("journal"), lc.queueCapacity, lc.batchSize, lc.flushInterval,
          lc.retentionDays, lc.redactText, lc.fsync, lc.segmentBytes));
      if (log != null) {
        metrics.bindExchangeLog(log);
      }
      AccountDirectory directory = AccountDirectory.load(store);
      EnforcementCache enforcement = new EnforcementCache();
      for (Account a : store.accounts().all()) {
        enforcement.set(a.id(), a.status());
      }
      KafkaNode kafka;
      try {
        kafka = KafkaNode.open(config, enforcement, metrics.registry());
      } catch (RuntimeException e) {
        if (log != null) {
          log.close();
        }
        throw e;
      }
      // detection.mode: remote takes verdicts from the verdict topic (the Flink job): no detection or linkage here
      boolean localDetection = !KafkaNode.remoteDetection(config);
      // The job's verdicts become statuses, audit entries and alerts in the store; Kafka shares the partitions of
      // the verdict topic among the live nodes' recorders, so each verdict is recorded by one node.
      VerdictStoreRecorder verdictRecorder = localDetection || kafka == null ? null
          : new VerdictStoreRecorder(config.kafka.bootstrapServers, config.kafka.verdictsTopic,
              VERDICT_RECORDER_GROUP, store, directory, clock, config.kafka.properties)
              .bindMetrics(metrics.registry()).start();
      // Nodes sharing one store (PostgreSQL): keys issued and revoked on other nodes reach this one.
      sharedDirectory = config.store.url == null ? null
          : new SharedDirectory(store, directory, clock, SHARED_DIRECTORY_SCAN, SHARED_DIRECTORY_ABSENT_TTL);
      Limiter limiter = new Limiter(config.limits);
      metrics.bindLimiter(limiter);
      // limits.backend: postgresql also counts what the other nodes admitted, synced off the request path.
      LimitSync limitSync = !"postgresql".equals(config.limits.backend) ? null
          : new LimitSync(limiter, store.rateUsage(), NodeName.resolve(config.store.node, Path.of(config.dataDir)),
              config.limits.syncInterval, clock).start();
      if (limitSync != null) {
        metrics.bindLimitSync(limitSync);
      }
      DetectionService detection = null;
      ScoreHistoryRecorder scoreHistory = null;
      WebhookNotifier alerts = config.alerts.webhooks.isEmpty() ? null
          : new WebhookNotifier(config.alerts, metrics.registry(), clock);
      List<ExchangeSink> sinks = new ArrayList<>(extraSinks);
      if (config.detection.enabled && localDetection) {
        detection = new DetectionService(DetectionFactory.engine(config.detection, directory), enforcement,
            config.detection.queueCapacity);
        if (config.detection.expensive.enabled) {
          ExpensiveTier.Settings es = ExpensiveTierFactory.settings(config.detection.expensive);
          detection.startExpensiveTier(es, ExpensiveTierFactory.tier(config.detection.expensive, es),
              config.detection.expensive.queueCapacity);
        }
        detection.addListener(new VerdictRecorder(store, directory, clock));
        scoreHistory = new ScoreHistoryRecorder(store, Duration.ofSeconds(1));
        detection.addRiskListener(scoreHistory);
        if (alerts != null) {
          detection.addListener(alerts);
        }
        metrics.bindDetection(detection, enforcement);
        sinks.add(0, detection);
      }
      LinkageService linkage = null;
      if (config.linkage.enabled && localDetection) {
        // The union of a cluster's traffic is scored by the same model as an account's, in its own engine.
        linkage = new LinkageService(new LinkageEngine(LinkageConfig.defaults().withThreads(config.linkage.threads),
            DetectionFactory.engine(config.detection)), enforcement, store, directory, clock,
            config.linkage.interval, config.linkage.queueCapacity);
        linkage.detection(detection);
        metrics.bindLinkage(linkage);
        for (Account a : store.accounts().all()) {
          linkage.account(a);
        }
        if (alerts != null) {
          // A cluster's ruling raises many members at once: the rule's cool-down folds them into one digest.
          linkage.addListener(a -> alerts.notify(new WebhookNotifier.Event(a.accountId(), null, a.level(),
              a.risk().score(), a.risk().reasons(), a.at(), "linkage:" + a.clusterId())));
        }
        sinks.add(linkage);
      }
      if (kafka != null && kafka.sink() != null) {
        sinks.add(kafka.sink());
      }
      if (log != null) {
        sinks.add(0, log);
      }
      ExchangeSink sink = sinks.size() == 1 ? sinks.get(0) : e -> {
        for (ExchangeSink s : sinks) {
          s.accept(e);
        }
      };
      UpstreamSettings upstream = UpstreamSettings.from(config.upstream, upstreamUrl);
      TrustedProxies proxies = new TrustedProxies(config.trustedProxies);
      String deployment = null;
      try {
        int[] actualPort = {config.server.port};
        // One server per event loop; Vert.x shares the port among them (an ephemeral port too).
        // the request path's check of new accounts: against this node's linkage, or the job's snapshot
        TieSource links = linkage != null ? linkage : kafka != null ? kafka.ties() : null;
        if (linkage == null && links != null) {
          metrics.bindTies(links); // bindLinkage did for this node's own
        }
        deployment = vx.deployVerticle(() -> new DataPlaneVerticle(this, metrics, log, sink, directory, enforcement, limiter,
            links, upstream, proxies, actualPort), new DeploymentOptions().setInstances(loops))
            .await(30, TimeUnit.SECONDS);
        AdminApi admin = new AdminApi(vx, store, directory, enforcement, metrics, config.limits.tiers.keySet(),
            adminToken, config.admin.metricsRequireToken, clock, detection).linkage(linkage).kafka(kafka);
        Router adminRouter = admin.router();
        HttpServer adminServer = vx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
            .requestHandler(adminRouter)
            .listen(config.admin.port, config.admin.host)
            .await(30, TimeUnit.SECONDS);
        LOG.info("gateway listening on {}:{} (admin {}:{}), upstream {}", config.server.host, actualPort[0],
            config.admin.host, adminServer.actualPort(), upstream.baseUrl());
        Gateway g = new Gateway(this, vx, owns, log, directory, enforcement, metrics, actualPort[0],
            adminServer.actualPort(), adminServer, deployment, detection);
        g.linkage = linkage;
        g.limitSync = limitSync;
        g.kafka = kafka;
        g.verdictRecorder = verdictRecorder;
        g.sharedDirectory = sharedDirectory;
        g.scoreHistory = scoreHistory;
        g.alerts = alerts;
        for (BiConsumer<Router, Gateway> ext : adminExtensions) {
          ext.accept(adminRouter, g);
        }
        return g;
      } catch (Exception e) {
        if (limitSync != null) {
          limitSync.close();
        }
        if (linkage != null) {
          linkage.close();
        }
        if (detection != null) {
          detection.close();
        }
        if (scoreHistory != null) {
          scoreHistory.close();
        }
        if (alerts != null) {
          alerts.close();
        }
        if (owns) {
          vx.close();
        } else if (deployment != null) {
          vx.undeploy(deployment);
        }
        if (verdictRecorder != null) {
          verdictRecorder.close();
        }
        if (sharedDirectory != null) {
          sharedDirectory.close();
        }
        if (kafka != null) {
          kafka.close();
        }
        if (log != null) {
          log.close();
        }
        throw new IllegalStateException("the gateway could not start: " + e.getMessage(), e);
      }
    }

    StageChain chain(GatewayMetrics metrics, ExchangeSink sink, AccountDirectory directory,
        EnforcementCache enforcement, Limiter limiter, TieSource linkage, HttpClient client,
        UpstreamSettings upstream) {
      List<Stage> stages = new ArrayList<>();
      stages.add(new MetricsStage(metrics));
      stages.add(new RecordStage(sink));
      stages.add(new AdmissionStage());
      stages.add(new AuthenticateStage(directory, sharedDirectory));
      stages.add(new ParseStage());
      stages.add(new EnforcementStage(enforcement));
      if (linkage != null) {
        stages.add(new ClusterTieStage(linkage));
      }
      stages.add(new LimitStage(limiter));
      stages.add(new DegradeStage());
      if (config.provenance.enabled) {
        stages.add(WatermarkStages.fromConfig(config));
      }
      stages.addAll(extraStages);
      stages.add(new ForwardStage(client, upstream));
      return new StageChain(stages);
    }
  }

  /** One event loop's data-plane server and upstream client. */
  private static final class DataPlaneVerticle extends VerticleBase {
    private final Builder b;
    private final GatewayMetrics metrics;
    private final ExchangeSink sink;
    private final AccountDirectory directory;
    private final EnforcementCache enforcement;
    private final Limiter limiter;
    private final TieSource linkage;
    private final UpstreamSettings upstream;
    private final TrustedProxies proxies;
    private final int[] port;

    DataPlaneVerticle(Builder b, GatewayMetrics metrics, ExchangeLog log, ExchangeSink sink,
        AccountDirectory directory, EnforcementCache enforcement, Limiter limiter, TieSource linkage,
        UpstreamSettings upstream, TrustedProxies proxies, int[] port) {
      this.b = b;
      this.metrics = metrics;
      this.sink = sink;
      this.directory = directory;
      this.enforcement = enforcement;
      this.limiter = limiter;
      this.linkage = linkage;
      this.upstream = upstream;
      this.proxies = proxies;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      HttpClientOptions clientOptions = new HttpClientOptions()
          .setKeepAlive(true)
          .setTcpNoDelay(true)
          .setKeepAliveTimeout(60)
          .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, upstream.connectTimeoutMs()));
      HttpClient client = vertx.createHttpClient(clientOptions,
          new PoolOptions().setHttp1MaxSize(upstream.maxConnections()).setMaxWaitQueueSize(-1));
      StageChain chain = b.chain(metrics, sink, directory, enforcement, limiter, linkage, client, upstream);
      DataPlane plane = new DataPlane(vertx, chain, proxies, b.config.server.maxBodyBytes, b.config.replay);
      return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(300))
          .requestHandler(plane::handle)
          .listen(b.config.server.port, b.config.server.host)
          .onSuccess(s -> port[0] = s.actualPort());
    }
  }
}
