package io.distillguard.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.distillguard.gateway.Gateway;
import io.distillguard.gateway.config.ConfigValidator;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A real gateway in front of a real builtin upstream, with a SQLite store in a temporary directory, plus helpers for
 * the admin API, the data plane (raw HTTP and the OpenAI SDK) and the exchange log.
 *
 * <p>Configuration adds two test tiers: {@code tiny} (one request per minute per account) and {@code single} (one
 * request at a time per account).
 */
public final class GatewayFixture implements AutoCloseable {
  public static final String ADMIN_TOKEN = "test-admin-token-123456";
  public static final String MODEL = "builtin-small";
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger IDS = new AtomicInteger();

  public final UpstreamProbe probe;
  public final BuiltinUpstream upstream;
  public final JdbcStore store;
  public final Gateway gateway;
  public final GatewayConfig config;
  private final Vertx upstreamVertx;
  private final HttpClient http;
  private final List<OpenAIClient> sdkClients = new ArrayList<>();

  /** The answer of an HTTP call. */
  public record Resp(int status, Map<String, List<String>> headers, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }

    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** An account and one of its keys. */
  public record AccountKey(String accountId, String keyId, String key) {}

  private GatewayFixture(Builder b) {
    probe = new UpstreamProbe();
    upstreamVertx = probe.newVertx();
    BuiltinUpstreamOptions uo = new BuiltinUpstreamOptions().vertx(upstreamVertx);
    b.upstream.accept(uo);
    upstream = BuiltinUpstream.start(uo);
    config = new GatewayConfig();
    config.server.port = 0;
    config.server.eventLoops = 2;
    config.admin.port = 0;
    config.dataDir = b.dataDir.toString();
    config.exchangeLog.flushInterval = Duration.ofMillis(10);
    config.upstream.firstByteTimeout = Duration.ofSeconds(10); // a broken upstream fails a test, not hangs it
    config.limits.tiers.put("tiny", GatewayConfig.Tier.of(GatewayConfig.LimitSet.of(1, 0, 0),
        GatewayConfig.LimitSet.of(0, 0, 0)));
    config.limits.tiers.put("single", GatewayConfig.Tier.of(GatewayConfig.LimitSet.of(0, 0, 1),
        GatewayConfig.LimitSet.of(0, 0, 0)));
    b.config.accept(config);
    ConfigValidator.validate(config);
    // store.url set: a shared PostgreSQL (the password comes from the test, as it would from the environment)
    store = config.store.url == null ? JdbcStore.openSqlite(b.dataDir)
        : JdbcStore.openPostgres(config.store.url, config.store.user, b.storePassword);
    Gateway.Builder gb = Gateway.builder(config, store)
        .upstreamUrl(b.upstreamUrl != null ? b.upstreamUrl : upstream.baseUrl())
        .adminToken(ADMIN_TOKEN);
    b.stages.forEach(gb::extraStage);
    gateway = gb.start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  public static GatewayFixture start(Path dataDir) {
    return builder(dataDir).start();
  }

  /** Options of a fixture. */
  public static final class Builder {
    private final Path dataDir;
    private Consumer<GatewayConfig> config = c -> {};
    private Consumer<BuiltinUpstreamOptions> upstream = u -> {};
    private final List<Stage> stages = new ArrayList<>();
    private String upstreamUrl;
    private String storePassword;

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    public Builder config(Consumer<GatewayConfig> c) {
      this.config = c;
      return this;
    }

    public Builder upstream(Consumer<BuiltinUpstreamOptions> u) {
      this.upstream = u;
      return this;
    }

    public Builder extraStage(Stage s) {
      stages.add(s);
      return this;
    }

    /** The password of the PostgreSQL store named by {@code store.url}. */
    public Builder storePassword(String password) {
      this.storePassword = password;
      return this;
    }

    /** Point the gateway somewhere else than the builtin upstream (which still runs). */
    public Builder upstreamUrl(String url) {
      this.upstreamUrl = url;
      return this;
    }

    public GatewayFixture start() {
      return new GatewayFixture(this);
    }
  }

  // ---- addresses ----

  public int port() {
    return gateway.port();
  }

  public String dataUrl() {
    return "http://127.0.0.1:" + gateway.port();
  }

  public String adminUrl() {
    return "http://127.0.0.1:" + gateway.adminPort();
  }

  // ---- HTTP ----

  public Resp send(String method, String url, String body, String... headers) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      rb.header(headers[i], headers[i + 1]);
    }
    if (body != null && !hasHeader(headers, "Content-Type")) {
      rb.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean hasHeader(String[] headers, String name) {
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i].equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** An admin API call with the admin token. */
  public Resp admin(String method, String path, String body) {
    return send(method, adminUrl() + path, body, "Authorization", "Bearer " + ADMIN_TOKEN);
  }

  /** A data-plane call with the given key (null for none) and extra headers. */
  public Resp data(String method, String path, String body, String key, String... headers) {
    List<String> h = new ArrayList<>(List.of(headers));
    if (key != null) {
      h.add("Authorization");
      h.add("Bearer " + key);
    }
    return send(method, dataUrl() + path, body, h.toArray(new String[0]));
  }

  public Resp chat(String key, String prompt, String... headers) {
    return data("POST", "/v1/chat/completions", chatBody(prompt, false), key, headers);
  }

  public static String chatBody(String prompt, boolean stream) {
    ObjectNode body = JSON.createObjectNode().put("model", MODEL);
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    if (stream) {
      body.put("stream", true);
    }
    return body.toString();
  }

  // ---- admin helpers ----

  public static String uniqueId(String prefix) {
    return prefix + "-" + IDS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  /** Creates an account from a JSON body; returns the created account. */
  public JsonNode createAccount(String json) {
    Resp r = admin("POST", "/admin/v1/accounts", json);
    assertThat(r.status()).as("create account: %s", r.body()).isEqualTo(201);
    return r.json();
  }

  public String newAccount(String tier) {
    String id = uniqueId("acct");
    ObjectNode body = JSON.createObjectNode().put("id", id);
    if (tier != null) {
      body.putObject("attributes").put("tier", tier);
    }
    createAccount(body.toString());
    return id;
  }

  public AccountKey newKey(String accountId) {
    Resp r = admin("POST", "/admin/v1/accounts/" + accountId + "/keys", null);
    assertThat(r.status()).as("create key: %s", r.body()).isEqualTo(201);
    JsonNode k = r.json();
    return new AccountKey(accountId, k.get("key_id").asText(), k.get("key").asText());
  }

  /** A new account (default tier) with one key. */
  public AccountKey newAccountWithKey() {
    return newKey(newAccount(null));
  }

  public AccountKey newAccountWithKey(String tier) {
    return newKey(newAccount(tier));
  }

  /**
   * A new account with the sign-up attributes linkage reads, and one key.
   *
   * @param card the payment fingerprint, or null for none
   */
  public AccountKey newSignup(String card, String signupIp, String emailDomain) {
    String id = uniqueId("acct");
    ObjectNode body = JSON.createObjectNode().put("id", id);
    ObjectNode a = body.putObject("attributes");
    if (card != null) {
      a.put("payment_fingerprint", card);
    }
    a.put("signup_ip", signupIp).put("email_domain", emailDomain);
    createAccount(body.toString());
    return newKey(id);
  }

  public Resp setStatus(String accountId, String status, String reason) {
    ObjectNode body = JSON.createObjectNode().put("status", status);
    if (reason != null) {
      body.put("reason", reason);
    }
    return admin("POST", "/admin/v1/accounts/" + accountId + "/status", body.toString());
  }

  // ---- exchange log ----

  public void flush() {
    assertThat(gateway.exchangeLog().flush(Duration.ofSeconds(10))).as("exchange log flushed").isTrue();
  }

  /** The stored exchanges of an account, newest first, after flushing the log. */
  public List<JsonNode> exchanges(String accountId) {
    flush();
    Resp r = admin("GET", "/admin/v1/exchanges?limit=1000&account=" + accountId, null);
    assertThat(r.status()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    r.json().get("data").forEach(out::add);
    return out;
  }

  /** Every stored exchange (up to 1000), newest first, after flushing the log. */
  public List<JsonNode> allExchanges() {
    flush();
    Resp r = admin("GET", "/admin/v1/exchanges?limit=1000", null);
    assertThat(r.status()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    r.json().get("data").forEach(out::add);
    return out;
  }

  /** Exchanges whose user agent is {@code ua}: the way to find requests that carried no valid key. */
  public List<JsonNode> exchangesByUserAgent(String ua) {
    return allExchanges().stream().filter(e -> ua.equals(e.path("user_agent").asText(null))).toList();
  }

  /** The single exchange of an account; fails if there is not exactly one. */
  public JsonNode onlyExchange(String accountId) {
    List<JsonNode> list = exchanges(accountId);
    assertThat(list).as("exchanges of %s", accountId).hasSize(1);
    return list.get(0);
  }

  /** Polls until {@code count} exchanges of the account match, or fails after the timeout. */
  public List<JsonNode> awaitExchanges(String accountId, int count, Predicate<JsonNode> which, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> matching;
    do {
      matching = exchanges(accountId).stream().filter(which).toList();
      if (matching.size() >= count) {
        return matching;
      }
      sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("expected " + count + " matching exchanges of " + accountId + ", got "
        + exchanges(accountId));
  }

  public String metricsText() {
    Resp r = send("GET", adminUrl() + "/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  // ---- OpenAI SDK ----

  public OpenAIClient openAi(String key) {
    OpenAIClient c = OpenAIOkHttpClient.builder()
        .baseUrl(dataUrl() + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(15))
        .build();
    sdkClients.add(c);
    return c;
  }

  /** Polls a condition until it holds or the timeout passes. */
  public static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      sleep(10);
    }
  }

  public static void sleep(long ms) {
    try {
      TimeUnit.MILLISECONDS.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (OpenAIClient c : sdkClients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // best effort
      }
    }
    try {
      gateway.close();
    } finally {
      try {
        store.close();
      } finally {
        try {
          upstream.close();
        } finally {
          try {
            upstreamVertx.close().await(10, TimeUnit.SECONDS);
          } catch (java.util.concurrent.TimeoutException e) {
            // the test is over either way
          }
        }
      }
    }
  }
}
