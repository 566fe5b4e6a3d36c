package io.distillguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.gateway.Gateway;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.Store;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Load generator for the whole gateway: measures the gateway and the upstream directly, side by side and interleaved,
 * so that the noise of a small shared machine hits both alike.
 *
 * <p>By default everything runs in this one JVM: the builtin upstream in fixed-response mode (the cheapest stand-in),
 * a gateway in front of it (store in a temporary directory, one account and key created through the admin API over
 * HTTP, limits set so high they never refuse but the limiter still does its work), and the client (a Vert.x
 * HttpClient on one event loop, keep-alive connections). With {@code --target-url} and {@code --key} it measures a
 * gateway running in another process instead; with {@code --direct-url} an upstream running elsewhere.
 *
 * <p>Phases:
 * <ul>
 *   <li>{@code latency}: concurrency 1, requests alternating gateway / direct, each latency in its own HdrHistogram.
 *   <li>{@code throughput}: closed loop, C connections for D seconds per block, blocks alternating direct / gateway.
 *       Closed-loop percentiles are service times (they hide coordinated omission, by construction).
 *   <li>{@code rate}: open loop at a fixed rate ({@code --rate}); requests are scheduled at intended times and latency
 *       is measured from the intended start, so the percentiles are corrected for coordinated omission.
 * </ul>
 */
public final class LoadTest {
  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String BENCH_ACCOUNT = "bench";

  /** Command-line options; see {@link #usage()}. */
  static final class Options {
    int warmupPairs = 10_000;
    int pairs = 100_000;
    int warmupSeconds = 8;
    int connections = 64;
    int durationSeconds = 10;
    int rounds = 3;
    double rate = 0;
    String targetUrl;
    String key;
    String directUrl;
    String metricsUrl;
    int upstreamPort = 0;
    int gatewayEventLoops = 0;
    String limits = "generous";
    String exchangeStore = "sqlite";
    String detection = "on";
    String nativeTransport = "on";
    String linkage = "on";
    Map<Long, String> peerPids = new java.util.LinkedHashMap<>();
    int quietWaitSeconds = 30;
    int retries = 3;
    int latencyChunks = 10;
    double quietCores = 0.15;
    Path bodyFile;
    Set<String> phases;
  }

