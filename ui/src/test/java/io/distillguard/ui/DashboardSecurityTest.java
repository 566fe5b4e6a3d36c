package io.distillguard.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.distillguard.core.Alert;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.AlertLog;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's HTTP contract without a browser: what needs a session, what needs the CSRF token, what the admin
 * bridge refuses, how sign-in guessing is stopped; and escalations reaching a real webhook receiver, from detection
 * and from an analyst.
 */
class DashboardSecurityTest {
  @TempDir Path dir;
  DashboardFixture fx;
  HttpServer receiver;
  final List<JsonNode> hooks = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", ex -> {
      hooks.add(DashboardFixture.JSON.readTree(new String(ex.getRequestBody().readAllBytes(),
          StandardCharsets.UTF_8)));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    fx = new DashboardFixture(dir, c -> {
      GatewayConfig.Webhook w = new GatewayConfig.Webhook();
      w.name = "soc";
      w.url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
      w.minLevel = "throttle";
      c.alerts.webhooks = List.of(w);
      c.detection.degrade = 0.999;
      c.detection.block = 0.999;
    });
  }

  @AfterEach
  void stop() {
    fx.close();
    receiver.stop(0);
  }

  private String origin() {
    return fx.adminUrl();
  }

  private String login(String token, String analyst) {
    DashboardFixture.Resp r = fx.send("POST", fx.adminUrl() + "/ui/login", "token=" + token + "&analyst=" + analyst,
        "Content-Type", "application/x-www-form-urlencoded", "Origin", origin());
    assertThat(r.status()).isEqualTo(303);
    String cookie = r.raw().headers().firstValue("set-cookie").orElse(null);
    if (cookie == null) {
      return null;
    }
    assertThat(cookie).contains("HTTPOnly", "SameSite=Strict", "Path=/").doesNotContain("Secure");
    return cookie.substring(0, cookie.indexOf(';'));
  }

  private String csrf(String cookie) {
    return fx.send("GET", fx.adminUrl() + "/ui/api/session", null, "Cookie", cookie).json().path("csrf").asText();
  }

  @Test
  void everythingButTheLoginPageNeedsASession() {
    assertThat(fx.send("GET", fx.adminUrl() + "/ui/", null).status()).isEqualTo(303);
    assertThat(fx.send("GET", fx.adminUrl() + "/ui/api/overview", null).status()).isEqualTo(401);
    assertThat(fx.send("GET", fx.adminUrl() + "/ui/api/admin/v1/accounts", null).status()).isEqualTo(401);
    assertThat(fx.send("GET", fx.adminUrl() + "/ui/api/overview", null, "Cookie", "dg_session=forged").status())
        .isEqualTo(401);
    DashboardFixture.Resp page = fx.send("GET", fx.adminUrl() + "/ui/login", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.raw().headers().firstValue("content-security-policy").orElseThrow())
        .contains("frame-ancestors 'none'");
    assertThat(page.raw().headers().firstValue("x-frame-options").orElseThrow()).isEqualTo("DENY");
  }

  @Test
  void crossOriginAndGuessedSignInsAreRefused() {
    DashboardFixture.Resp r = fx.send("POST", fx.adminUrl() + "/ui/login", "token=" + DashboardFixture.TOKEN,
        "Content-Type", "application/x-www-form-urlencoded", "Origin", "http://evil.example");
    assertThat(r.status()).isEqualTo(403);
    for (int i = 0; i < 10; i++) {
      assertThat(login("guess-" + i, "x")).isNull();
    }
    DashboardFixture.Resp locked = fx.send("POST", fx.adminUrl() + "/ui/login", "token=" + DashboardFixture.TOKEN,
        "Content-Type", "application/x-www-form-urlencoded", "Origin", origin());
    assertThat(locked.raw().headers().firstValue("location").orElseThrow()).endsWith("error=locked");
  }

  @Test
  void stateChangesNeedTheTokenAndTheBridgeOnlyRules() {
    String cookie = login(DashboardFixture.TOKEN, "bob");
    fx.account("c1", null, "tier", "default");
    String body = "{\"status\":\"blocked\",\"reason\":\"test\"}";
    String url = fx.adminUrl() + "/ui/api/admin/v1/accounts/c1/status";
    assertThat(fx.send("POST", url, body, "Cookie", cookie, "Content-Type", "application/json").status())
        .isEqualTo(403);
    assertThat(fx.send("POST", url, body, "Cookie", cookie, "Content-Type", "text/plain", "X-CSRF-Token",
        csrf(cookie)).status()).isEqualTo(403);
    assertThat(fx.send("POST", url, body, "Cookie", cookie, "Content-Type", "application/json", "X-CSRF-Token",
        csrf(cookie), "Origin", "http://evil.example").status()).isEqualTo(403);
    DashboardFixture.Resp ok = fx.send("POST", url, body, "Cookie", cookie, "Content-Type", "application/json",
        "X-CSRF-Token", csrf(cookie), "Origin", origin());
    assertThat(ok.status()).isEqualTo(200);
    assertThat(fx.store.audit().list("account:c1", 1).get(0).actor()).isEqualTo("analyst:bob");
    // Keys are not the dashboard's business: the bridge refuses anything but reads and the two rulings.
    assertThat(fx.send("POST", fx.adminUrl() + "/ui/api/admin/v1/accounts/c1/keys", "{}", "Cookie", cookie,
        "Content-Type", "application/json", "X-CSRF-Token", csrf(cookie)).status()).isEqualTo(403);
    assertThat(fx.send("GET", fx.adminUrl() + "/ui/api/cases/x/..%2Fadmin-token", null, "Cookie", cookie).status())
        .isEqualTo(404);
    // Logging out ends the session on the server, not just in the browser.
    String logout = "csrf=" + csrf(cookie);
    assertThat(fx.send("POST", fx.adminUrl() + "/ui/logout", logout, "Cookie", cookie, "Content-Type",
        "application/x-www-form-urlencoded", "Origin", origin()).status()).isEqualTo(303);
    assertThat(fx.send("GET", fx.adminUrl() + "/ui/api/session", null, "Cookie", cookie).status()).isEqualTo(401);
  }

  @Test
  void escalationsReachTheWebhookFromDetectionAndFromAnAnalyst() {
    String key = fx.account("h1", "Harvester", "tier", "default");
    for (int i = 0; i < 400; i++) {
      fx.chat(key, DashboardFixture.harvestPrompt(i), DashboardFixture.T0.plusSeconds(8L * i), "python", "198.51.100.5");
    }
    fx.settle();
    DashboardFixture.await("detection's escalation notified", Duration.ofSeconds(20), () -> !hooks.isEmpty());
    JsonNode first = hooks.get(0);
    assertThat(first.path("distillguard").path("account_id").asText()).isEqualTo("h1");
    assertThat(first.path("distillguard").path("to").asText()).isEqualTo("throttle");
    assertThat(first.path("distillguard").path("source").asText()).isEqualTo("detection");

    Alert alert = fx.store.alerts().list(new AlertLog.Query("h1", Set.of(RiskLevel.THROTTLE), null, null, null, 1))
        .get(0);
    String cookie = login(DashboardFixture.TOKEN, "carol");
    DashboardFixture.Resp r = fx.send("POST", fx.adminUrl() + "/ui/api/alerts/" + alert.id() + "/review",
        "{\"decision\":\"escalate\",\"note\":\"confirmed harvesting\"}", "Cookie", cookie, "Content-Type",
        "application/json", "X-CSRF-Token", csrf(cookie), "Origin", origin());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("account_status").asText()).isEqualTo("degraded");
    assertThat(r.json().path("state").asText()).isEqualTo("escalate");
    DashboardFixture.await("the analyst's escalation notified", Duration.ofSeconds(20), () -> hooks.size() >= 2);
    JsonNode second = hooks.get(hooks.size() - 1).path("distillguard");
    assertThat(second.path("to").asText()).isEqualTo("degrade");
    assertThat(second.path("source").asText()).isEqualTo("analyst:carol");
    assertThat(fx.store.audit().list("account:h1", 5)).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("alert.escalate");
      assertThat(e.actor()).isEqualTo("analyst:carol");
    });
  }
}
