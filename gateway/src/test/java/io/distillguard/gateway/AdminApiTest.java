package io.distillguard.gateway;

import static io.distillguard.gateway.testing.GatewayFixture.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.gateway.testing.GatewayFixture.Resp;
import io.distillguard.gateway.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminApiTest {
  @TempDir
  static Path dir;
  static GatewayFixture fx;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static JsonNode error(Resp r, int status, String code) {
    return MalformedRequestTest.openAiError(r, status, code);
  }

  private static Resp createAccount(String json) {
    return fx.admin("POST", "/admin/v1/accounts", json);
  }

  // ---- authentication ----

  @Test
  void everyAdminRouteNeedsTheToken() {
    String[][] routes = {{"GET", "/admin/v1/accounts"}, {"POST", "/admin/v1/accounts"},
        {"GET", "/admin/v1/accounts/x"}, {"POST", "/admin/v1/accounts/x/keys"},
        {"DELETE", "/admin/v1/accounts/x/keys/y"}, {"POST", "/admin/v1/accounts/x/status"},
        {"GET", "/admin/v1/exchanges"}, {"GET", "/admin/v1/audit"}, {"GET", "/admin/v1/nope"}};
    String[][] auths = {{}, {"Authorization", "Bearer wrong-token-1234567"},
        {"Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN + "x"},
        {"Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN.substring(1)},
        {"Authorization", "Basic " + GatewayFixture.ADMIN_TOKEN},
        {"Authorization", GatewayFixture.ADMIN_TOKEN}};
    for (String[] route : routes) {
      for (String[] auth : auths) {
        Resp r = fx.send(route[0], fx.adminUrl() + route[1], route[0].equals("POST") ? "{}" : null, auth);
        error(r, 401, "invalid_admin_token");
      }
    }
    assertThat(fx.send("GET", fx.adminUrl() + "/admin/v1/accounts", null,
        "Authorization", "bearer " + GatewayFixture.ADMIN_TOKEN).status()).isEqualTo(200);
  }

  @Test
  void unknownRoutesAndMethodsUseTheErrorShape() {
    error(fx.admin("GET", "/admin/v1/nothing-here", null), 404, "unknown_url");
    error(fx.admin("PUT", "/admin/v1/accounts", "{}"), 405, "method_not_allowed");
  }

  @Test
  void theDataPlaneKeyIsNotAnAdminToken() {
    AccountKey ak = fx.newAccountWithKey();
    error(fx.send("GET", fx.adminUrl() + "/admin/v1/accounts", null, "Authorization", "Bearer " + ak.key()), 401,
        "invalid_admin_token");
  }

  // ---- accounts ----

  @Test
  void createAccountReturnsIt() {
    String id = GatewayFixture.uniqueId("create");
    Resp r = createAccount("{\"id\":\"" + id + "\",\"name\":\"Acme Corp\",\"attributes\":{\"tier\":\"free\","
        + "\"payment_fingerprint\":\"pf-123\",\"signup_ip\":\"203.0.113.5\",\"email_domain\":\"acme.test\","
        + "\"country\":\"DE\",\"employees\":250,\"verified\":true}}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode a = r.json();
    assertThat(a.get("id").asText()).isEqualTo(id);
    assertThat(a.get("name").asText()).isEqualTo("Acme Corp");
    assertThat(a.get("status").asText()).isEqualTo("active");
    assertThat(a.get("created_at").asText()).isNotBlank();
    assertThat(a.get("attributes").get("tier").asText()).isEqualTo("free");
    assertThat(a.get("attributes").get("employees").asText()).isEqualTo("250");
    assertThat(a.get("attributes").get("verified").asText()).isEqualTo("true");
    assertThat(a.get("attributes").get("country").asText()).isEqualTo("DE");
  }

  @Test
  void anAccountWithoutIdGetsOne() {
    Resp r = createAccount("{}");
    assertThat(r.status()).isEqualTo(201);
    String id = r.json().get("id").asText();
    assertThat(id).startsWith("acct_");
    assertThat(fx.admin("GET", "/admin/v1/accounts/" + id, null).status()).isEqualTo(200);
  }

  @Test
  void aDuplicateAccountIsAConflict() {
    String id = GatewayFixture.uniqueId("dup");
    assertThat(createAccount("{\"id\":\"" + id + "\"}").status()).isEqualTo(201);
    error(createAccount("{\"id\":\"" + id + "\",\"name\":\"again\"}"), 409, "already_exists");
  }

  @Test
  void badAccountsAreRefusedNamingTheField() {
    String[][] cases = {
        {"{\"id\":\"has space\"}", "id"},
        {"{\"id\":\"-leading-dash\"}", "id"},
        {"{\"id\":\"" + "x".repeat(129) + "\"}", "id"},
        {"{\"id\":42}", "id"},
        {"{\"id\":\"a/b\"}", "id"},
        {"{\"id\":\"\"}", "id"},
        {"{\"name\":7}", "name"},
        {"{\"name\":\"" + "n".repeat(201) + "\"}", "name"},
        {"{\"attributes\":[]}", "attributes"},
        {"{\"attributes\":\"tier=free\"}", "attributes"},
        {"{\"attributes\":{\"nested\":{\"a\":1}}}", "attributes.nested"},
        {"{\"attributes\":{\"nothing\":null}}", "attributes.nothing"},
        {"{\"attributes\":{\"list\":[1]}}", "attributes.list"},
        {"{\"attributes\":{\"\":\"empty name\"}}", "attributes."},
        {"{\"attributes\":{\"long\":\"" + "v".repeat(1025) + "\"}}", "attributes.long"},
        {"{\"attributes\":{\"tier\":\"platinum\"}}", "attributes.tier"},
        {"{\"status\":\"blocked\"}", "status"},
        {"{\"id\":\"ok-id\",\"unknown_field\":1}", "unknown_field"},
    };
    for (String[] c : cases) {
      JsonNode err = error(createAccount(c[0]), 400, "invalid_request");
      assertThat(err.get("param").asText()).as(c[0]).isEqualTo(c[1]);
    }
    for (String body : new String[] {"", "not json", "[]", "\"string\"", "{\"id\":"}) {
      error(createAccount(body), 400, "invalid_request");
    }
    StringBuilder many = new StringBuilder("{\"attributes\":{");
    for (int i = 0; i < 65; i++) {
      many.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":\"v\"");
    }
    error(createAccount(many.append("}}").toString()), 400, "invalid_request");
  }

  @Test
  void anOversizedAdminBodyIsRefused() {
    String body = "{\"name\":\"" + "x".repeat(1 << 20) + "\"}";
    Resp r = createAccount(body);
    assertThat(r.status()).isEqualTo(413);
  }

  @Test
  void getAccountHasTheDocumentedShape() {
    AccountKey ak = fx.newAccountWithKey();
    fx.chat(ak.key(), "first question");
    fx.chat(ak.key(), "second question");
    fx.data("POST", "/v1/chat/completions", "{\"model\":1}", ak.key());
    fx.flush();

    Resp r = fx.admin("GET", "/admin/v1/accounts/" + ak.accountId(), null);
    assertThat(r.status()).isEqualTo(200);
    JsonNode a = r.json();
    assertThat(a.get("id").asText()).isEqualTo(ak.accountId());
    assertThat(a.get("status").asText()).isIn("active", "watch", "throttled", "degraded", "blocked");
    JsonNode risk = a.get("risk");
    assertThat(risk.get("score").isNumber()).isTrue();
    assertThat(risk.get("level").isTextual()).isTrue();
    assertThat(risk.get("reasons").isArray()).isTrue();
    for (JsonNode reason : risk.get("reasons")) {
      assertThat(reason.has("signal") && reason.has("value") && reason.has("contribution")).isTrue();
    }
    assertThat(a.has("cluster_id")).isTrue();
    JsonNode counts = a.get("counts");
    assertThat(counts.get("exchanges").asLong()).isEqualTo(3);
    assertThat(counts.get("rejected").asLong()).isEqualTo(1);
    assertThat(counts.get("prompt_tokens").asLong()).isPositive();
    assertThat(counts.get("completion_tokens").asLong()).isPositive();
    assertThat(counts.get("first_seen").asText()).isNotBlank();
    assertThat(counts.get("last_seen").asText()).isNotBlank();
    assertThat(a.get("keys")).hasSize(1);
    assertThat(a.get("keys").get(0).get("key_id").asText()).isEqualTo(ak.keyId());
    assertThat(r.body()).doesNotContain(ak.key().substring(ak.key().indexOf('.') + 1));

    error(fx.admin("GET", "/admin/v1/accounts/no-such-account", null), 404, "not_found");
  }

  @Test
  void listingFiltersByStatusAndPaginates() {
    String prefix = GatewayFixture.uniqueId("page");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = prefix + "-" + i;
      ids.add(id);
      createAccount("{\"id\":\"" + id + "\"}");
    }
    assertThat(fx.setStatus(ids.get(1), "degraded", "test: listing").status()).isEqualTo(200);
    assertThat(fx.setStatus(ids.get(3), "degraded", "test: listing").status()).isEqualTo(200);

    Resp degraded = fx.admin("GET", "/admin/v1/accounts?status=degraded&limit=1000", null);
    assertThat(degraded.status()).isEqualTo(200);
    List<String> degradedIds = new ArrayList<>();
    degraded.json().get("data").forEach(a -> {
      assertThat(a.get("status").asText()).isEqualTo("degraded");
      degradedIds.add(a.get("id").asText());
    });
    assertThat(degradedIds).containsExactly(ids.get(1), ids.get(3));

    // walk every page of two
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      Resp page = fx.admin("GET", "/admin/v1/accounts?limit=2" + (after == null ? "" : "&after=" + after), null);
      assertThat(page.status()).isEqualTo(200);
      JsonNode data = page.json().get("data");
      assertThat(data.size()).isLessThanOrEqualTo(2);
      data.forEach(a -> seen.add(a.get("id").asText()));
      JsonNode next = page.json().get("next_after");
      after = next.isNull() ? null : next.asText();
      assertThat(++pages).isLessThan(1000);
    } while (after != null);
    assertThat(seen).containsAll(ids);
    assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
    assertThat(seen).isSorted();

    error(fx.admin("GET", "/admin/v1/accounts?status=suspicious", null), 400, "invalid_request");
    error(fx.admin("GET", "/admin/v1/accounts?limit=0", null), 400, "invalid_request");
    error(fx.admin("GET", "/admin/v1/accounts?limit=1001", null), 400, "invalid_request");
    error(fx.admin("GET", "/admin/v1/accounts?limit=ten", null), 400, "invalid_request");
  }

  // ---- status overrides ----

  @Test
  void statusOverridesNeedAReasonAndAreAudited() {
    String id = fx.newAccount(null);
    error(fx.setStatus(id, "blocked", null), 400, "invalid_request");
    error(fx.setStatus(id, "blocked", "   "), 400, "invalid_request");
    error(fx.admin("POST", "/admin/v1/accounts/" + id + "/status", "{\"status\":\"blocked\",\"reason\":5}"), 400,
        "invalid_request");
    error(fx.setStatus(id, "blocked", "x".repeat(2001)), 400, "invalid_request");
    JsonNode badStatus = error(fx.setStatus(id, "banned", "because"), 400, "invalid_request");
    assertThat(badStatus.get("param").asText()).isEqualTo("status");
    error(fx.setStatus(id, null, "no status"), 400, "invalid_request");
    error(fx.setStatus("no-such-account", "blocked", "because"), 404, "not_found");
    assertThat(fx.admin("GET", "/admin/v1/accounts/" + id, null).json().get("status").asText()).isEqualTo("active");

    Resp r = fx.send("POST", fx.adminUrl() + "/admin/v1/accounts/" + id + "/status",
        "{\"status\":\"throttled\",\"reason\":\"case 42: template flood\"}",
        "Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN, "X-DistillGuard-Actor", "alice");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asText()).isEqualTo("throttled");
    assertThat(fx.admin("GET", "/admin/v1/accounts/" + id, null).json().get("status").asText())
        .isEqualTo("throttled");

    Resp audit = fx.admin("GET", "/admin/v1/audit?subject=account:" + id, null);
    assertThat(audit.status()).isEqualTo(200);
    List<JsonNode> entries = new ArrayList<>();
    audit.json().get("data").forEach(entries::add);
    assertThat(entries).extracting(e -> e.get("action").asText()).contains("account.create", "account.status");
    JsonNode change = entries.stream().filter(e -> e.get("action").asText().equals("account.status"))
        .findFirst().orElseThrow();
    assertThat(entries.stream().filter(e -> e.get("action").asText().equals("account.status"))).hasSize(1);
    assertThat(change.get("actor").asText()).isEqualTo("analyst:alice");
    assertThat(change.get("subject").asText()).isEqualTo("account:" + id);
    assertThat(change.get("details").get("from").asText()).isEqualTo("active");
    assertThat(change.get("details").get("to").asText()).isEqualTo("throttled");
    assertThat(change.get("details").get("reason").asText()).isEqualTo("case 42: template flood");
    assertThat(change.get("details").get("source").asText()).isEqualTo("manual");
    assertThat(change.get("hash").asText()).isNotBlank();
    assertThat(change.get("seq").asLong()).isPositive();
    assertThat(change.get("at").asText()).isNotBlank();

    error(fx.admin("GET", "/admin/v1/audit?limit=0", null), 400, "invalid_request");
  }

  @Test
  void aThrottledAccountGetsTheThrottledLimits() {
    AccountKey ak = fx.newAccountWithKey();
    assertThat(fx.setStatus(ak.accountId(), "throttled", "test").status()).isEqualTo(200);
    // the default throttled limits: 10 requests a minute
    int ok = 0;
    Resp refused = null;
    for (int i = 0; i < 15 && refused == null; i++) {
      Resp r = fx.chat(ak.key(), "q" + i);
      if (r.status() == 200) {
        ok++;
      } else {
        refused = r;
      }
    }
    assertThat(ok).isEqualTo(10);
    JsonNode err = error(refused, 429, "account_throttled");
    assertThat(err.get("type").asText()).isEqualTo("rate_limit_error");
    assertThat(Long.parseLong(refused.header("Retry-After"))).isGreaterThanOrEqualTo(1);
  }

  // ---- keys ----

  @Test
  void keysAreShownOnceAndRevocable() {
    String id = fx.newAccount(null);
    Resp created = fx.admin("POST", "/admin/v1/accounts/" + id + "/keys", null);
    assertThat(created.status()).isEqualTo(201);
    JsonNode k = created.json();
    String key = k.get("key").asText();
    String keyId = k.get("key_id").asText();
    assertThat(key).startsWith("sk-dg-" + keyId + ".");
    assertThat(k.get("account_id").asText()).isEqualTo(id);
    assertThat(k.get("revoked_at").isNull()).isTrue();
    String secret = key.substring(key.indexOf('.') + 1);

    Resp listed = fx.admin("GET", "/admin/v1/accounts/" + id + "/keys", null);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.json().get("data")).hasSize(1);
    assertThat(listed.json().get("data").get(0).has("key")).isFalse();
    assertThat(listed.body()).doesNotContain(secret);
    assertThat(fx.admin("GET", "/admin/v1/audit?limit=1000", null).body()).doesNotContain(secret);

    assertThat(fx.chat(key, "hello").status()).isEqualTo(200);
    Resp revoked = fx.admin("DELETE", "/admin/v1/accounts/" + id + "/keys/" + keyId, null);
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.json().get("revoked_at").asText()).isNotBlank();
    error(fx.chat(key, "hello again"), 401, "invalid_api_key");

    // a second key of the same account still works
    AccountKey second = fx.newKey(id);
    assertThat(fx.chat(second.key(), "with the new key").status()).isEqualTo(200);
  }

  @Test
  void keysOfUnknownAccountsAndUnknownKeysAreNotFound() {
    error(fx.admin("POST", "/admin/v1/accounts/no-such-account/keys", null), 404, "not_found");
    error(fx.admin("GET", "/admin/v1/accounts/no-such-account/keys", null), 404, "not_found");
    String id = fx.newAccount(null);
    error(fx.admin("DELETE", "/admin/v1/accounts/" + id + "/keys/aaaaaaaaaaaa", null), 404, "not_found");
    // a key can only be revoked through its own account
    AccountKey other = fx.newAccountWithKey();
    error(fx.admin("DELETE", "/admin/v1/accounts/" + id + "/keys/" + other.keyId(), null), 404, "not_found");
    assertThat(fx.chat(other.key(), "still fine").status()).isEqualTo(200);
  }

  // ---- exchanges ----

  @Test
  void exchangesAreListedByAccountNewestFirstWithALimit() {
    AccountKey a = fx.newAccountWithKey();
    AccountKey b = fx.newAccountWithKey();
    for (int i = 0; i < 4; i++) {
      fx.chat(a.key(), "a" + i);
    }
    fx.chat(b.key(), "b0");
    fx.flush();
    Resp r = fx.admin("GET", "/admin/v1/exchanges?account=" + a.accountId(), null);
    assertThat(r.status()).isEqualTo(200);
    JsonNode data = r.json().get("data");
    assertThat(data).hasSize(4);
    List<String> prompts = new ArrayList<>();
    data.forEach(e -> {
      assertThat(e.get("account_id").asText()).isEqualTo(a.accountId());
      prompts.add(e.get("messages").get(0).get("content").asText());
    });
    assertThat(prompts).containsExactly("a3", "a2", "a1", "a0");
    JsonNode e = data.get(0);
    for (String field : new String[] {"id", "event_time", "account_id", "key_id", "client_ip", "user_agent",
        "header_fingerprint", "endpoint", "model", "params", "stream", "messages", "response_text", "prompt_sha256",
        "prompt_chars", "response_sha256", "response_chars", "usage", "status", "outcome", "error_code",
        "latency_us"}) {
      assertThat(e.has(field)).as(field).isTrue();
    }
    assertThat(e.get("latency_us").get("total").asLong()).isGreaterThanOrEqualTo(
        e.get("latency_us").get("upstream").asLong());

    Resp limited = fx.admin("GET", "/admin/v1/exchanges?limit=2&account=" + a.accountId(), null);
    assertThat(limited.json().get("data")).hasSize(2);
    String newest = data.get(0).get("event_time").asText();
    Resp before = fx.admin("GET", "/admin/v1/exchanges?account=" + a.accountId() + "&before=" + newest, null);
    assertThat(before.json().get("data").size()).isBetween(1, 3);
    assertThat(fx.admin("GET", "/admin/v1/exchanges?account=nobody", null).json().get("data")).isEmpty();

    for (String bad : new String[] {"limit=0", "limit=1001", "limit=-1", "limit=x", "before=yesterday",
        "before=2026-13-01T00:00:00Z"}) {
      error(fx.admin("GET", "/admin/v1/exchanges?" + bad, null), 400, "invalid_request");
    }
  }

  // ---- metrics ----

  @Test
  void metricsArePrometheusText() {
    AccountKey ak = fx.newAccountWithKey();
    fx.chat(ak.key(), "for the metrics");
    fx.flush();
    Resp r = fx.send("GET", fx.adminUrl() + "/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain");
    String m = r.body();
    assertThat(m).containsPattern("distillguard_requests_total\\{[^}]*endpoint=\"/v1/chat/completions\""
        + "[^}]*outcome=\"ok\"[^}]*status=\"200\"[^}]*} [1-9]");
    assertThat(m).contains("distillguard_gateway_overhead_seconds_bucket");
    assertThat(m).contains("distillguard_gateway_overhead_seconds_count");
    assertThat(m).contains("distillguard_request_latency_seconds_count");
    assertThat(m).contains("distillguard_upstream_latency_seconds_count");
    assertThat(m).containsPattern("(?m)^distillguard_exchange_dropped_total 0\\.0$");
    assertThat(m).containsPattern("(?m)^distillguard_exchange_stored_total [1-9]");
    assertThat(m).contains("distillguard_exchange_spilled_total");
    assertThat(m).contains("distillguard_exchange_backlog");
    assertThat(m).contains("distillguard_exchange_queue_depth");
  }

  // ---- hostile strings ----

  @Test
  void hostileStringsRoundTripAsJsonText() {
    String hostile = "<script>alert(\"x\")</script> ' \" \\ \u0000 \u001f \uD83D\uDE00 \u202Egnp.exe "
        + "\u0645\u0631\u062D\u0628\u0627 {\"error\":1} ${jndi:ldap://x} \r\n";
    String id = GatewayFixture.uniqueId("hostile");
    ObjectNode body = JSON.createObjectNode().put("id", id).put("name", hostile);
    body.putObject("attributes").put("email_domain", hostile).put("note<>", hostile);
    Resp created = createAccount(body.toString());
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("Content-Type")).startsWith("application/json");
    // The store keeps text columns free of NUL on every dialect (PostgreSQL refuses it): the name comes back with
    // U+FFFD in its place; attributes are a JSON document and keep it.
    String storedName = hostile.replace('\u0000', '\uFFFD');
    assertThat(created.json().get("name").asText()).isEqualTo(storedName);
    JsonNode got = fx.admin("GET", "/admin/v1/accounts/" + id, null).json();
    assertThat(got.get("name").asText()).isEqualTo(storedName);
    assertThat(got.get("attributes").get("email_domain").asText()).isEqualTo(hostile);
    assertThat(got.get("attributes").get("note<>").asText()).isEqualTo(hostile);
    Resp list = fx.admin("GET", "/admin/v1/accounts?limit=1000", null);
    assertThat(list.header("Content-Type")).startsWith("application/json");
    assertThat(list.json().get("data").findValuesAsText("name")).contains(storedName);

    AccountKey ak = fx.newKey(id);
    String asciiUa = "<script>alert('ua')</script> \"quoted\" \\back";
    ObjectNode chat = JSON.createObjectNode().put("model", GatewayFixture.MODEL);
    chat.putArray("messages").addObject().put("role", "user").put("content", hostile);
    Resp r = fx.data("POST", "/v1/chat/completions", chat.toString(), ak.key(), "User-Agent", asciiUa);
    assertThat(r.status()).isEqualTo(200);

    // a user agent in raw UTF-8 bytes, which HTTP does not define
    byte[] req = RawHttp.request("POST", "/v1/chat/completions",
        GatewayFixture.chatBody("raw ua", false).getBytes(StandardCharsets.UTF_8),
        "Authorization: Bearer " + ak.key(), "Content-Type: application/json");
    String head = new String(req, StandardCharsets.ISO_8859_1);
    byte[] utf8Ua = ("User-Agent: <b>\uD83D\uDE00\u202E</b>\r\n").getBytes(StandardCharsets.UTF_8);
    int at = head.indexOf("\r\n") + 2;
    byte[] withUa = new byte[req.length + utf8Ua.length];
    System.arraycopy(req, 0, withUa, 0, at);
    System.arraycopy(utf8Ua, 0, withUa, at, utf8Ua.length);
    System.arraycopy(req, at, withUa, at + utf8Ua.length, req.length - at);
    assertThat(RawHttp.exchange(fx.port(), withUa).status()).isEqualTo(200);

    List<JsonNode> ex = fx.exchanges(id);
    assertThat(ex).hasSize(2);
    JsonNode first = ex.get(1);
    assertThat(first.get("messages").get(0).get("content").asText()).isEqualTo(hostile);
    assertThat(first.get("user_agent").asText()).isEqualTo(asciiUa);
    assertThat(ex.get(0).get("user_agent").asText()).startsWith("<b>").endsWith("</b>");
    Resp raw = fx.admin("GET", "/admin/v1/exchanges?account=" + id, null);
    assertThat(raw.header("Content-Type")).startsWith("application/json");
    assertThat(raw.body()).doesNotContain("\u0000"); // a raw NUL; the escaped text \\u0000 is fine
    assertThat(raw.json().get("data").get(1).get("messages").get(0).get("content").asText()).isEqualTo(hostile);
  }

  @Test
  void accountIdsAreSafeInUrls() {
    String id = "user@example.com:team.a_b-1";
    assertThat(createAccount("{\"id\":\"" + id + "\"}").status()).isEqualTo(201);
    Resp r = fx.admin("GET", "/admin/v1/accounts/" + id, null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("id").asText()).isEqualTo(id);
  }

  @Test
  void allIdsAreUnique() {
    Set<String> ids = new HashSet<>();
    for (JsonNode e : fx.allExchanges()) {
      assertThat(ids.add(e.get("id").asText())).isTrue();
    }
  }
}
