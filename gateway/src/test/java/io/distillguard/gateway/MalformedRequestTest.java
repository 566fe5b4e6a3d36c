package io.distillguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.gateway.testing.GatewayFixture.Resp;
import io.distillguard.gateway.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests no SDK would send, over raw HTTP: each gets the OpenAI error shape with the right status and code, and
 * each leaves exactly one exchange record (found by a unique user agent).
 */
class MalformedRequestTest {
  private static final int MAX_BODY = 4096;
  @TempDir
  static Path dir;
  static GatewayFixture fx;
  static AccountKey ak;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.builder(dir).config(c -> c.server.maxBodyBytes = MAX_BODY).start();
    ak = fx.newAccountWithKey();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** Asserts the OpenAI error shape; returns the error object. */
  static JsonNode openAiError(int actualStatus, String body, int status, String code) {
    assertThat(actualStatus).as("status of %s", body).isEqualTo(status);
    JsonNode root;
    try {
      root = GatewayFixture.JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
    assertThat(root.size()).isEqualTo(1);
    JsonNode err = root.get("error");
    assertThat(err).isNotNull();
    assertThat(err.has("message") && err.has("type") && err.has("param") && err.has("code")).as(body).isTrue();
    assertThat(err.get("message").isTextual()).isTrue();
    assertThat(err.get("message").asText()).isNotBlank();
    assertThat(err.get("type").isTextual()).isTrue();
    assertThat(err.get("code").asText()).isEqualTo(code);
    return err;
  }

  static JsonNode openAiError(Resp r, int status, String code) {
    assertThat(r.header("Content-Type")).startsWith("application/json");
    return openAiError(r.status(), r.body(), status, code);
  }

  static JsonNode openAiError(RawHttp.Response r, int status, String code) {
    assertThat(r.header("content-type")).startsWith("application/json");
    return openAiError(r.status(), r.text(), status, code);
  }

  /** The one record left by the request that carried this user agent. */
  static JsonNode onlyRecord(String ua) {
    List<JsonNode> records = fx.exchangesByUserAgent(ua);
    assertThat(records).as("records of %s", ua).hasSize(1);
    return records.get(0);
  }

  private static Resp post(String path, String body, String key, String ua) {
    return fx.data("POST", path, body, key, "User-Agent", ua);
  }

  @Test
  void malformedJsonWrongTypesAndMissingFields() {
    Map<String, String[]> cases = Map.of(
        "{\"model\": \"builtin-small\", \"messages\": [", new String[] {"invalid_json", null},
        "{\"model\":\"builtin-small\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} extra",
        new String[] {"invalid_json", null},
        "[]", new String[] {"invalid_json", null},
        "{\"model\": 42, \"messages\": []}", new String[] {"invalid_type", "model"},
        "{\"model\": \"builtin-small\"}", new String[] {"missing_required_parameter", "messages"},
        "{\"model\": \"builtin-small\", \"messages\": \"hello\"}", new String[] {"invalid_type", "messages"},
        "{\"model\": \"builtin-small\", \"messages\": [{\"role\": \"user\", \"content\": 5}]}",
        new String[] {"invalid_type", "messages[0].content"},
        "{\"model\": \"builtin-small\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"yes\"}",
        new String[] {"invalid_type", "stream"});
    int before = fx.upstream.requestCount();
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      String ua = GatewayFixture.uniqueId("malformed");
      Resp r = post("/v1/chat/completions", c.getKey(), ak.key(), ua);
      JsonNode err = openAiError(r, 400, c.getValue()[0]);
      assertThat(err.get("type").asText()).isEqualTo("invalid_request_error");
      if (c.getValue()[1] == null) {
        assertThat(err.get("param").isNull()).isTrue();
      } else {
        assertThat(err.get("param").asText()).isEqualTo(c.getValue()[1]);
      }
      JsonNode rec = onlyRecord(ua);
      assertThat(rec.get("status").asInt()).isEqualTo(400);
      assertThat(rec.get("outcome").asText()).isEqualTo("rejected");
      assertThat(rec.get("error_code").asText()).isEqualTo(c.getValue()[0]);
      assertThat(rec.get("account_id").asText()).isEqualTo(ak.accountId());
    }
    assertThat(fx.upstream.requestCount()).as("nothing malformed reaches the model server").isEqualTo(before);
  }

