package io.distillguard.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.gateway.Gateway;
import io.distillguard.gateway.config.ConfigValidator;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * A real gateway with the dashboard mounted, in front of the builtin upstream, on ephemeral loopback ports, with a
 * SQLite store in a temporary folder; plus the calls a test makes as an operator and as customers.
 */
final class DashboardFixture implements AutoCloseable {
  static final String TOKEN = "ui-test-admin-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  final BuiltinUpstream upstream;
  final JdbcStore store;
  final Gateway gateway;
  final GatewayConfig config;
  final Path dataDir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  DashboardFixture(Path dataDir, Consumer<GatewayConfig> tweak) {
    this.dataDir = dataDir;
    upstream = BuiltinUpstream.start(new BuiltinUpstreamOptions().host("127.0.0.1").port(0));
    config = new GatewayConfig();
    config.server.port = 0;
    config.server.eventLoops = 2;
    config.admin.port = 0;
    config.dataDir = dataDir.toString();
    config.replay = true;
    config.exchangeLog.flushInterval = Duration.ofMillis(10);
    config.detection.expensive.enabled = false; // the embedding model is not what these tests look at
    config.linkage.interval = Duration.ofHours(1); // recomputed on demand, so what the page shows is fixed
    config.limits.tiers.get("default").account.requestsPerMinute = 0;
    config.limits.tiers.get("default").key.requestsPerMinute = 0;
    config.limits.tiers.get("default").account.tokensPerMinute = 0;
    config.limits.tiers.get("default").key.tokensPerMinute = 0;
    tweak.accept(config);
    ConfigValidator.validate(config);
    store = JdbcStore.openSqlite(dataDir);
    gateway = Gateway.builder(config, store).upstreamUrl(upstream.baseUrl()).adminToken(TOKEN)
        .adminExtension((router, g) -> Dashboard.mount(router, g, store, config,
            new Dashboard.Options(dataDir, false, Clock.systemUTC())))
        .start();
  }

  String adminUrl() {
    return "http://127.0.0.1:" + gateway.adminPort();
  }

  String dataUrl() {
    return "http://127.0.0.1:" + gateway.port();
  }

  record Resp(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  Resp send(String method, String url, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Resp admin(String method, String path, String body) {
    return send(method, adminUrl() + path, body, "Authorization", "Bearer " + TOKEN, "Content-Type",
        "application/json");
  }

  /** Creates an account with attributes and one key; returns the key. */
  String account(String id, String name, String... attributes) {
    ObjectNode body = JSON.createObjectNode().put("id", id);
    if (name != null) {
      body.put("name", name);
    }
    ObjectNode attrs = body.putObject("attributes");
    for (int i = 0; i < attributes.length; i += 2) {
      attrs.put(attributes[i], attributes[i + 1]);
    }
    Resp r = admin("POST", "/admin/v1/accounts", body.toString());
    if (r.status() != 201) {
      throw new AssertionError("account " + id + ": " + r.status() + " " + r.body());
    }
    return admin("POST", "/admin/v1/accounts/" + id + "/keys", null).json().path("key").asText();
  }

  Resp chat(String key, String prompt, Instant at, String userAgent, String clientIp) {
    ObjectNode body = JSON.createObjectNode().put("model", "builtin-small");
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    return send("POST", dataUrl() + "/v1/chat/completions", body.toString(), "Authorization", "Bearer " + key,
        "Content-Type", "application/json", "X-DistillGuard-Event-Time", at.toString(), "User-Agent", userAgent,
        "X-Forwarded-For", clientIp);
  }

  static String harvestPrompt(int i) {
    String[] subjects = {"photosynthesis", "the French revolution", "binary search", "plate tectonics",
        "supply and demand", "the immune system", "quantum tunnelling", "Roman aqueducts", "compound interest"};
    return "Below is an instruction that describes a task. Write a response that completes the request.\n"
        + "### Instruction: Explain " + subjects[i % subjects.length] + " for lesson " + i
        + ".\n### Response: Let's think step by step and show your reasoning before the answer.";
  }

  /** Waits for detection, the exchange log and the score history to have caught up with everything sent. */
  void settle() {
    gateway.detection().drain(Duration.ofSeconds(30));
    gateway.exchangeLog().flush(Duration.ofSeconds(30));
    gateway.scoreHistory().flush();
  }

  static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    gateway.close();
    upstream.close();
    store.close();
  }
}
