package io.distillguard.gateway.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.testing.GatewayFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-account linkage through the real gateway: a hydra of small accounts is linked into one cluster and blocked
 * as a whole, a later account that behaves the same joins it and is refused, analysts see members, evidence and
 * features and rule on the whole cluster, indicators go out and come back in; malformed and hostile input gets 400
 * or 404 with an OpenAI-shaped error.
 */
class ClusterApiTest {
  static final Instant T0 = Instant.parse("2026-02-02T00:00:00Z");
  static final String TEMPLATE = "Complete the following task as well as you can.\n\n";
  static final String[] SUBNETS = {"185.12.7.", "185.44.90.", "91.3.15.", "46.201.8."};
  static final String[] WORDS = "river mountain cloud engine garden harbor violin planet window market silver forest"
      .split(" ");
  @TempDir Path dir;
  GatewayFixture gw;
  final SplittableRandom r = new SplittableRandom(11);
  int task;

  @BeforeEach
  void start() {
    gw = startGateway();
  }

  /** A gateway over the test's data directory (again after a restart). */
  private GatewayFixture startGateway() {
    return GatewayFixture.builder(dir).config(c -> {
      c.replay = true;
      c.detection.expensive.enabled = false;
      c.linkage.interval = Duration.ofHours(1); // the test recomputes when it wants to
      for (var tier : c.limits.tiers.values()) {
        tier.account.requestsPerMinute = 0;
        tier.key.requestsPerMinute = 0;
        tier.account.tokensPerMinute = 0;
        tier.key.tokensPerMinute = 0;
      }
    }).start();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  /** A new account with these sign-up attributes (its creation time is the store's clock, not {@code created}). */
  private GatewayFixture.AccountKey account(String card, String signupIp, String domain, Instant created) {
    return gw.newSignup(card, signupIp, domain);
  }

  private int send(GatewayFixture.AccountKey k, Instant at, String ip, String ua, String prompt) {
    return gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(prompt, false), k.key(),
        "X-DistillGuard-Event-Time", at.toString(), "X-Forwarded-For", ip, "User-Agent", ua).status();
  }

  private String words(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  /** One hydra account's requests: on the operator's 15-minute clock, from its rented subnets, one template. */
  private void hydraTraffic(GatewayFixture.AccountKey k, int index, int requests) {
    hydraTraffic(k, index, requests, T0);
  }

  private void hydraTraffic(GatewayFixture.AccountKey k, int index, int requests, Instant from) {
    for (int q = 0; q < requests; q++) {
      Instant at = from.plusSeconds((long) (q * 12 + index % 12 + 1) * 900 + r.nextInt(3));
      send(k, at, SUBNETS[r.nextInt(4)] + (1 + r.nextInt(254)), "python-httpx/0.27.2",
          TEMPLATE + "Task " + (task++) + ": " + words(8));
    }
  }

  private void settle() {
    LinkageService l = gw.gateway.linkage();
    assertThat(gw.gateway.detection().drain(Duration.ofSeconds(20))).isTrue();
    assertThat(l.drain(Duration.ofSeconds(20))).isTrue();
    l.recomputeNow().join();
  }

  private JsonNode admin(String method, String path, String body) {
    return gw.admin(method, path, body).json();
  }

  @Test
  void aHydraIsLinkedBlockedAsAWholeAndInspectable() {
    List<GatewayFixture.AccountKey> hydra = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      hydra.add(account(i % 3 == 0 ? "card_shared" : "card_h" + i, SUBNETS[i % 4] + 9, "mailq1x.xyz",
          T0.plusSeconds(60L * i)));
    }
    List<GatewayFixture.AccountKey> people = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      people.add(account("card_team", "120.1.5.10", "corp.example", T0));
    }
    for (int i = 0; i < hydra.size(); i++) {
      hydraTraffic(hydra.get(i), i, 3);
    }
    for (GatewayFixture.AccountKey p : people) {
      for (int q = 0; q < 4; q++) {
        send(p, T0.plusSeconds(r.nextInt(36_000)), "120.1.5.10", "OpenAI/Python 1.54.4",
            "How do I " + words(5) + "?");
      }
    }
    settle();

