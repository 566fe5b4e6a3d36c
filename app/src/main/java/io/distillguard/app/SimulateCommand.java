package io.distillguard.app;

import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.http.HttpRunner;
import io.distillguard.sim.http.RunSummary;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard simulate}: pushes a scenario's simulated traffic through a running gateway over real HTTP
 * (accounts and keys through the admin API, requests through the data plane), or through one started in-process with
 * {@code --local}, and prints what was served and refused, and which status every account ended at, per class.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a scenario's simulated traffic against a gateway over real HTTP.",
        "Accounts and keys are created through the admin API; each request presents the simulated client address "
            + "in X-Forwarded-For (believed from loopback) and, with --replay-headers, its simulated time."})
final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--scenario", required = true, paramLabel = "FILE", description = "scenario file (YAML)")
  Path scenario;

  @Option(names = "--target", paramLabel = "URL", description = "the gateway's data plane, e.g. "
      + "http://127.0.0.1:8080")
  String target;

  @Option(names = "--admin", paramLabel = "URL", description = "the gateway's admin API, e.g. http://127.0.0.1:8081")
  String admin;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "admin token (default: $DISTILLGUARD_ADMIN_TOKEN)")
  String adminToken;

  @Option(names = "--local", description = "start a gateway in-process (builtin upstream, replay mode, ephemeral "
      + "ports, a temporary data directory) and run against it")
  boolean local;

  @Option(names = "--replay-headers", description = "send X-DistillGuard-Event-Time (the gateway must run with "
      + "--replay); implied by --local")
  boolean replayHeaders;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "32",
      description = "requests in flight at most (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--speed", paramLabel = "X", description = "without replay headers: pace requests in real time, "
      + "X simulated seconds per second (default: as fast as possible)")
  Double speed;

  @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory (default: "
      + "$DISTILLGUARD_DATA, else ../shared/data when present, else small built-in fixtures)")
  String data;

  @Option(names = "--out", paramLabel = "FILE.jsonl", description = "write one JSON line per request (account, "
      + "label, time, status, attack flag, ...)")
  Path out;

  @Option(names = "--seed", paramLabel = "N", description = "override the scenario's seed")
  Long seed;

  @Option(names = "--duration", paramLabel = "DURATION", description = "simulate only this long from the "
      + "scenario's start, e.g. PT6H or 6h")
  String duration;

  private final PrintStream stdout = System.out;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(scenario)) {
      throw new IllegalArgumentException("scenario file not found: " + scenario);
    }
    if (!local) {
      if (target == null || admin == null) {
        throw new IllegalArgumentException("--target and --admin are required (or --local to start a gateway "
            + "in-process)");
      }
      if (adminToken == null || adminToken.isBlank()) {
        adminToken = System.getenv("DISTILLGUARD_ADMIN_TOKEN");
      }
      if (adminToken == null || adminToken.isBlank()) {
        throw new IllegalArgumentException("--admin-token is required (or set DISTILLGUARD_ADMIN_TOKEN)");
      }
    } else if (target != null || admin != null) {
      throw new IllegalArgumentException("--local starts its own gateway: leave out --target and --admin");
    }
    if (data != null && !data.isBlank() && !Files.isDirectory(Path.of(data))) {
      throw new IllegalArgumentException("--data: not a directory: " + data);
    }
    Scenario s;
    try {
      s = ScenarioLoader.load(scenario);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (seed != null) {
      s = s.withSeed(seed);
    }
    if (duration != null) {
      s = s.withDuration(parseDuration(duration));
    }
    Path dataDir = DataSets.locate(data);
    io.distillguard.sim.data.DataSets sets = io.distillguard.sim.data.DataSets.load(dataDir);
    Simulation sim = Simulation.create(s, sets);
    stdout.println("Scenario " + s.name() + ": " + s);
    stdout.println("Prompts from " + (sets.real() ? sets.dir() : "the built-in fixtures (no data directory)"));
    if (!local) {
      return run(sim, target, admin, adminToken, replayHeaders);
    }
    Path tmp = Files.createTempDirectory("distillguard-simulate-");
    try {
      GatewayConfig c = new GatewayConfig();
      c.dataDir = tmp.toString();
      c.server.port = 0;
      c.admin.port = 0;
      c.replay = true;
      try (Node node = Node.start(c, dataDir)) {
        stdout.println("Started a local gateway in replay mode: " + node.dataUrl() + "/v1, admin "
            + node.adminUrl() + " (builtin upstream, data in " + tmp + ")");
        int rc = run(sim, node.dataUrl(), node.adminUrl(), node.gateway.adminToken(), true);
        node.gateway.exchangeLog().flush(Duration.ofSeconds(30));
        return rc;
      }
    } finally {
      deleteTree(tmp);
    }
  }

  private int run(Simulation sim, String dataUrl, String adminUrl, String token, boolean replay) {
    HttpRunner.Options o = new HttpRunner.Options().target(dataUrl).admin(adminUrl).adminToken(token)
        .replayHeaders(replay).concurrency(concurrency).out(out)
        .progress(p -> stdout.printf(Locale.ROOT, "  ... %d requests, %d served, simulated time %s%n", p.sent(),
            p.served(), p.lastTime()), Duration.ofSeconds(5));
    if (speed != null) {
      o.speed(speed);
    }
    HttpRunner runner = new HttpRunner(o);
    stdout.println("Running against " + dataUrl + " (admin " + adminUrl + ")" + (replay ? " with replay headers"
        : speed != null ? " paced at " + speed + "x" : "") + ", " + concurrency + " in flight");
    RunSummary summary = runner.run(sim);
    runner.readBackStatuses();
    stdout.println();
    stdout.print(summary.render());
    if (out != null) {
      stdout.println("per-request records: " + out);
    }
    return summary.stopReason() == null ? 0 : 1;
  }

  /** ISO-8601 (PT6H) or a short form: 90s, 30m, 6h, 2d. */
  static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("p")) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      Duration d = switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> null;
      };
      if (d != null && !d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (RuntimeException e) {
      // fall through
    }
    throw new IllegalArgumentException("--duration: expected e.g. 6h, 30m, 2d or PT6H, got '" + s + "'");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("note: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