  private LoadTest() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    new Run(o).run();
    System.exit(0);
  }

  static String usage() {
    return String.join("\n",
        "usage: java -cp benchmarks.jar io.distillguard.bench.LoadTest [options]",
        "  --phases LIST          latency,throughput[,rate] (default: latency,throughput, plus rate if --rate)",
        "  --warmup-pairs N       concurrency-1 warm-up request pairs, not recorded (default 10000)",
        "  --pairs N              concurrency-1 measured pairs (one gateway + one direct request each; default 100000)",
        "  --warmup-seconds S     closed-loop warm-up per target before all phases (default 8)",
        "  --connections C        connections for throughput and rate phases (default 64)",
        "  --duration D           seconds per throughput/rate block (default 10)",
        "  --rounds R             blocks per target, alternating (default 3)",
        "  --rate R               open-loop phase at R requests/s per target",
        "  --target-url URL       measure this gateway (server root) instead of starting one in-process",
        "  --key KEY              API key for --target-url",
        "  --metrics-url URL      the gateway's admin /metrics (default: the in-process gateway's)",
        "  --direct-url URL       measure this upstream directly instead of starting the builtin one in-process",
        "  --upstream-port P      port of the in-process builtin upstream (default 0 = ephemeral)",
        "  --gateway-event-loops N  event loops of the in-process gateway (default 0 = one per core)",
        "  --limits generous|off  in-process gateway limits: huge (buckets still run) or 0 = unlimited (default generous)",
        "  --exchange-store sqlite|none  diagnostic: 'none' keeps the journal but stores exchanges nowhere, to",
        "                         measure what the SQLite writer costs (in-process gateway only; default sqlite)",
        "  --detection on|off     in-process gateway: detection on (the bench account is allowlisted, so it is scored",
        "                         but never restricted) or off (default on); compare: two in-process gateways, with",
        "                         and without detection, measured against each other instead of gateway vs direct",
        "  --native-transport on|off  in-process gateway: epoll (default on) or NIO",
        "  --linkage on|off|compare  in-process gateway(s): cross-account linkage on its own thread (default on);",
        "                         compare: two gateways, with and without linkage, measured against each other",
        "  --peer-pids LIST       NAME=PID,... of an external gateway/upstream: counted as the measurement's own",
        "                         CPU and reported per process and thread",
        "  --quiet-wait S         before each block wait up to S s for other processes to go quiet (default 30)",
        "  --quiet-cores X        'quiet' = other processes below X cores (default 0.15)",
        "  --retries N            a block during which other processes used more is discarded and measured again,",
        "                         at most N times (default 3); blocks still disturbed are flagged DISTURBED",
        "  --latency-chunks K     the concurrency-1 phase is measured in K chunks (each can be redone; default 10)",
        "  --body FILE            request body (default: a small chat completion)");
  }

  static Options parse(String[] args) {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("-h") || flag.equals("--help")) {
        throw new IllegalArgumentException("");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + flag);
      }
      String v = args[++i];
      switch (flag) {
        case "--phases" -> o.phases = new LinkedHashSet<>(List.of(v.split(",")));
        case "--warmup-pairs" -> o.warmupPairs = Integer.parseInt(v);
        case "--pairs" -> o.pairs = Integer.parseInt(v);
        case "--warmup-seconds" -> o.warmupSeconds = Integer.parseInt(v);
        case "--connections" -> o.connections = Integer.parseInt(v);
        case "--duration" -> o.durationSeconds = Integer.parseInt(v);
        case "--rounds" -> o.rounds = Integer.parseInt(v);
        case "--rate" -> o.rate = Double.parseDouble(v);
        case "--target-url" -> o.targetUrl = v;
        case "--key" -> o.key = v;
        case "--metrics-url" -> o.metricsUrl = v;
        case "--direct-url" -> o.directUrl = v;
        case "--upstream-port" -> o.upstreamPort = Integer.parseInt(v);
        case "--gateway-event-loops" -> o.gatewayEventLoops = Integer.parseInt(v);
        case "--limits" -> o.limits = v;
        case "--body" -> o.bodyFile = Path.of(v);
        case "--exchange-store" -> o.exchangeStore = v;
        case "--detection" -> o.detection = v;
        case "--native-transport" -> o.nativeTransport = v;
        case "--linkage" -> o.linkage = v;
        case "--peer-pids" -> {
          for (String pid : v.split(",")) {
            if (!pid.isBlank()) {
              String[] kv = pid.trim().split("=");
              String label = kv.length == 2 ? kv[0] : "peer" + (o.peerPids.size() + 1);
              o.peerPids.put(Long.parseLong(kv[kv.length - 1]), label);
            }
          }
        }
        case "--quiet-wait" -> o.quietWaitSeconds = Integer.parseInt(v);
        case "--quiet-cores" -> o.quietCores = Double.parseDouble(v);
        case "--retries" -> o.retries = Integer.parseInt(v);
        case "--latency-chunks" -> o.latencyChunks = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if (o.targetUrl != null && o.key == null) {
      throw new IllegalArgumentException("--target-url needs --key");
    }
    if (!Set.of("on", "off", "compare").contains(o.detection)) {
      throw new IllegalArgumentException("--detection must be on, off or compare");
    }
    if (!Set.of("on", "off", "compare").contains(o.linkage)) {
      throw new IllegalArgumentException("--linkage must be on, off or compare");
    }
    if (o.linkage.equals("compare") && o.detection.equals("compare")) {
      throw new IllegalArgumentException("compare one thing at a time: --detection compare or --linkage compare");
    }
    if (!o.nativeTransport.equals("on") && !o.nativeTransport.equals("off")) {
      throw new IllegalArgumentException("--native-transport must be on or off");
    }
    if (!o.exchangeStore.equals("sqlite") && !o.exchangeStore.equals("none")) {
      throw new IllegalArgumentException("--exchange-store must be sqlite or none");
    }
    if (!o.limits.equals("generous") && !o.limits.equals("off")) {
      throw new IllegalArgumentException("--limits must be generous or off");
    }
    if (o.phases == null) {
      o.phases = new LinkedHashSet<>(List.of("latency", "throughput"));
      if (o.rate > 0) {
        o.phases.add("rate");
      }
    }
    for (String p : o.phases) {
      if (!Set.of("latency", "throughput", "rate").contains(p)) {
        throw new IllegalArgumentException("unknown phase " + p);
      }
    }
    if (o.phases.contains("rate") && o.rate <= 0) {
      throw new IllegalArgumentException("the rate phase needs --rate R");
    }
    return o;
  }

  /** Latencies of one target in one phase. */
  static final class Result {
    final String target;
    final Histogram latency = newHistogram();
    final Histogram service = newHistogram();
    final Histogram dispatchLag = newHistogram();
    long ok;
    long errors;
    long nanos;
    boolean saturated;
    final List<Double> blockRates = new ArrayList<>();
    /** Failed requests by HTTP status (-1: no answer). */
    final java.util.TreeMap<Integer, Long> failures = new java.util.TreeMap<>();

    Result(String target) {
      this.target = target;
    }

    void fail(io.vertx.core.AsyncResult<Integer> ar) {
      errors++;
      failures.merge(ar.succeeded() ? ar.result() : -1, 1L, Long::sum);
    }

    void addFailures(Result other) {
      other.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
    }

    double rps() {
      return nanos == 0 ? 0 : ok * 1e9 / nanos;
    }
  }

  /** A store whose exchange repository keeps nothing (accounts, keys and audit are the real ones). */
  static final class NullExchangeStore implements Store {
    private final Store delegate;
    private final BenchSupport.NullRepository exchanges = new BenchSupport.NullRepository();

    NullExchangeStore(Store delegate) {
      this.delegate = delegate;
    }

    @Override
    public io.distillguard.store.AccountRepository accounts() {
      return delegate.accounts();
    }

    @Override
    public io.distillguard.store.KeyRepository keys() {
      return delegate.keys();
    }

    @Override
    public io.distillguard.store.ExchangeRepository exchanges() {
      return exchanges;
    }

    @Override
    public io.distillguard.store.AuditLog audit() {
      return delegate.audit();
    }

    @Override
    public void close() {
      // the delegate is closed by the run
    }
  }

  static Histogram newHistogram() {
    return new Histogram(MAX_MICROS, 3);
  }

  static void record(Histogram h, long nanos) {
    h.recordValue(Math.max(0, Math.min(MAX_MICROS, nanos / 1_000)));
  }

  /** One run: the set-up, the phases, the report. */
  static final class Run {
    private final Options o;
    private final byte[] body;
    private Path tempDir;
    private BuiltinUpstream upstream;
    private Store store;
    private Gateway gateway;
    /** The detection-off gateway of {@code --detection compare}; null otherwise. */
    private InProcess second;
    private Vertx clientVertx;
    private Context clientContext;
    private Target gw;
    private Target direct;
    private String metricsUrl;
    private final Machine machine;
    private final List<String> disturbed = new ArrayList<>();
    private int discardedBlocks;

    Run(Options o) throws IOException {
      this.o = o;
      Map<Long, String> ours = new java.util.LinkedHashMap<>(o.peerPids);
      ours.put(ProcessHandle.current().pid(), o.peerPids.isEmpty() ? "jvm" : "loadgen");
      this.machine = new Machine(ours);
      this.body = o.bodyFile == null ? Fixtures.SMALL_CHAT.getBytes(StandardCharsets.UTF_8)
          : Files.readAllBytes(o.bodyFile);
    }

    void run() throws Exception {
      printMachine();
      try {
        setUp();
        clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        clientContext = clientVertx.getOrCreateContext();
        System.out.printf(Locale.ROOT, "gateway: %s%ndirect:  %s%nbody:    %d bytes%n%n", gw.url(), direct.url(),
            body.length);
        warmUp();
        if (o.phases.contains("latency")) {
          latencyPhase();
        }
        if (o.phases.contains("throughput")) {
          throughputPhase();
        }
        if (o.phases.contains("rate")) {
          ratePhase();
        }
        System.out.printf(Locale.ROOT, "%d disturbed block(s) discarded and measured again; ", discardedBlocks);
        System.out.println(disturbed.isEmpty()
            ? "no block kept was disturbed by other processes (threshold " + o.quietCores + " cores)"
            : "DISTURBED blocks kept after " + o.retries + " retries (other processes above " + o.quietCores
                + " cores): " + disturbed);
      } finally {
        tearDown();
      }
    }

    private void printMachine() {
      String started = OffsetDateTime.now().withNano(0).toString();
      System.out.println("DistillGuard load test, " + started);
      System.out.printf(Locale.ROOT, "machine: %d cores (availableProcessors), %s %s, %s %s, heap max %d MiB%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
          System.getProperty("java.runtime.version"), System.getProperty("os.name"), System.getProperty("os.arch"),
          Runtime.getRuntime().maxMemory() >> 20);
      System.out.println("jvm args: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
      String who = o.targetUrl == null ? "the load generator, the gateway and the upstream all run in this JVM"
          : "the gateway runs in its own process, the load generator" + (o.directUrl == null
              ? " and the upstream run in this JVM" : " in this JVM, the upstream in a third process");
      System.out.printf(Locale.ROOT, "NOTE: %s; all share the machine's %d cores, and the figures include their "
          + "contention.%n",
          who, Runtime.getRuntime().availableProcessors());
    }

    private void setUp() throws Exception {
      String directBase;
      if (o.directUrl != null) {
        directBase = o.directUrl;
      } else {
        upstream = BuiltinUpstream.start(new BuiltinUpstreamOptions().host("127.0.0.1").port(o.upstreamPort)
            .fixedResponse(Fixtures.FIXED_ANSWER));
        directBase = upstream.baseUrl();
        System.out.println("builtin upstream (fixed-response mode) on " + directBase);
      }
      String key;
      String gatewayBase;
      if (o.targetUrl != null) {
        gatewayBase = o.targetUrl;
        key = o.key;
        metricsUrl = o.metricsUrl;
        System.out.println("external gateway " + gatewayBase + (metricsUrl == null ? " (no --metrics-url)" : ""));
      } else {
        tempDir = Files.createTempDirectory("dg-loadtest");
        String upstreamApi = directBase.replaceAll("/+$", "");
        upstreamApi = upstreamApi.endsWith("/v1") ? upstreamApi : upstreamApi + "/v1";
        boolean linkageCompare = o.linkage.equals("compare");
        boolean compare = o.detection.equals("compare") || linkageCompare;
        InProcess on = startGateway(upstreamApi, tempDir.resolve("gateway"), !o.detection.equals("off"),
            !o.linkage.equals("off"));
        gateway = on.gateway();
        store = on.store();
        gatewayBase = on.base();
        key = on.key();
        metricsUrl = o.metricsUrl != null ? o.metricsUrl : on.admin() + "/metrics";
        System.out.printf(Locale.ROOT, "in-process gateway on %s (admin %s, %s event loops, limits %s, data %s)%n",
            gatewayBase, on.admin(), o.gatewayEventLoops > 0 ? o.gatewayEventLoops
                : Runtime.getRuntime().availableProcessors(),
            o.limits.equals("off") ? "0 = unlimited" : "generous (never refuse, buckets still run)", tempDir);
        System.out.println("transport: " + (gateway.vertx().isNativeTransportEnabled() ? "native (epoll)" : "NIO"));
        System.out.println("detection: " + (o.detection.equals("off") ? "off"
            : "on (account '" + BENCH_ACCOUNT + "' allowlisted: scored, never restricted)"));
        if (o.exchangeStore.equals("none")) {
          System.out.println("DIAGNOSTIC MODE: exchanges are journaled but not stored (--exchange-store none)");
        }
        if (compare) {
          // The second gateway takes the place of the direct target, so every phase compares the two gateways
          // request by request, interleaved: the machine's noise hits both alike.
          String what = linkageCompare ? "linkage" : "detect";
          second = linkageCompare
              ? startGateway(upstreamApi, tempDir.resolve("gateway-off"), !o.detection.equals("off"), false)
              : startGateway(upstreamApi, tempDir.resolve("gateway-off"), false, !o.linkage.equals("off"));
          System.out.println("COMPARE MODE: '" + what + "-on' is a gateway with " + (linkageCompare ? "linkage"
              : "detection") + ", '" + what + "-off' an identical gateway without it on " + second.base()
              + " (same upstream, same limits, same store kind)");
          gw = new Target(what + "-on", gatewayBase, key, body);
          direct = new Target(what + "-off", second.base(), second.key(), body);
          return;
        }
      }
      gw = new Target("gateway", gatewayBase, key, body);
      direct = new Target("direct", directBase, key, body);
    }

    /** An in-process gateway of this run, with its own store, data directory and bench key. */
    private record InProcess(Gateway gateway, Store store, String base, String admin, String key) {}

    private InProcess startGateway(String upstreamApi, Path dir, boolean detection, boolean linkage)
        throws Exception {
      GatewayConfig c = new GatewayConfig();
      c.server.port = 0;
      c.server.eventLoops = o.gatewayEventLoops;
      c.server.nativeTransport = o.nativeTransport.equals("on");
      c.admin.port = 0;
      c.dataDir = dir.toString();
      c.upstream.url = upstreamApi;
      c.limits = o.limits.equals("off") ? Fixtures.noLimits() : Fixtures.generousLimits();
      // Detection runs on every exchange, but the load test's single account sending one prompt thousands of
      // times a second would be throttled or blocked: it is allowlisted (scored, never restricted).
      c.detection.enabled = detection;
      c.linkage.enabled = linkage;
      c.detection.allowlist = List.of(BENCH_ACCOUNT);
      Store s = JdbcStore.openSqlite(dir);
      Store gatewayStore = o.exchangeStore.equals("none") ? new NullExchangeStore(s) : s;
      Gateway g = Gateway.builder(c, gatewayStore).upstreamUrl(upstreamApi).adminToken("bench-admin-token").start();
      String admin = "http://127.0.0.1:" + g.adminPort();
      return new InProcess(g, s, "http://127.0.0.1:" + g.port(), admin, createKey(admin, "bench-admin-token"));
    }

    /** Creates an enterprise account and a key through the admin API, over HTTP like an operator would. */
    static String createKey(String admin, String token) throws Exception {
      HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> a = c.send(HttpRequest.newBuilder(URI.create(admin + "/admin/v1/accounts"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"id\":\"bench\",\"name\":\"load test\",\"attributes\":{\"tier\":\"enterprise\"}}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      if (a.statusCode() != 201) {
        throw new IllegalStateException("creating the account failed: " + a.statusCode() + " " + a.body());
      }
      HttpResponse<String> k = c.send(HttpRequest.newBuilder(URI.create(admin + "/admin/v1/accounts/bench/keys"))
          .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      if (k.statusCode() != 201) {
        throw new IllegalStateException("creating the key failed: " + k.statusCode() + " " + k.body());
      }
      JsonNode n = JSON.readTree(k.body());
      return n.get("key").asText();
    }

    private void tearDown() {
      if (gw != null) {
        gw.close();
        direct.close();
      }
      if (clientVertx != null) {
        clientVertx.close().await();
      }
      if (gateway != null) {
        gateway.close();
      }
      if (second != null) {
        second.gateway().close();
        second.store().close();
      }
      if (upstream != null) {
        upstream.close();
      }
      if (store != null) {
        store.close();
      }
      if (tempDir != null) {
        try (Stream<Path> files = Files.walk(tempDir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // best effort
        }
      }
    }

    // ---- phases ----

    private void warmUp() throws Exception {
      if (o.warmupSeconds <= 0) {
        return;
      }
      System.out.printf(Locale.ROOT, "warm-up: closed loop, 16 connections, %d s per target (not recorded)%n",
          o.warmupSeconds);
      for (Target t : List.of(direct, gw)) {
        t.open(clientVertx, 16);
        Result r = closedLoop(t, 16, TimeUnit.SECONDS.toNanos(o.warmupSeconds));
        System.out.printf(Locale.ROOT, "  %-8s %8.0f req/s, %d errors%n", t.name, r.rps(), r.errors);
        t.close();
      }
      System.out.println();
    }

    /** A measured block and what the rest of the machine did meanwhile. */
    private record Measured<T>(T value, Machine.Usage usage, int discarded) {}

    private interface BlockBody<T> {
      T run() throws Exception;
    }

    /**
     * Runs one block after the exchange log caught up and the machine went quiet; when other processes took more
     * than {@code --quiet-cores} during it, discards it and measures it again (at most {@code --retries} times).
     */
    private <T> Measured<T> measure(String what, BlockBody<T> body) throws Exception {
      int discarded = 0;
      while (true) {
        prepareBlock(what);
        Machine.Sample m0 = machine.sample();
        T value = body.run();
        Machine.Usage u = machine.between(m0, machine.sample());
        boolean bad = u.disturbed(o.quietCores);
        if (!bad || discarded >= o.retries) {
          if (bad) {
            disturbed.add(what + ": " + u.describe());
          }
          return new Measured<>(value, u, discarded);
        }
        discarded++;
        discardedBlocks++;
        System.out.printf(Locale.ROOT, "  (%s discarded, %s; measuring it again)%n", what, u.describe());
      }
    }

    private String cpuNote(Measured<?> m) {
      return "  " + (m.usage().disturbed(o.quietCores) ? "DISTURBED " : "") + m.usage().describe()
          + (m.discarded() > 0 ? " [" + m.discarded() + " disturbed attempt(s) discarded]" : "");
    }

    private void latencyPhase() throws Exception {
      int chunks = Math.max(1, Math.min(o.latencyChunks, o.pairs));
      System.out.printf(Locale.ROOT, "== latency at concurrency 1: %d warm-up + %d measured requests per target, "
          + "alternating gateway/direct, one keep-alive connection each, measured in %d chunks ==%n", o.warmupPairs,
          o.pairs, chunks);
      gw.open(clientVertx, 1);
      direct.open(clientVertx, 1);
      OverheadScrape before = OverheadScrape.fetch(metricsUrl);
      alternating(o.warmupPairs, 0);
      Result g = new Result(gw.name);
      Result d = new Result(direct.name);
      double othersMax = 0;
      double othersSum = 0;
      int redone = 0;
      Machine.Usage cpu = Machine.Usage.none();
      for (int c = 0; c < chunks; c++) {
        int n = c == chunks - 1 ? o.pairs - (chunks - 1) * (o.pairs / chunks) : o.pairs / chunks;
        Measured<Result[]> m = measure("latency chunk " + (c + 1) + "/" + chunks, () -> alternating(0, n));
        for (int k = 0; k < 2; k++) {
          Result from = m.value()[k];
          Result to = k == 0 ? g : d;
          to.latency.add(from.latency);
          to.ok += from.ok;
          to.errors += from.errors;
          to.addFailures(from);
          to.nanos += from.nanos;
        }
        cpu = cpu.plus(m.usage());
        othersMax = Math.max(othersMax, m.usage().othersCores());
        othersSum += m.usage().othersCores();
        redone += m.discarded();
      }
      OverheadScrape during = OverheadScrape.fetch(metricsUrl).minus(before);
      gw.close();
      direct.close();
      printTable(List.of(d, g), false);
      System.out.printf(Locale.ROOT, "  (%.1f s measured; other processes: mean %.2f, max %.2f cores per chunk; "
          + "%d disturbed chunk(s) discarded and measured again)%n", g.nanos / 1e9, othersSum / chunks, othersMax,
          redone);
      System.out.println("  " + cpu.perRequest(g.ok + d.ok) + "  (per request of either target; gateway requests "
          + "cost the difference between the two)");
      Histogram gh = g.latency;
      Histogram dh = d.latency;
      System.out.printf(Locale.ROOT, "added latency (%s minus %s): p50 %+d µs, p90 %+d µs, p99 %+d µs, "
              + "p99.9 %+d µs%n", gw.name, direct.name,
          gh.getValueAtPercentile(50) - dh.getValueAtPercentile(50),
          gh.getValueAtPercentile(90) - dh.getValueAtPercentile(90),
          gh.getValueAtPercentile(99) - dh.getValueAtPercentile(99),
          gh.getValueAtPercentile(99.9) - dh.getValueAtPercentile(99.9));
      if (second != null) {
        System.out.printf(Locale.ROOT, "p99 %s / p99 %s = %.3f (p50 ratio %.3f)%n", gw.name, direct.name,
            (double) gh.getValueAtPercentile(99) / dh.getValueAtPercentile(99),
            (double) gh.getValueAtPercentile(50) / dh.getValueAtPercentile(50));
      }
      System.out.println("gateway's own overhead histogram (admin /metrics, this phase incl. warm-up): "
          + during.summary());
      if (during.hasLog()) {
        System.out.println("exchange log at the end of the phase: " + during.logSummary());
      }
      System.out.println();
    }

    /** A gateway throughput block with the gateway's metrics around it. */
    private record GatewayBlock(Result result, OverheadScrape before, OverheadScrape after) {}

    private void throughputPhase() throws Exception {
      System.out.printf(Locale.ROOT, "== throughput: closed loop, %d connections, %d blocks of %d s per target, "
          + "alternating ==%n", o.connections, o.rounds, o.durationSeconds);
      System.out.println("(closed-loop percentiles are service times: a closed loop waits for each answer, so they "
          + "are NOT corrected for coordinated omission; see the rate phase for that)");
      gw.open(clientVertx, o.connections);
      direct.open(clientVertx, o.connections);
      Result dAll = new Result(direct.name);
      Result gAll = new Result(gw.name);
      OverheadScrape gwScrape = OverheadScrape.empty();
      double drainSeconds = 0;
      for (int round = 0; round < o.rounds; round++) {
        List<Target> order = round % 2 == 0 ? List.of(direct, gw) : List.of(gw, direct);
        for (Target t : order) {
          String name = "throughput round " + (round + 1) + " " + t.name;
          Measured<GatewayBlock> m = measure(name, () -> {
            OverheadScrape before = t == gw ? OverheadScrape.fetch(metricsUrl) : null;
            Result r = closedLoop(t, o.connections, TimeUnit.SECONDS.toNanos(o.durationSeconds));
            OverheadScrape after = t == gw ? OverheadScrape.fetch(metricsUrl) : null;
            return new GatewayBlock(r, before, after);
          });
          Result r = m.value().result();
          String logNote = "";
          if (t == gw) {
            OverheadScrape before = m.value().before();
            OverheadScrape after = m.value().after();
            OverheadScrape d = after.minus(before);
            gwScrape = gwScrape.count == 0 ? d : merge(gwScrape, d);
            if (after.hasLog()) {
              double drain = settle();
              drainSeconds += drain;
              OverheadScrape end = OverheadScrape.fetch(metricsUrl);
              logNote = String.format(Locale.ROOT, "exchange log: %.0f stored during the block, backlog %.0f at "
                      + "its end (spilled +%.0f), %.1f s more to store it", after.stored - before.stored,
                  after.backlog, after.spilled - before.spilled, drain);
              if (end.dropped > 0) {
                logNote += ", DROPPED " + end.dropped;
              }
            }
          }
          System.out.printf(Locale.ROOT, "  round %d %-8s %8.0f req/s  p50 %6d µs  p99 %6d µs  errors %d%s%n",
              round + 1, t.name, r.rps(), r.latency.getValueAtPercentile(50), r.latency.getValueAtPercentile(99),
              r.errors, cpuNote(m));
          System.out.println("           " + m.usage().perRequest(r.ok));
          if (!logNote.isEmpty()) {
            System.out.println("           " + logNote);
          }
          Result all = t == gw ? gAll : dAll;
          all.latency.add(r.latency);
          all.ok += r.ok;
          all.errors += r.errors;
          all.addFailures(r);
          all.nanos += r.nanos;
          all.blockRates.add(r.rps());
        }
      }
      gw.close();
      direct.close();
      printTable(List.of(dAll, gAll), true);
      System.out.printf(Locale.ROOT, "per-block req/s: direct %s, gateway %s%n", rates(dAll), rates(gAll));
      System.out.printf(Locale.ROOT, "gateway throughput / direct throughput: %.2f%n", gAll.rps() / dAll.rps());
      if (metricsUrl != null) {
        System.out.printf(Locale.ROOT, "gateway throughput counting the time the exchange log needed to store the "
                + "block's exchanges afterwards (sustainable rate with the log keeping up): %.0f req/s%n",
            gAll.ok / (gAll.nanos / 1e9 + drainSeconds));
      }
      System.out.println("gateway's own overhead histogram (admin /metrics, gateway blocks): " + gwScrape.summary());
      System.out.println();
    }

    private static String rates(Result r) {
      StringBuilder sb = new StringBuilder();
      for (double v : r.blockRates) {
        sb.append(sb.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.0f", v));
      }
      return sb.toString();
    }

    private void ratePhase() throws Exception {
      System.out.printf(Locale.ROOT, "== open loop at %.0f req/s per target: %d blocks of %d s, alternating, up to "
          + "%d connections; latency from the INTENDED start (coordinated-omission corrected) ==%n", o.rate,
          o.rounds, o.durationSeconds, o.connections);
      gw.open(clientVertx, o.connections);
      direct.open(clientVertx, o.connections);
      Result dAll = new Result(direct.name);
      Result gAll = new Result(gw.name);
      for (int round = 0; round < o.rounds; round++) {
        List<Target> order = round % 2 == 0 ? List.of(direct, gw) : List.of(gw, direct);
        for (Target t : order) {
          Measured<Result> m = measure("rate round " + (round + 1) + " " + t.name,
              () -> openLoop(t, o.rate, TimeUnit.SECONDS.toNanos(o.durationSeconds)));
          Result r = m.value();
          System.out.printf(Locale.ROOT, "  round %d %-8s %8.0f req/s done  p50 %6d µs  p99 %6d µs  max %7d µs"
                  + "  errors %d%s%s%n", round + 1, t.name, r.rps(), r.latency.getValueAtPercentile(50),
              r.latency.getValueAtPercentile(99), r.latency.getMaxValue(), r.errors,
              r.saturated ? "  SATURATED (fell behind the rate)" : "", cpuNote(m));
          System.out.println("           " + m.usage().perRequest(r.ok));
          Result all = t == gw ? gAll : dAll;
          all.latency.add(r.latency);
          all.service.add(r.service);
          all.dispatchLag.add(r.dispatchLag);
          all.ok += r.ok;
          all.errors += r.errors;
          all.addFailures(r);
          all.nanos += r.nanos;
          all.saturated |= r.saturated;
          all.blockRates.add(r.rps());
        }
      }
      gw.close();
      direct.close();
      System.out.println("corrected latency (from intended start):");
      printTable(List.of(dAll, gAll), true);
      Histogram g = gAll.latency;
      Histogram d = dAll.latency;
      System.out.printf(Locale.ROOT, "added latency at %.0f req/s (gateway minus direct): p50 %+d µs, p99 %+d µs, "
              + "p99.9 %+d µs%n", o.rate,
          g.getValueAtPercentile(50) - d.getValueAtPercentile(50),
          g.getValueAtPercentile(99) - d.getValueAtPercentile(99),
          g.getValueAtPercentile(99.9) - d.getValueAtPercentile(99.9));
      System.out.printf(Locale.ROOT, "service time (from dispatch, not corrected): direct p50 %d / p99 %d µs, "
              + "gateway p50 %d / p99 %d µs%n", dAll.service.getValueAtPercentile(50),
          dAll.service.getValueAtPercentile(99), gAll.service.getValueAtPercentile(50),
          gAll.service.getValueAtPercentile(99));
      System.out.printf(Locale.ROOT, "scheduler lag (dispatch minus intended time, the client's own floor): "
              + "p50 %d µs, p99 %d µs, max %d µs%n", gAll.dispatchLag.getValueAtPercentile(50),
          gAll.dispatchLag.getValueAtPercentile(99), gAll.dispatchLag.getMaxValue());
      System.out.println();
    }

    /** Before a block: the exchange log caught up, and other processes quiet (or a warning). */
    private void prepareBlock(String what) throws InterruptedException {
      settle();
      if (o.quietWaitSeconds > 0) {
        Machine.Usage q = machine.awaitQuiet(o.quietCores, o.quietWaitSeconds);
        if (q.disturbed(o.quietCores)) {
          System.out.printf(Locale.ROOT, "  WARNING: other processes still busy before %s after waiting %d s: %s%n",
              what, o.quietWaitSeconds, q.describe());
        }
      }
    }

    /**
     * Waits until the gateway's exchange log has stored everything (backlog 0), so a block never pays for the
     * previous one's writes. Returns the seconds waited (0 when the metrics are not reachable).
     */
    private double settle() throws InterruptedException {
      if (metricsUrl == null) {
        return 0;
      }
      long start = System.nanoTime();
      long deadline = start + TimeUnit.MINUTES.toNanos(5);
      while (System.nanoTime() < deadline) {
        OverheadScrape s = OverheadScrape.fetch(metricsUrl);
        if (!s.hasLog() || (s.backlog <= 0 && s.queueDepth <= 0)) {
          break;
        }
        Thread.sleep(100);
      }
      return (System.nanoTime() - start) / 1e9;
    }

    private static OverheadScrape merge(OverheadScrape a, OverheadScrape b) {
      // Sum of two phase deltas: "a - (-b)" would need a negate; rebuild from text-free parts instead.
      java.util.TreeMap<Double, Double> m = new java.util.TreeMap<>(a.buckets);
      b.buckets.forEach((k, v) -> m.merge(k, v, Double::sum));
      StringBuilder sb = new StringBuilder();
      m.forEach((k, v) -> sb.append(OverheadScrape.METRIC).append("_bucket{").append(OverheadScrape.ENDPOINT)
          .append(",le=\"").append(Double.isInfinite(k) ? "+Inf" : Double.toString(k)).append("\"} ").append(v)
          .append('\n'));
      sb.append(OverheadScrape.METRIC).append("_count{").append(OverheadScrape.ENDPOINT).append("} ")
          .append(a.count + b.count).append('\n');
      sb.append(OverheadScrape.METRIC).append("_sum{").append(OverheadScrape.ENDPOINT).append("} ")
          .append(a.sumSeconds + b.sumSeconds).append('\n');
      sb.append(OverheadScrape.METRIC).append("_max{").append(OverheadScrape.ENDPOINT).append("} ")
          .append(Math.max(a.maxSeconds, b.maxSeconds)).append('\n');
      return OverheadScrape.parse(sb.toString());
    }

    // ---- drivers (all client work runs on the client's single event loop) ----

    /** Concurrency 1: gateway, direct, gateway, direct, ... The first {@code warm} pairs are not recorded. */
    private Result[] alternating(int warm, int measured) throws Exception {
      Result g = new Result(gw.name);
      Result d = new Result(direct.name);
      CompletableFuture<Void> done = new CompletableFuture<>();
      long total = 2L * (warm + measured);
      clientContext.runOnContext(v -> new Object() {
        long i;
        long phaseStart;

        void next() {
          if (i == 2L * warm) {
            phaseStart = System.nanoTime();
          }
          if (i >= total) {
            long n = System.nanoTime() - phaseStart;
            g.nanos = n;
            d.nanos = n;
            done.complete(null);
            return;
          }
          boolean toGateway = (i & 1) == 0;
          Target t = toGateway ? gw : direct;
          Result r = toGateway ? g : d;
          boolean recordIt = i >= 2L * warm;
          long start = System.nanoTime();
          t.send().onComplete(ar -> {
            long took = System.nanoTime() - start;
            if (ar.succeeded() && ar.result() == 200) {
              if (recordIt) {
                record(r.latency, took);
                r.ok++;
              }
            } else {
              r.fail(ar);
            }
            i++;
            next();
          });
        }
      }.next());
      done.get(1, TimeUnit.HOURS);
      return new Result[] {g, d};
    }

    /** Closed loop: {@code connections} request loops, each sending the next request when the answer is in. */
    private Result closedLoop(Target t, int connections, long durationNanos) throws Exception {
      Result r = new Result(t.name);
      CompletableFuture<Void> done = new CompletableFuture<>();
      clientContext.runOnContext(v -> {
        long start = System.nanoTime();
        long end = start + durationNanos;
        int[] active = {connections};
        long[] last = {start};
        for (int c = 0; c < connections; c++) {
          new Object() {
            void fire() {
              long s = System.nanoTime();
              if (s >= end) {
                if (--active[0] == 0) {
                  r.nanos = last[0] - start;
                  done.complete(null);
                }
                return;
              }
              t.send().onComplete(ar -> {
                long e = System.nanoTime();
                if (ar.succeeded() && ar.result() == 200) {
                  record(r.latency, e - s);
                  r.ok++;
                  last[0] = Math.max(last[0], e);
                } else {
                  r.fail(ar);
                }
                fire();
              });
            }
          }.fire();
        }
      });
      done.get(durationNanos / 1_000_000_000L + 120, TimeUnit.SECONDS);
      return r;
    }

    /**
     * Open loop: a scheduler thread releases request i at its intended time start + i/rate, whatever happened to
     * the previous ones; latency runs from the intended time to the last byte of the answer.
     */
    private Result openLoop(Target t, double rate, long durationNanos) throws Exception {
      Result r = new Result(t.name);
      AtomicLong outstanding = new AtomicLong();
      CompletableFuture<Void> drained = new CompletableFuture<>();
      long maxOutstanding = Math.max(10_000, (long) (rate * 5));
      double interval = 1e9 / rate;
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      long sent = 0;
      long[] lastDone = {start};
      boolean[] schedulingDone = {false};
      for (long i = 0; ; i++) {
        long intended = start + (long) (i * interval);
        if (intended - start >= durationNanos) {
          break;
        }
        long now;
        while ((now = System.nanoTime()) < intended) {
          LockSupport.parkNanos(intended - now);
        }
        if (outstanding.get() > maxOutstanding) {
          r.saturated = true;
          break;
        }
        outstanding.incrementAndGet();
        sent++;
        clientContext.runOnContext(v -> {
          long sendAt = System.nanoTime();
          record(r.dispatchLag, sendAt - intended);
          t.send().onComplete(ar -> {
            long e = System.nanoTime();
            if (ar.succeeded() && ar.result() == 200) {
              record(r.latency, e - intended);
              record(r.service, e - sendAt);
              r.ok++;
              lastDone[0] = Math.max(lastDone[0], e);
            } else {
              r.fail(ar);
            }
            if (outstanding.decrementAndGet() == 0 && schedulingDone[0]) {
              drained.complete(null);
            }
          });
        });
      }
      clientContext.runOnContext(v -> {
        schedulingDone[0] = true;
        if (outstanding.get() == 0) {
          drained.complete(null);
        }
      });
      drained.get(5, TimeUnit.MINUTES);
      CompletableFuture<Void> read = new CompletableFuture<>();
      clientContext.runOnContext(v -> {
        r.nanos = lastDone[0] - start;
        read.complete(null);
      });
      read.get(1, TimeUnit.MINUTES);
      if (sent == 0) {
        r.nanos = 0;
      }
      return r;
    }

    // ---- report ----

    private static void printTable(List<Result> results, boolean withRate) {
      System.out.printf(Locale.ROOT, "  %-8s %10s %8s %8s %8s %8s %9s %8s%s%n", "target", "requests", "p50 µs",
          "p90 µs", "p99 µs", "p99.9 µs", "max µs", "errors", withRate ? "     req/s" : "");
      for (Result r : results) {
        Histogram h = r.latency;
        System.out.printf(Locale.ROOT, "  %-8s %10d %8d %8d %8d %8d %9d %8d%s%n", r.target, h.getTotalCount(),
            h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
            h.getValueAtPercentile(99.9), h.getMaxValue(), r.errors,
            withRate ? String.format(Locale.ROOT, " %9.0f", r.rps()) : "");
      }
      for (Result r : results) {
        if (!r.failures.isEmpty()) {
          System.out.println("  " + r.target + " failures by status (-1 = no answer): " + r.failures);
        }
      }
    }
  }
}