    JsonNode list = admin("GET", "/admin/v1/clusters?level=block", null);
    assertThat(list.path("data")).hasSize(1);
    JsonNode summary = list.path("data").get(0);
    String id = summary.path("id").asText();
    assertThat(id).startsWith("cl_");
    assertThat(summary.path("size").asInt()).isGreaterThanOrEqualTo(23);
    assertThat(summary.path("status").asText()).isEqualTo("blocked");
    assertThat(summary.path("top_reasons").get(0).asText()).isNotBlank();

    JsonNode member = admin("GET", "/admin/v1/accounts/" + hydra.get(5).accountId(), null);
    assertThat(member.path("cluster_id").asText()).isEqualTo(id);
    assertThat(member.path("status").asText()).isEqualTo("blocked");
    assertThat(send(hydra.get(5), T0.plus(Duration.ofDays(1)), "185.12.7.3", "python-httpx/0.27.2", "hi"))
        .isEqualTo(403);
    JsonNode person = admin("GET", "/admin/v1/accounts/" + people.get(0).accountId(), null);
    assertThat(person.path("status").asText()).isEqualTo("active");
    assertThat(admin("GET", "/admin/v1/accounts?limit=1000", null).path("data").get(0).has("cluster_id")).isTrue();

    JsonNode detail = admin("GET", "/admin/v1/clusters/" + id + "?edges=5", null);
    assertThat(detail.path("members")).hasSizeGreaterThanOrEqualTo(23);
    assertThat(detail.path("risk").path("reasons").get(0).path("explanation").asText()).isNotBlank();
    assertThat(detail.path("features").path("template_share").asDouble()).isGreaterThan(0.9);
    JsonNode edge = detail.path("edges").get(0);
    assertThat(edge.path("confident").asBoolean()).isTrue();
    assertThat(edge.path("families").size()).isGreaterThanOrEqualTo(2);
    assertThat(edge.path("evidence").get(0).path("reason").asText()).isNotBlank();

    // A fresh account, signed up from home with its own card, is refused on its first request: the request comes
    // from one of the cluster's subnets with its template (the request-path check, ClusterTieStage), and linkage,
    // folding the refused exchange in, joins it to the cluster.
    GatewayFixture.AccountKey late = account("card_new", "99.1.2.3", "gmail.com", T0.plus(Duration.ofDays(1)));
    Instant tick = T0.plus(Duration.ofDays(1)).plusSeconds(901);
    long tiedBefore = gw.gateway.linkage().tiedOnRequestCount();
    GatewayFixture.Resp first = gw.data("POST", "/v1/chat/completions",
        GatewayFixture.chatBody(TEMPLATE + "Task 99999: " + words(8), false), late.key(),
        "X-DistillGuard-Event-Time", tick.toString(), "X-Forwarded-For", "185.44.90.77",
        "User-Agent", "OpenAI/Python 1.54.4");
    assertThat(first.status()).as(first.body()).isEqualTo(403);
    assertThat(first.json().path("error").path("code").asText()).isEqualTo("account_blocked");
    assertThat(gw.gateway.linkage().tiedOnRequestCount()).isEqualTo(tiedBefore + 1);
    assertThat(gw.metricsText()).contains("distillguard_linkage_tied_total " + (tiedBefore + 1) + ".0")
        .containsPattern("distillguard_linkage_tying_keys [1-9]");
    assertThat(gw.gateway.linkage().drain(Duration.ofSeconds(20))).isTrue();
    assertThat(send(late, tick.plusSeconds(900), "185.44.90.78", "OpenAI/Python 1.54.4", "next")).isEqualTo(403);
    assertThat(admin("GET", "/admin/v1/accounts/" + late.accountId(), null).path("cluster_id").asText())
        .isEqualTo(id);
    assertThat(admin("GET", "/admin/v1/accounts/" + late.accountId(), null).path("status").asText())
        .isEqualTo("blocked");
    // A new seat of the company, and a new customer who happens to use the same template from home, are served.
    GatewayFixture.AccountKey seat = account("card_team", "120.1.5.10", "corp.example", T0.plus(Duration.ofDays(1)));
    assertThat(send(seat, tick, "120.1.5.10", "OpenAI/Python 1.54.4", "How do I " + words(5) + "?"))
        .isEqualTo(200);
    GatewayFixture.AccountKey stranger = account(null, "99.7.7.7", "gmail.com", T0.plus(Duration.ofDays(1)));
    assertThat(send(stranger, tick, "99.7.7.7", "OpenAI/Python 1.54.4", TEMPLATE + "Task 1: " + words(8)))
        .isEqualTo(200);
    // Hostile client addresses and agents reach the check as they are: it ties nothing and fails nothing.
    for (String xff : new String[] {"not-an-ip", "185.44.90", "999.44.90.77", "::ffff:zz", "185.44.90.77, <x>"}) {
      GatewayFixture.AccountKey odd = account(null, "99.8.8.8", "gmail.com", T0.plus(Duration.ofDays(1)));
      assertThat(send(odd, tick, xff, "<script>alert(1)</script>", TEMPLATE + "Task 2: " + words(8))).as(xff)
          .isIn(200, 400);
    }

