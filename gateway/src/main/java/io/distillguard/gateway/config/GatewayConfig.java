package io.distillguard.gateway.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a gateway node needs to start. Bound from the YAML configuration file (kebab-case keys, see
 * {@code config/distillguard.example.yaml}), then overridden by environment variables and command-line flags.
 * Fields carry their defaults; {@link ConfigValidator} checks the whole tree and names the bad field.
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public final class GatewayConfig {
  public Server server = new Server();
  public Admin admin = new Admin();
  public Upstream upstream = new Upstream();
  /** Where the SQLite store, the exchange journal and the generated admin token live. */
  public String dataDir = "dg-data";
  /** The store: SQLite in the data directory unless {@code store.url} names a PostgreSQL database. */
  public StoreSettings store = new StoreSettings();
  /** Take each request's event time from {@code X-DistillGuard-Event-Time}; for replaying recorded traffic. */
  public boolean replay = false;
  /** Allow replay mode on a non-loopback bind address (anyone could then forge event times). */
  public boolean forceReplay = false;
  /** Peers whose {@code X-Forwarded-For} is believed, as CIDR blocks. */
  public List<String> trustedProxies = List.of("127.0.0.0/8", "::1/128");
  public Limits limits = new Limits();
  public ExchangeLog exchangeLog = new ExchangeLog();
  public Detection detection = new Detection();
  /** Notifications of escalations (webhooks). */
  public Alerts alerts = new Alerts();
  public Linkage linkage = new Linkage();
  public Provenance provenance = new Provenance();
  /** Kafka, for the scale-out topology (docs/scale.md): see {@code exchange-log.sink} and {@code detection.mode}. */
  public KafkaConfig kafka = new KafkaConfig();

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Server {
    public String host = "127.0.0.1";
    public int port = 8080;
    /** Largest request body accepted; larger ones get 413. */
    public long maxBodyBytes = 4L << 20;
    /** Event-loop threads serving the data plane; 0 means one per core. */
    public int eventLoops = 0;
    /** Use the operating system's native transport (epoll on Linux) when it is available; NIO otherwise. */
    public boolean nativeTransport = true;
  }

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Admin {
    public String host = "127.0.0.1";
    public int port = 8081;
    /** Bearer token for the admin API; when empty, taken from DISTILLGUARD_ADMIN_TOKEN or generated once. */
    public String token;
    /** Require the admin token on {@code /metrics} as well. */
    public boolean metricsRequireToken = false;
  }

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Upstream {
    /** Base URL of the OpenAI-compatible model server including {@code /v1}, or {@code builtin}. */
    public String url = "builtin";
    /** Key the gateway presents upstream; clients' keys are never forwarded. */
    public String apiKey;
    public Duration connectTimeout = Duration.ofSeconds(5);
    /** Longest wait for the response headers after the request was sent. */
    public Duration firstByteTimeout = Duration.ofSeconds(120);
    /** Longest silence between two chunks of a response once it has started. */
    public Duration idleTimeout = Duration.ofSeconds(60);
    /** Keep-alive connections to the upstream, per event loop. */
    public int maxConnections = 128;
    /** Largest non-streaming upstream response accepted. */
    public long maxResponseBytes = 32L << 20;
  }

  /**
   * A PostgreSQL store shared by gateway nodes. The password is never read from the file: it comes from the
   * environment variable {@code DISTILLGUARD_STORE_PASSWORD}.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class StoreSettings {
    /** {@code jdbc:postgresql://host:port/database}; unset: the SQLite file in the data directory. */
    public String url;
    public String user;
    /** Connections this node holds (used off the event loop only). */
    public int poolSize = 8;
    /** Longest wait for a connection before a store call fails. */
    public Duration connectionTimeout = Duration.ofSeconds(10);
    /**
     * This node's name among the nodes sharing the store (its journal checkpoint, its rate-limit usage and
     * heartbeat); unset: generated once into {@code <data-dir>/node-id}.
     */
    public String node;
  }

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Limits {
    /** Limits per tier; an account's {@code tier} attribute picks one, {@code default} otherwise. */
    public Map<String, Tier> tiers = defaultTiers();
    /** The account-level limits applied while an account is {@code throttled}. */
    public LimitSet throttled = LimitSet.of(10, 10_000, 1);
    /**
     * {@code local}: each node enforces its limits alone. {@code postgresql}: nodes sharing the PostgreSQL store
     * also count what the others admitted, synced every {@code sync-interval} off the request path; the cluster
     * over-admits by a bounded amount (docs/scale.md, "Rate limits across nodes"). Concurrency limits stay per node.
     */
    public String backend = "local";
    /** How often a node shares its consumption with the others (backend postgresql). */
    public Duration syncInterval = Duration.ofMillis(500);

    private static Map<String, Tier> defaultTiers() {
      Map<String, Tier> tiers = new LinkedHashMap<>();
      tiers.put("free", Tier.of(LimitSet.of(60, 40_000, 4), LimitSet.of(60, 40_000, 4)));
      tiers.put("default", Tier.of(LimitSet.of(600, 400_000, 32), LimitSet.of(600, 400_000, 32)));
      tiers.put("enterprise", Tier.of(LimitSet.of(6_000, 4_000_000, 256), LimitSet.of(3_000, 2_000_000, 128)));
      return tiers;
    }
  }

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Tier {
    public LimitSet account = new LimitSet();
    public LimitSet key = new LimitSet();

    public static Tier of(LimitSet account, LimitSet key) {
      Tier t = new Tier();
      t.account = account;
      t.key = key;
      return t;
    }
  }

  /** Zero means unlimited. */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class LimitSet {
    public long requestsPerMinute = 0;
    public long tokensPerMinute = 0;
    public int concurrent = 0;

    public static LimitSet of(long requestsPerMinute, long tokensPerMinute, int concurrent) {
      LimitSet l = new LimitSet();
      l.requestsPerMinute = requestsPerMinute;
      l.tokensPerMinute = tokensPerMinute;
      l.concurrent = concurrent;
      return l;
    }
  }

  /**
   * Per-account detection: a calibrated model (detectors, the weights that combine them, thresholds and minimum
   * evidence per level; written by {@code distillguard calibrate}), optional overrides of its levels, and the
   * accounts licensed to distill.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Detection {
    public boolean enabled = true;
    /**
     * {@code local}: this node runs detection and linkage on its own exchanges. {@code remote}: verdicts come from
     * the Kafka verdict topic (the Flink detection job), and local detection and linkage are off.
     */
    public String mode = "local";
    /** Model file (Properties format); unset: the model bundled with the release. */
    public String model;
    /** Overrides of the model's lowest score for each action; unset: the model's (recalibrating is better). */
    public Double watch;
    public Double throttle;
    public Double degrade;
    public Double block;
    /** Overrides of the model's least number of exchanges before an account may be throttled / blocked. */
    public Long minEvidenceThrottle;
    public Long minEvidenceBlock;
    /** Accounts licensed to distill (besides the model's): scored and reported, never restricted beyond watch. */
    public List<String> allowlist = List.of();
    /** Exchanges waiting for the detection thread; beyond this they are skipped for detection (still logged). */
    public int queueCapacity = 50_000;
    /** The expensive tier: prompt embeddings and distribution tests on suspects (docs/detection.md). */
    public Expensive expensive = new Expensive();
  }

  /**
   * The expensive detection tier: sentence embeddings (all-MiniLM-L6-v2, in-process) of a sample of suspects'
   * prompts, tested against a benign reference (MMD) and for synthetic nearest-neighbour distances (PRADA). Its
   * model loads on its own thread when the first suspect's prompt arrives; its findings go into the account's
   * reasons and, with a weight above 0, its score.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Expensive {
    public boolean enabled = true;
    /** Least level (from the cheap tier) at which an account's prompts are embedded: watch, throttle, degrade. */
    public String minLevel = "watch";
    /** Share of a suspect's exchanges embedded (by a hash of the exchange id). */
    public double sampleRate = 0.5;
    /** Prompts waiting for the worker; beyond this they are dropped (and counted). */
    public int queueCapacity = 256;
    /** Suspect accounts with embedding state at once (12,822 bytes each); the least recent is dropped beyond. */
    public int maxAccounts = 2048;
    /**
     * Log-odds added to the score per unit of each signal; unset: the defaults, 0 (findings are shown in the
     * account's reasons but do not move its score; docs/detection.md has the measurements behind that).
     */
    public Double weightShift;
    public Double weightNn;
    /** Reference base path (FILE.bin, FILE.properties) from distillguard embeddings-reference; unset: the shipped. */
    public String reference;
  }

  /**
   * Cross-account linkage (docs/linkage.md): clusters of accounts operated together, recomputed on its own thread
   * every {@code interval}, with accounts joining known clusters between recomputations; a cluster's level applies
   * to all its members.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Linkage {
    public boolean enabled = true;
    /** Time between recomputations (wall clock). */
    public Duration interval = Duration.ofSeconds(60);
    /** Exchanges waiting for the linkage thread; beyond this they are skipped for linkage (still logged). */
    public int queueCapacity = 50_000;
    /**
     * Threads scoring candidate pairs during a recomputation (the linkage thread and helpers). One leaves the other
     * cores to the data plane; a deployment of a million accounts gives linkage two (docs/linkage.md).
     */
    public int threads = 1;
  }

  /**
   * Escalation notifications. Each webhook with each level it covers is one rule: the rule's first escalation is
   * sent at once, later ones within its cool-down are folded into one digest at the end of it.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Alerts {
    /** The dashboard's address as analysts reach it (e.g. https://dg-admin.example.com/ui/), for links; optional. */
    public String dashboardUrl;
    public List<Webhook> webhooks = List.of();
  }

  /** One webhook receiving escalations as JSON (Slack-compatible: text and blocks). */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Webhook {
    /** Names the webhook in logs, metrics and rule names. */
    public String name = "default";
    public String url;
    /** Least level reached that is sent: watch, throttle, degrade or block. */
    public String minLevel = "throttle";
    /** After a message, further escalations to the same level wait this long and go out as one digest. */
    public Duration cooldown = Duration.ofMinutes(10);
    /** Attempts per message, the first included; network errors, 429 and 5xx are retried. */
    public int maxAttempts = 6;
    public Duration initialBackoff = Duration.ofSeconds(1);
    public Duration maxBackoff = Duration.ofMinutes(5);
    /** Longest wait for the receiver's answer per attempt. */
    public Duration timeout = Duration.ofSeconds(10);
    /** Extra request headers, e.g. an authorization the receiver expects. */
    public Map<String, String> headers = Map.of();
  }

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class ExchangeLog {
    /**
     * Where exchanges go: {@code store} (the journal and the store, the single-node default), {@code kafka} (the
     * exchanges topic, with a local spill) or {@code both}.
     */
    public String sink = "store";
    /** Exchanges waiting for the store; beyond this they are kept in the journal only (spilled). */
    public int queueCapacity = 20_000;
    public int batchSize = 500;
    /** Longest a recorded exchange lingers for a fuller batch before it is written to the store. */
    public Duration flushInterval = Duration.ofMillis(100);
    /** Exchanges older than this (by event time) are deleted; 0 keeps them forever. */
    public int retentionDays = 30;
    /** Keep only digests and lengths of prompt and response text. */
    public boolean redactText = false;
    /** Force every journal append to disk; without it the journal survives a process crash, not a power cut. */
    public boolean fsync = false;
    /** Size at which a journal segment is closed and a new one begun. */
    public long segmentBytes = 64L << 20;
  }

  /**
   * The keyed lexical watermark on served text (docs/provenance.md). Keys are derived per account from the master
   * secret, which comes from {@code master-secret}, else {@code DISTILLGUARD_WATERMARK_SECRET}, else is generated
   * into {@code <data-dir>/watermark-secret}; it is never logged.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static final class Provenance {
    public boolean enabled = false;
    public String masterSecret;
    /** {@code account} (a key per account: a positive test names the account) or {@code global}. */
    public String keys = "account";
    /**
     * Share of (context, word set) pairs rewritten, per account status; a stronger level rewrites a superset.
     * Statuses not listed (blocked) are not watermarked.
     */
    public Map<String, Double> strength = new LinkedHashMap<>(Map.of(
        "active", 0.8, "watch", 1.0, "throttled", 1.0, "degraded", 1.0));
  }
}