  @Test
  void malformedInputOnOtherEndpoints() {
    String ua1 = GatewayFixture.uniqueId("bad-completion");
    openAiError(post("/v1/completions", "{\"model\":\"builtin-small\",\"prompt\":{}}", ak.key(), ua1), 400,
        "invalid_type");
    String ua2 = GatewayFixture.uniqueId("bad-embedding");
    JsonNode err = openAiError(post("/v1/embeddings", "{\"model\":\"builtin-small\"}", ak.key(), ua2), 400,
        "missing_required_parameter");
    assertThat(err.get("param").asText()).isEqualTo("input");
    assertThat(onlyRecord(ua1).get("endpoint").asText()).isEqualTo("/v1/completions");
    assertThat(onlyRecord(ua2).get("endpoint").asText()).isEqualTo("/v1/embeddings");
  }

  @Test
  void invalidUtf8IsRefused() {
    String ua = GatewayFixture.uniqueId("utf8");
    byte[] body = "{\"model\":\"builtin-small\",\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9\"}]}"
        .getBytes(StandardCharsets.ISO_8859_1); // Latin-1 é is not UTF-8
    RawHttp.Response r = RawHttp.exchange(fx.port(), RawHttp.request("POST", "/v1/chat/completions", body,
        "Authorization: Bearer " + ak.key(), "Content-Type: application/json", "User-Agent: " + ua));
    openAiError(r, 400, "invalid_encoding");
    assertThat(onlyRecord(ua).get("error_code").asText()).isEqualTo("invalid_encoding");
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedWithoutReadingTheBody() {
    String ua = GatewayFixture.uniqueId("too-large-cl");
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ak.key()
          + "\r\nUser-Agent: " + ua + "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
      RawHttp.Response r = raw.readResponse();
      JsonNode err = openAiError(r, 413, "request_too_large");
      assertThat(err.get("message").asText()).contains(Integer.toString(MAX_BODY));
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
    }
    JsonNode rec = onlyRecord(ua);
    assertThat(rec.get("status").asInt()).isEqualTo(413);
    assertThat(rec.get("account_id").isNull()).as("refused before authentication").isTrue();
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefused() {
    String ua = GatewayFixture.uniqueId("too-large-chunked");
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ak.key()
          + "\r\nUser-Agent: " + ua + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 3; i++) {
        raw.write(Integer.toHexString(2000) + "\r\n" + "x".repeat(2000) + "\r\n");
      }
      // no last chunk: the gateway must answer without waiting for the end of an oversized body
      RawHttp.Response r = raw.readResponse();
      openAiError(r, 413, "request_too_large");
    }
    assertThat(onlyRecord(ua).get("status").asInt()).isEqualTo(413);
  }

  @Test
  void aChunkedBodyUnderTheLimitIsServed() {
    String ua = GatewayFixture.uniqueId("chunked-ok");
    byte[] body = GatewayFixture.chatBody("chunked hello", false).getBytes(StandardCharsets.UTF_8);
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ak.key()
          + "\r\nUser-Agent: " + ua + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      int half = body.length / 2;
      raw.write(Integer.toHexString(half) + "\r\n");
      raw.write(java.util.Arrays.copyOfRange(body, 0, half));
      raw.write("\r\n" + Integer.toHexString(body.length - half) + "\r\n");
      raw.write(java.util.Arrays.copyOfRange(body, half, body.length));
      raw.write("\r\n0\r\n\r\n");
      RawHttp.Response r = raw.readResponse();
      assertThat(r.status()).as(r.text()).isEqualTo(200);
    }
    assertThat(onlyRecord(ua).get("outcome").asText()).isEqualTo("ok");
  }

  @Test
  void aClientThatHangsUpHalfwayThroughItsBodyIsRecordedOnce() {
    String ua = GatewayFixture.uniqueId("midbody");
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ak.key()
          + "\r\nUser-Agent: " + ua + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
          + "{\"model\":\"builtin-small\",");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<JsonNode> records = fx.exchangesByUserAgent(ua);
    while (records.isEmpty() && System.nanoTime() < deadline) {
      GatewayFixture.sleep(20);
      records = fx.exchangesByUserAgent(ua);
    }
    assertThat(records).hasSize(1);
    JsonNode rec = records.get(0);
    assertThat(rec.get("outcome").asText()).isEqualTo("client_cancelled");
    assertThat(rec.get("error_code").asText()).isEqualTo("client_cancelled");
    assertThat(rec.get("status").asInt()).isEqualTo(499);
  }

  @Test
  void aBodyJustUnderTheLimitIsServed() {
    String ua = GatewayFixture.uniqueId("near-limit");
    String prompt = "word ".repeat((MAX_BODY - 200) / 5);
    String body = GatewayFixture.chatBody(prompt, false);
    assertThat(body.length()).isLessThan(MAX_BODY);
    Resp r = post("/v1/chat/completions", body, ak.key(), ua);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(onlyRecord(ua).get("prompt_chars").asInt()).isEqualTo(prompt.length());
  }

  @Test
  void expectContinueIsAnswered() {
    String ua = GatewayFixture.uniqueId("expect");
    byte[] body = GatewayFixture.chatBody("hello with expect", false).getBytes(StandardCharsets.UTF_8);
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ak.key()
          + "\r\nUser-Agent: " + ua + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n");
      assertThat(raw.readHead().status()).isEqualTo(100);
      raw.write(body);
      assertThat(raw.readResponse().status()).isEqualTo(200);
    }
    String ua2 = GatewayFixture.uniqueId("expect-too-large");
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ak.key()
          + "\r\nUser-Agent: " + ua2 + "\r\nExpect: 100-continue\r\nContent-Length: 999999\r\n\r\n");
      RawHttp.Response r = raw.readHead();
      assertThat(r.status()).as("no 100 Continue for a body that will be refused").isEqualTo(413);
    }
    onlyRecord(ua);
    onlyRecord(ua2);
  }

  @Test
  void theConnectionStaysUsableAfterARefusal() {
    String ua = GatewayFixture.uniqueId("keepalive");
    try (RawHttp raw = new RawHttp(fx.port(), Duration.ofSeconds(10))) {
      byte[] bad = "{\"model\":".getBytes(StandardCharsets.UTF_8);
      raw.write(RawHttp.request("POST", "/v1/chat/completions", bad, "Authorization: Bearer " + ak.key(),
          "User-Agent: " + ua));
      openAiError(raw.readResponse(), 400, "invalid_json");
      raw.write(RawHttp.request("POST", "/v1/chat/completions",
          GatewayFixture.chatBody("second on the same connection", false).getBytes(StandardCharsets.UTF_8),
          "Authorization: Bearer " + ak.key(), "User-Agent: " + ua));
      assertThat(raw.readResponse().status()).isEqualTo(200);
    }
    assertThat(fx.exchangesByUserAgent(ua)).extracting(e -> e.get("status").asInt())
        .containsExactlyInAnyOrder(400, 200);
  }

  @Test
  void unknownEndpointsAreNotFound() {
    String[][] cases = {{"POST", "/v1/chat/completion"}, {"GET", "/"}, {"GET", "/v2/models"},
        {"POST", "/v1/responses"}, {"GET", "/v1/models/builtin-small"}, {"GET", "/admin/v1/accounts"}};
    for (String[] c : cases) {
      String ua = GatewayFixture.uniqueId("404");
      Resp r = fx.data(c[0], c[1], c[0].equals("POST") ? "{}" : null, ak.key(), "User-Agent", ua);
      JsonNode err = openAiError(r, 404, "unknown_url");
      assertThat(err.get("message").asText()).contains(c[1]);
      JsonNode rec = onlyRecord(ua);
      assertThat(rec.get("endpoint").asText()).isEqualTo(c[1]);
      assertThat(rec.get("status").asInt()).isEqualTo(404);
    }
  }

  @Test
  void aHugeUnknownPathIsShortenedInTheRecord() {
    String ua = GatewayFixture.uniqueId("404-long");
    String path = "/v1/" + "a".repeat(3000);
    Resp r = fx.data("GET", path, null, null, "User-Agent", ua);
    openAiError(r, 404, "unknown_url");
    assertThat(onlyRecord(ua).get("endpoint").asText().length()).isLessThanOrEqualTo(200);
  }

  @Test
  void wrongMethodsAreNotAllowed() {
    String[][] cases = {{"GET", "/v1/chat/completions"}, {"POST", "/v1/models"}, {"DELETE", "/v1/embeddings"},
        {"PUT", "/v1/completions"}};
    for (String[] c : cases) {
      String ua = GatewayFixture.uniqueId("405");
      Resp r = fx.data(c[0], c[1], c[0].equals("GET") || c[0].equals("DELETE") ? null : "{}", ak.key(),
          "User-Agent", ua);
      JsonNode err = openAiError(r, 405, "method_not_allowed");
      assertThat(err.get("message").asText()).contains(c[0]);
      assertThat(onlyRecord(ua).get("status").asInt()).isEqualTo(405);
    }
  }

  @Test
  void missingInvalidAndRevokedKeysAreUnauthorized() {
    AccountKey victim = fx.newAccountWithKey();
    String body = GatewayFixture.chatBody("hi", false);
    String[][] cases = {
        {null, "missing_api_key"},
        {"", "missing_api_key"},
        {"Basic dXNlcjpwYXNz", "invalid_api_key"},
        {"Bearer", "invalid_api_key"},
        {"Bearer sk-not-ours", "invalid_api_key"},
        {"Bearer sk-dg-aaaaaaaaaaaa.secret", "invalid_api_key"},
        {"Bearer " + victim.key() + "x", "invalid_api_key"},
        {"Bearer " + victim.key().substring(0, victim.key().length() - 2), "invalid_api_key"},
    };
    for (String[] c : cases) {
      String ua = GatewayFixture.uniqueId("401");
      Resp r = c[0] == null
          ? fx.data("POST", "/v1/chat/completions", body, null, "User-Agent", ua)
          : fx.data("POST", "/v1/chat/completions", body, null, "User-Agent", ua, "Authorization", c[0]);
      openAiError(r, 401, c[1]);
      JsonNode rec = onlyRecord(ua);
      assertThat(rec.get("status").asInt()).isEqualTo(401);
      assertThat(rec.get("account_id").isNull()).isTrue();
      assertThat(rec.get("error_code").asText()).isEqualTo(c[1]);
    }
    // lower-case scheme is fine
    assertThat(fx.data("POST", "/v1/chat/completions", body, null, "Authorization", "bearer " + victim.key())
        .status()).isEqualTo(200);

    Resp revoke = fx.admin("DELETE", "/admin/v1/accounts/" + victim.accountId() + "/keys/" + victim.keyId(), null);
    assertThat(revoke.status()).isEqualTo(200);
    String ua = GatewayFixture.uniqueId("revoked");
    JsonNode err = openAiError(fx.data("POST", "/v1/chat/completions", body, victim.key(), "User-Agent", ua), 401,
        "invalid_api_key");
    assertThat(err.get("message").asText()).containsIgnoringCase("revoked");
    assertThat(onlyRecord(ua).get("status").asInt()).isEqualTo(401);
  }

  @Test
  void noRequestIsEverRecordedTwice() {
    // runs after (or before) the others: every id is unique, whatever happened
    fx.chat(ak.key(), "one more");
    List<JsonNode> all = fx.allExchanges();
    Set<String> ids = new HashSet<>();
    for (JsonNode e : all) {
      assertThat(ids.add(e.get("id").asText())).as("duplicate id %s", e.get("id")).isTrue();
    }
    Set<String> uas = new HashSet<>();
    for (JsonNode e : all) {
      String ua = e.path("user_agent").asText("");
      if (ua.matches("(malformed|utf8|too-large.*|404|405|401|revoked|expect.*|near-limit|chunked-ok|bad-.*|midbody)-.*")) {
        assertThat(uas.add(ua)).as("two records for %s", ua).isTrue();
      }
    }
  }
}