    // An analyst clears the whole cluster; members are served again and the ruling is audited.
    GatewayFixture.Resp ruled = gw.admin("POST", "/admin/v1/clusters/" + id + "/status",
        "{\"status\": \"active\", \"reason\": \"licensed evaluation partner\"}");
    assertThat(ruled.status()).as(ruled.body()).isEqualTo(200);
    assertThat(ruled.json().path("ruled").asBoolean()).isTrue();
    assertThat(send(hydra.get(5), T0.plus(Duration.ofDays(2)), "185.12.7.3", "python-httpx/0.27.2", "hi"))
        .isEqualTo(200);
    settle();
    assertThat(admin("GET", "/admin/v1/accounts/" + hydra.get(7).accountId(), null).path("status").asText())
        .isEqualTo("active");
    JsonNode audit = admin("GET", "/admin/v1/audit?subject=cluster:" + id, null);
    List<String> actions = new ArrayList<>();
    audit.path("data").forEach(a -> actions.add(a.path("action").asText()));
    assertThat(actions).contains("cluster.status", "cluster.level");

    // Indicators out, and back in (as another deployment would import them).
    GatewayFixture.Resp exported = gw.admin("GET", "/admin/v1/clusters/" + id + "/indicators", null);
    assertThat(exported.status()).isEqualTo(200);
    assertThat(exported.json().path("subnets").toString()).contains("185.12.7.0/24");
    assertThat(exported.body()).doesNotContain("Complete the following").doesNotContain(hydra.get(0).accountId());
    GatewayFixture.Resp imported = gw.admin("POST", "/admin/v1/indicators", exported.body());
    assertThat(imported.status()).as(imported.body()).isEqualTo(201);
    assertThat(admin("GET", "/admin/v1/indicators", null).path("data")).hasSize(1);
  }

  @Test
  void clusterIdsMembersAndRulingsSurviveARestart() {
    List<GatewayFixture.AccountKey> hydra = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      hydra.add(account(i % 3 == 0 ? "card_shared" : "card_h" + i, SUBNETS[i % 4] + 9, "mailq1x.xyz",
          T0.plusSeconds(60L * i)));
    }
    for (int i = 0; i < hydra.size(); i++) {
      hydraTraffic(hydra.get(i), i, 3);
    }
    settle();
    JsonNode blocked = admin("GET", "/admin/v1/clusters?level=block", null).path("data");
    assertThat(blocked).hasSize(1);
    String id = blocked.get(0).path("id").asText();
    int size = blocked.get(0).path("size").asInt();
    GatewayFixture.Resp ruled = gw.admin("POST", "/admin/v1/clusters/" + id + "/status",
        "{\"status\": \"watch\", \"reason\": \"under review with the customer\"}");
    assertThat(ruled.status()).as(ruled.body()).isEqualTo(200);
    List<String> idsBefore = new ArrayList<>();
    admin("GET", "/admin/v1/clusters", null).path("data").forEach(c -> idsBefore.add(c.path("id").asText()));

    gw.close();
    gw = startGateway();

    // Listed at once, before any recomputation: same ids, members, level and ruling.
    List<String> idsAfter = new ArrayList<>();
    admin("GET", "/admin/v1/clusters", null).path("data").forEach(c -> idsAfter.add(c.path("id").asText()));
    assertThat(idsAfter).containsExactlyElementsOf(idsBefore);
    JsonNode detail = admin("GET", "/admin/v1/clusters/" + id, null);
    assertThat(detail.path("ruled").asBoolean()).isTrue();
    assertThat(detail.path("level").asText()).isEqualTo("watch");
    assertThat(detail.path("members")).hasSize(size);
    assertThat(admin("GET", "/admin/v1/accounts/" + hydra.get(5).accountId(), null).path("cluster_id").asText())
        .isEqualTo(id);

    // The campaign goes on after the restart: recomputations keep the id, and the ruling still caps it.
    for (int i = 0; i < hydra.size(); i++) {
      hydraTraffic(hydra.get(i), i, 3, T0.plus(Duration.ofDays(1)));
    }
    settle();
    JsonNode again = admin("GET", "/admin/v1/clusters/" + id, null);
    assertThat(again.path("ruled").asBoolean()).isTrue();
    assertThat(again.path("level").asText()).isEqualTo("watch");
    assertThat(again.path("members").size()).isGreaterThanOrEqualTo(size);
    assertThat(admin("GET", "/admin/v1/accounts/" + hydra.get(7).accountId(), null).path("status").asText())
        .isEqualTo("watch");
    assertThat(gw.store.clusters().find(id).orElseThrow().ruling()).isEqualTo(
        io.distillguard.core.detect.RiskLevel.WATCH);
  }

  @Test
  void malformedAndHostileInputGetsClearErrors() {
    assertError(gw.admin("GET", "/admin/v1/clusters?level=nuke", null), 400, "level");
    assertError(gw.admin("GET", "/admin/v1/clusters?limit=0", null), 400, "limit");
    assertError(gw.admin("GET", "/admin/v1/clusters/cl_nope", null), 404, "no cluster");
    String hostile = URLEncoder.encode("<script>alert(1)</script>\u0007", StandardCharsets.UTF_8);
    GatewayFixture.Resp h = gw.admin("GET", "/admin/v1/clusters/" + hostile, null);
    assertError(h, 404, "no cluster");
    assertThat(h.header("Content-Type")).startsWith("application/json");
    assertThat(h.body()).doesNotContain("\u0007");
    assertError(gw.admin("GET", "/admin/v1/clusters/cl_x?edges=-1", null), 400, "edges");
    assertError(gw.admin("POST", "/admin/v1/clusters/cl_x/status", "{"), 400, "JSON object");
    assertError(gw.admin("POST", "/admin/v1/clusters/cl_x/status", "[1]"), 400, "JSON object");
    assertError(gw.admin("POST", "/admin/v1/clusters/cl_x/status", "{\"status\": \"nuked\", \"reason\": \"x\"}"),
        400, "status must be one of");
    assertError(gw.admin("POST", "/admin/v1/clusters/cl_x/status", "{\"status\": \"blocked\"}"), 400, "reason");
    assertError(gw.admin("POST", "/admin/v1/clusters/cl_x/status",
        "{\"status\": \"blocked\", \"reason\": \"x\", \"evil\": 1}"), 400, "unknown field");
    assertError(gw.admin("POST", "/admin/v1/clusters/cl_x/status", "{\"status\": \"blocked\", \"reason\": \"x\"}"),
        404, "no cluster");
    assertError(gw.admin("GET", "/admin/v1/clusters/cl_x/indicators", null), 404, "no cluster");
    assertError(gw.admin("POST", "/admin/v1/indicators", ""), 400, "indicator bundle");
    assertError(gw.admin("POST", "/admin/v1/indicators", "{\"format\": 1"), 400, "not an indicator bundle");
    String ok = "{\"format\":1,\"cluster_id\":\"cl_1\",\"level\":\"block\",\"subnets\":[\"203.0.113.0/24\"]}";
    assertThat(gw.admin("POST", "/admin/v1/indicators", ok).status()).isEqualTo(201);
    assertError(gw.admin("POST", "/admin/v1/indicators", ok.replace("203.0.113.0/24", "<img src=x>")), 400,
        "subnets");
    assertError(gw.admin("POST", "/admin/v1/indicators", ok.replace("\"level\"", "\"evil\"")), 400,
        "unknown field");
    assertError(gw.admin("POST", "/admin/v1/indicators", ok.replace("cl_1", "../../etc/passwd")), 400,
        "cluster_id");
    GatewayFixture.Resp noToken = gw.send("GET", gw.adminUrl() + "/admin/v1/clusters", null);
    assertThat(noToken.status()).isEqualTo(401);
  }

  private static void assertError(GatewayFixture.Resp r, int status, String messagePart) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode e = r.json().path("error");
    assertThat(e.path("message").asText()).contains(messagePart);
    assertThat(e.has("type") && e.has("param") && e.has("code")).isTrue();
  }
}
