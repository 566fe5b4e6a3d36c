package io.distillguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.core.Alert;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.Resp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /admin/v1/alerts} through the real gateway: escalations recorded by detection, paging, filters, errors. */
class AlertsApiTest {
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  static final String[] SUBJECTS = {"photosynthesis", "the French revolution", "binary search", "plate tectonics",
      "supply and demand", "the immune system", "quantum tunnelling", "Roman aqueducts", "compound interest"};
  @TempDir Path dir;
  GatewayFixture gw;

  @BeforeEach
  void start() {
    gw = GatewayFixture.builder(dir).config(c -> {
      c.replay = true;
      c.limits.tiers.get("default").account.requestsPerMinute = 0;
      c.limits.tiers.get("default").key.requestsPerMinute = 0;
      c.limits.tiers.get("default").account.tokensPerMinute = 0;
      c.limits.tiers.get("default").key.tokensPerMinute = 0;
    }).start();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  private JsonNode alerts(String query) {
    Resp r = gw.admin("GET", "/admin/v1/alerts" + query, null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    return r.json();
  }

  private static List<Long> ids(JsonNode page) {
    List<Long> ids = new ArrayList<>();
    page.path("data").forEach(a -> ids.add(a.path("id").asLong()));
    return ids;
  }

  private static String harvestPrompt(int i) {
    return "Below is an instruction that describes a task. Write a response that completes the request.\n"
        + "### Instruction: Explain " + SUBJECTS[i % SUBJECTS.length] + " for lesson " + i
        + ".\n### Response: Let's think step by step and show your reasoning before the answer.";
  }

  @Test
  void everyEscalationOfAHarvestIsInTheFeedWithItsReasons() {
    GatewayFixture.AccountKey harvester = gw.newAccountWithKey();
    GatewayFixture.AccountKey person = gw.newAccountWithKey();
    for (int i = 0; i < 400; i++) {
      gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(harvestPrompt(i), false), harvester.key(),
          "X-DistillGuard-Event-Time", T0.plusSeconds(8L * i).toString());
      if (i % 40 == 0) {
        gw.chat(person.key(), "What should I cook tonight with leeks?", "X-DistillGuard-Event-Time",
            T0.plus(Duration.ofMinutes(3L * i)).toString());
      }
    }
    assertThat(gw.gateway.detection().drain(Duration.ofSeconds(20))).isTrue();
    long escalations = gw.gateway.detection().escalations();
    assertThat(escalations).isPositive();
    GatewayFixture.await("alerts recorded", Duration.ofSeconds(10),
        () -> alerts("").path("data").size() == escalations);

    JsonNode feed = alerts("?account=" + harvester.accountId());
    assertThat(feed.path("data")).hasSize((int) escalations);
    assertThat(feed.path("next_after").isNull()).isTrue();
    JsonNode newest = feed.path("data").get(0);
    String status = gw.admin("GET", "/admin/v1/accounts/" + harvester.accountId(), null).json().path("status")
        .asText();
    assertThat(newest.path("status").asText()).as("the newest alert set the account's status").isEqualTo(status);
    assertThat(newest.path("account_id").asText()).isEqualTo(harvester.accountId());
    assertThat(newest.path("score").asDouble()).isBetween(0.0, 1.0);
    assertThat(newest.path("evidence").asLong()).isGreaterThanOrEqualTo(20);
    assertThat(newest.path("reasons").size()).isBetween(1, 4);
    assertThat(newest.path("reasons").get(0).path("explanation").asText()).isNotBlank();
    assertThat(Instant.parse(newest.path("at").asText())).isBetween(T0, T0.plusSeconds(8L * 400));
    Instant.parse(newest.path("recorded_at").asText());
    List<String> levels = new ArrayList<>();
    feed.path("data").forEach(a -> levels.add(a.path("from").asText() + ">" + a.path("to").asText()));
    for (int i = 0; i + 1 < levels.size(); i++) {
      assertThat(levels.get(i).split(">")[0]).as("each escalation starts where the previous one ended: %s", levels)
          .isEqualTo(levels.get(i + 1).split(">")[1]);
    }
    assertThat(levels.get(levels.size() - 1)).startsWith("none>");

    long seq = newest.path("audit_seq").asLong();
    boolean audited = false;
    for (JsonNode a : gw.admin("GET", "/admin/v1/audit?subject=account:" + harvester.accountId(), null).json()
        .path("data")) {
      audited |= a.path("seq").asLong() == seq && a.path("actor").asText().equals("detector");
    }
    assertThat(audited).as("the alert points at its audit entry").isTrue();
    assertThat(alerts("?account=" + person.accountId()).path("data")).isEmpty();
  }

  @Test
  void pagesNewestFirstAndFilters() {
    long[] id = new long[7];
    for (int i = 0; i < 7; i++) {
      RiskLevel to = i % 2 == 0 ? RiskLevel.WATCH : RiskLevel.BLOCK;
      id[i] = gw.store.alerts().append(new Alert(0, T0.plusSeconds(60L * i), T0.plusSeconds(60L * i + 1),
          i < 3 ? "acct-a" : "acct-b", RiskLevel.NONE, to, 0.5, 100, List.of(), 0)).id();
    }
    JsonNode page1 = alerts("?limit=3");
    assertThat(ids(page1)).containsExactly(id[6], id[5], id[4]);
    assertThat(page1.path("next_after").asLong()).isEqualTo(id[4]);
    JsonNode page2 = alerts("?limit=3&after=" + page1.path("next_after").asLong());
    assertThat(ids(page2)).containsExactly(id[3], id[2], id[1]);
    JsonNode page3 = alerts("?limit=3&after=" + page2.path("next_after").asLong());
    assertThat(ids(page3)).containsExactly(id[0]);
    assertThat(page3.path("next_after").isNull()).isTrue();

    assertThat(ids(alerts("?account=acct-a"))).containsExactly(id[2], id[1], id[0]);
    assertThat(ids(alerts("?level=block"))).containsExactly(id[5], id[3], id[1]);
    assertThat(ids(alerts("?level=blocked,watch&account=acct-b"))).containsExactly(id[6], id[5], id[4], id[3]);
    assertThat(ids(alerts("?level=block&level=watch&limit=2"))).containsExactly(id[6], id[5]);
    assertThat(ids(alerts("?since_id=" + id[4]))).containsExactly(id[6], id[5]);
    assertThat(ids(alerts("?since=" + T0.plusSeconds(300)))).containsExactly(id[6], id[5]);
    assertThat(ids(alerts("?level=throttle"))).isEmpty();
  }

  @Test
  void textFromTrafficComesBackAsJsonStringsOnly() {
    String hostile = "</script><script>alert(1)</script>\"},{\"injected\":true} \\u0000 \u0007 \u202e ünïcödé";
    gw.store.alerts().append(new Alert(0, T0, T0, "acct-h", RiskLevel.WATCH, RiskLevel.THROTTLE, 0.6, 80,
        List.of(new Reason("templates", 0.9, 0.4, hostile)), 0));
    Resp r = gw.admin("GET", "/admin/v1/alerts", null);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    JsonNode a = r.json().path("data").get(0);
    assertThat(a.path("reasons").get(0).path("explanation").asText()).isEqualTo(hostile);
    assertThat(a.has("injected")).isFalse();
    assertThat(r.json().path("data")).hasSize(1);
  }

  @Test
  void malformedParametersAreRejectedWithTheErrorShape() {
    String[][] cases = {
        {"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=ten", "limit"}, {"limit=-5", "limit"},
        {"level=severe", "level"}, {"level=block,", "level"}, {"after=-1", "after"}, {"after=abc", "after"},
        {"since_id=1.5", "since_id"}, {"since=yesterday", "since"}, {"since=2026-13-01T00:00:00Z", "since"},
        {"account=" + enc("<script>"), "account"}, {"account=", "account"}, {"levl=block", "levl"},
        {"after=1&after=2", "after"}, {"limit=" + "9".repeat(40), "limit"}};
    for (String[] c : cases) {
      Resp r = gw.admin("GET", "/admin/v1/alerts?" + c[0], null);
      JsonNode err = MalformedRequestTest.openAiError(r, 400, "invalid_request");
      assertThat(err.path("param").asText()).as(c[0]).isEqualTo(c[1]);
      assertThat(err.path("message").asText()).as(c[0]).contains("'" + c[1] + "'");
    }
    assertThat(gw.send("GET", gw.adminUrl() + "/admin/v1/alerts", null).status()).as("admin token needed")
        .isEqualTo(401);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
