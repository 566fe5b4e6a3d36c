package io.distillguard.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard demo}: everything on embedded defaults. Starts a gateway with the builtin upstream (a stand-in,
 * not a model) in a fresh data directory, drives it over real HTTP as customers and an analyst would, and prints what
 * happened and where to look next.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a gateway on embedded defaults and show what it does, over real HTTP.")
final class DemoCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--data-dir", defaultValue = "dg-demo", description = "fresh data directory (default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory (builtin upstream corpus)")
  String dataSets;

  @Option(names = "--keep-running", description = "keep the gateway up after the demo, until Ctrl-C")
  boolean keepRunning;

  private final PrintStream out = System.out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<String[]> rows = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    wipe(dataDir);
    GatewayConfig c = new GatewayConfig();
    c.dataDir = dataDir.toString();
    c.server.port = 0;
    c.admin.port = 0;
    c.replay = true; // the simulated day carries its own clock in X-DistillGuard-Event-Time
    c.linkage.interval = Duration.ofSeconds(2); // the day passes in under a minute: recompute clusters often
    Path sets = DataSets.locate(dataSets);
    out.println("== DistillGuard demo ==");
    out.println("Starting the gateway with the builtin upstream (a stand-in that retrieves canned answers; "
        + "not a model)" + (sets == null ? " and its small built-in corpus" : " and answers from " + sets));
    try (Node node = Node.start(c, sets)) {
      String data = node.dataUrl();
      String admin = node.adminUrl();
      String token = node.gateway.adminToken();
      out.println("  data plane " + data + "/v1   admin " + admin + "/admin/v1");
      out.println();

      step("An operator creates two customer accounts and their API keys through the admin API");
      post(admin + "/admin/v1/accounts", token,
          "{\"id\":\"acme-prod\",\"name\":\"Acme (production)\",\"attributes\":{\"tier\":\"default\","
              + "\"country\":\"DE\",\"payment_fingerprint\":\"pf_acme\"}}");
      post(admin + "/admin/v1/accounts", token,
          "{\"id\":\"trial-7\",\"name\":\"Free trial\",\"attributes\":{\"tier\":\"free\",\"country\":\"US\"}}");
      String acmeKey = post(admin + "/admin/v1/accounts/acme-prod/keys", token, "").path("key").asText();
      String trialKey = post(admin + "/admin/v1/accounts/trial-7/keys", token, "").path("key").asText();
      out.println("  acme-prod (tier default) and trial-7 (tier free), one key each; keys are shown once, "
          + "stored hashed");

      step("acme-prod asks a question (non-streaming)");
      HttpResponse<String> r = chat(data, acmeKey, "How do I make a good cup of coffee?", false, "203.0.113.10");
      JsonNode answer = JSON.readTree(r.body());
      out.println("  " + r.statusCode() + "  " + snippet(answer.path("choices").path(0).path("message")
          .path("content").asText()));
      record("chat completion", r.statusCode(), "answered, recorded");

      step("acme-prod streams an answer (SSE, relayed chunk by chunk)");
      r = chat(data, acmeKey, "Explain what a hash function is.", true, "203.0.113.10");
      long events = r.body().lines().filter(l -> l.startsWith("data: ")).count();
      out.println("  " + r.statusCode() + "  " + events + " server-sent events, ends with "
          + (r.body().strip().endsWith("data: [DONE]") ? "[DONE]" : "(no [DONE])"));
      record("streamed completion", r.statusCode(), events + " events relayed");

      step("Bad input is refused with OpenAI-shaped errors");
      r = chat(data, "sk-dg-aaaaaaaaaaaa.not-a-real-secret", "hello", false, null);
      out.println("  wrong key      -> " + r.statusCode() + " " + code(r));
      record("wrong API key", r.statusCode(), code(r));
      r = send(data + "/v1/chat/completions", acmeKey, "{\"model\": \"builtin-small\", \"messages\": [", null);
      out.println("  broken JSON    -> " + r.statusCode() + " " + code(r));
      record("malformed JSON", r.statusCode(), code(r));
      r = send(data + "/v1/chat/completions", acmeKey, "{\"model\": \"builtin-small\"}", null);
      out.println("  no messages    -> " + r.statusCode() + " " + code(r));
      record("missing messages", r.statusCode(), code(r));

      step("trial-7 (free tier: 60 requests/minute) fires 75 requests in a burst");
      int ok = 0;
      int limited = 0;
      for (int i = 0; i < 75; i++) {
        r = chat(data, trialKey, "Give me fact number " + i + " about the ocean.", false, "198.51.100.7");
        if (r.statusCode() == 200) {
          ok++;
        } else if (r.statusCode() == 429) {
          limited++;
        }
      }
      out.println("  " + ok + " answered, " + limited + " refused with 429 and Retry-After");
      record("burst over the free tier", 429, ok + " ok / " + limited + " limited");
      out.println();

      DemoDay day = new DemoDay(out, node, sets);
      day.run();
      new DemoProvenance(out).run(data, acmeKey, "acme-prod", sets);
      out.println();
      out.println("== The gateway's basics ==");
      out.printf("  %-26s %-6s %s%n", "what", "status", "result");
      for (String[] row : rows) {
        out.printf("  %-26s %-6s %s%n", row[0], row[1], row[2]);
      }
      day.printSummary();
      printAlerts(admin, token);
      out.println();
      out.println("Where to look next:");
      out.println("  dashboard     " + node.dashboardUrl() + "   (sign in with the admin token " + token + ")");
      try {
        io.distillguard.ui.cases.CaseFiles.Bundle bundle = new io.distillguard.ui.cases.CaseFiles(node.store,
            new io.distillguard.ui.cases.AdminSource(admin, token), dataDir, List.of(), java.time.Clock.systemUTC())
            .write(new io.distillguard.ui.cases.CaseFiles.Subject("account", day.exampleAccount()), "demo");
        out.println("  case file     " + bundle.dir().resolve("case.pdf").toAbsolutePath() + "   (and case.html, "
            + "case.json; bundle sha256 " + bundle.sha256().substring(0, 16) + "... in the audit log)");
      } catch (RuntimeException e) {
        out.println("  case file     not written: " + e.getMessage());
      }
      out.println("  exchange log  curl -H 'Authorization: Bearer " + token + "' '" + admin
          + "/admin/v1/exchanges?account=acme-prod&limit=5'");
      out.println("  an account    curl -H 'Authorization: Bearer " + token + "' " + admin + "/admin/v1/accounts/"
          + day.exampleAccount() + "     (risk score and reasons)");
      out.println("  clusters      curl -H 'Authorization: Bearer " + token + "' " + admin
          + "/admin/v1/clusters     (then /admin/v1/clusters/<id> for members and evidence)");
      out.println("  audit log     curl -H 'Authorization: Bearer " + token + "' '" + admin
          + "/admin/v1/audit?limit=20'     (every automatic and manual action, hash-chained)");
      out.println("  alerts feed   curl -H 'Authorization: Bearer " + token + "' '" + admin
          + "/admin/v1/alerts?level=throttle,degrade,block&limit=20'     (each escalation, newest first)");
      out.println("  metrics       curl " + admin + "/metrics | grep distillguard_gateway_overhead");
      out.println("  data dir      " + dataDir.toAbsolutePath() + " (SQLite store, journal, admin token)");
      out.println("  run it for real: ./distillguard serve --upstream http://your-model-server/v1");
      out.println("  scale-out     ./distillguard cluster-demo   (2 gateway nodes, Kafka, the Flink detection job and "
          + "PostgreSQL on this machine, with failures; deploy/README.md)");
      if (!keepRunning) {
        out.println("  keep it up    ./distillguard demo --keep-running   (the gateway and dashboard stay up until Ctrl-C)");
      }
      if (keepRunning) {
        out.println();
        out.println("Gateway still running (--keep-running); Ctrl-C to stop.");
        Thread.currentThread().join();
      }
    }
    return 0;
  }

  private void step(String what) {
    out.println("-- " + what);
  }

  private void record(String what, int status, String result) {
    rows.add(new String[] {what, Integer.toString(status), result});
  }

  private HttpResponse<String> chat(String base, String key, String prompt, boolean stream, String clientIp)
      throws IOException, InterruptedException {
    String body = JSON.createObjectNode().put("model", "builtin-small").put("stream", stream)
        .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user")
            .put("content", prompt))).toString();
    return send(base + "/v1/chat/completions", key, body, clientIp);
  }

  private HttpResponse<String> send(String url, String key, String body, String clientIp)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (clientIp != null) {
      b.header("X-Forwarded-For", clientIp);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode post(String url, String token, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException("admin call " + url + " failed: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private JsonNode get(String url, String token) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  /** The newest escalations as the admin API's alerts feed lists them. */
  private void printAlerts(String admin, String token) throws IOException, InterruptedException {
    JsonNode feed = get(admin + "/admin/v1/alerts?limit=6", token);
    out.println("  Alerts feed (GET /admin/v1/alerts, newest of every escalation):");
    if (feed.path("data").isEmpty()) {
      out.println("    no escalation yet");
    }
    for (JsonNode a : feed.path("data")) {
      JsonNode top = a.path("reasons").path(0);
      out.printf(java.util.Locale.ROOT, "    %s  %-22s %s -> %s  score %.2f after %d exchanges%s%n",
          snippet(a.path("at").asText()), snippet(a.path("account_id").asText()), a.path("from").asText(),
          a.path("to").asText(), a.path("score").asDouble(), a.path("evidence").asLong(),
          top.isMissingNode() ? "" : "; " + top.path("signal").asText() + ": "
              + snippet(top.path("explanation").asText()));
    }
  }

  private static String code(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body()).path("error").path("code").asText("-");
    } catch (IOException e) {
      return "-";
    }
  }

  private static String snippet(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > 90 ? one.substring(0, 90) + "..." : one;
  }

  private static void wipe(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.exists(dir.resolve("distillguard.db")) && Files.list(dir).findAny().isPresent()) {
      throw new IllegalArgumentException(dir + " exists and is not a DistillGuard data directory; "
          + "choose another --data-dir");
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
