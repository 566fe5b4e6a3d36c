package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.store.jdbc.JdbcStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real gateway process (SIGKILL) in the middle of a load, restarts it on the same data directory, and checks
 * that every request the clients saw completed has its exchange record exactly once.
 */
class CrashRecoveryTest {
  private static final String TOKEN = "crash-test-admin-token-0123456789";
  @TempDir Path dir;

  @Test
  void everyAcknowledgedRequestIsStoredExactlyOnceAfterAKill() throws Exception {
    Path dataDir = dir.resolve("data");
    int port = freePort();
    int adminPort = freePort();
    Process first = startGateway(dataDir, port, adminPort, dir.resolve("first.log"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String key;
    try {
      awaitUp(http, adminPort, first);
      admin(http, adminPort, "/admin/v1/accounts", "{\"id\":\"load\",\"attributes\":{\"tier\":\"bulk\"}}");
      key = extract(admin(http, adminPort, "/admin/v1/accounts/load/keys", ""), "key");
    } catch (Exception | AssertionError e) {
      first.destroyForcibly();
      throw e;
    }

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(6);
    for (int t = 0; t < 6; t++) {
      boolean stream = t % 3 == 0;
      int thread = t;
      clients.submit(() -> {
        int i = 0;
        while (running.get()) {
          String body = "{\"model\":\"builtin-small\",\"stream\":" + stream
              + ",\"messages\":[{\"role\":\"user\",\"content\":\"question " + thread + "-" + (i++) + "\"}]}";
          try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            boolean complete = r.statusCode() == 200
                && (!stream || r.body().strip().endsWith("data: [DONE]"));
            if (complete) {
              r.headers().firstValue("x-request-id").ifPresent(acknowledged::add);
            }
          } catch (IOException | InterruptedException e) {
            // the server died under us: this request was not acknowledged
          }
        }
        return null;
      });
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (acknowledged.size() < 400 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL, mid-load
    running.set(false);
    clients.shutdown();
    assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(acknowledged).as("requests completed before the kill").hasSizeGreaterThan(50);

    Process second = startGateway(dataDir, port, adminPort, dir.resolve("second.log"));
    try {
      awaitUp(http, adminPort, second);
    } finally {
      second.destroy(); // SIGTERM: a clean stop that writes out the log
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("clean stop").isTrue();
    }

    List<String> stored = new ArrayList<>();
    try (JdbcStore store = JdbcStore.openSqlite(dataDir)) {
      for (Exchange e : store.exchanges().list("load", null, 1_000_000)) {
        stored.add(e.id());
      }
    }
    Set<String> unique = new HashSet<>(stored);
    assertThat(unique).as("no exchange stored twice").hasSize(stored.size());
    assertThat(unique).as("every acknowledged request is in the log").containsAll(acknowledged);
    String recovery = Files.readString(dir.resolve("second.log")).lines()
        .filter(l -> l.contains("recovering")).findFirst().orElse("(nothing to recover)");
    System.out.println("crash test: " + acknowledged.size() + " acknowledged, " + stored.size() + " stored; "
        + "second start said: " + recovery);
    assertThat(recovery).as("the restart replayed the journal").contains("recovering");
  }

  private Process startGateway(Path dataDir, int port, int adminPort, Path log) throws IOException {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, String.join("\n",
        "limits:",
        "  tiers:",
        "    default: {account: {}, key: {}}",
        "    bulk: {account: {}, key: {}}",
        // A long linger keeps seconds of acknowledged exchanges in the journal only, so the kill always finds
        // uncommitted ones and the test proves the journal replay (not the store) saved them.
        "exchange-log:",
        "  flush-interval: 3s",
        "  batch-size: 100000",
        ""));
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "io.distillguard.app.Main", "serve",
        "--config", config.toString(),
        "--upstream", "builtin",
        "--port", Integer.toString(port), "--admin-port", Integer.toString(adminPort),
        "--data-dir", dataDir.toString());
    pb.environment().put("DISTILLGUARD_ADMIN_TOKEN", TOKEN);
    pb.environment().put("DISTILLGUARD_LOG_LEVEL", "INFO");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private static void awaitUp(HttpClient http, int adminPort, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("gateway process alive").isTrue();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + adminPort + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("gateway did not come up");
  }

  private static String admin(HttpClient http, int adminPort, String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(201);
    return r.body();
  }

  private static String extract(String json, String field) throws IOException {
    return ConfigSources.YAML.readTree(json).path(field).asText();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
