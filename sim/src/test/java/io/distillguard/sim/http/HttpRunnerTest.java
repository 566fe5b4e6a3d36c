package io.distillguard.sim.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP runner against a real gateway and builtin upstream, in replay mode. */
class HttpRunnerTest {
  @TempDir static Path dir;
  static LiveGateway gw;

  @BeforeAll
  static void start() {
    gw = LiveGateway.start(dir.resolve("gw"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static HttpRunner.Options options() {
    return new HttpRunner.Options().target(gw.dataUrl()).admin(gw.adminUrl()).adminToken(LiveGateway.TOKEN)
        .replayHeaders(true);
  }

  private static Label campaign(String id) {
    return new Label(Label.Kind.CAMPAIGN, id);
  }

  @Test
  void runsActorsThroughTheGatewayWithForwardedIpsAndEventTimes() throws Exception {
    Instant t0 = TestActors.T0;
    TestActors.Operator benign = new TestActors.Operator(
        List.of(TestActors.account("run1-benign", Label.BENIGN, "default")), 6, t0, Duration.ofMinutes(10),
        "203.0.113.5", false, false, OpenAiWire.CHAT);
    TestActors.Operator heavy = new TestActors.Operator(
        List.of(TestActors.account("run1-heavy", new Label(Label.Kind.BENIGN_HEAVY, "batch-eval"), "enterprise")),
        5, t0.plusSeconds(30), Duration.ofMinutes(1), "198.51.100.9", true, false, OpenAiWire.COMPLETIONS);
    TestActors.Operator attack = new TestActors.Operator(
        List.of(TestActors.account("run1-c1", campaign("c-1"), "default"),
            TestActors.account("run1-c2", campaign("c-1"), "default")),
        8, t0.plusSeconds(5), Duration.ofSeconds(1), "192.0.2.77", true, true, OpenAiWire.CHAT);
    Path out = dir.resolve("run1/requests.jsonl");
    List<RequestRecord> seen = new ArrayList<>();
    HttpRunner runner = new HttpRunner(options().concurrency(4).out(out).listener(seen::add));

    RunSummary s = runner.run(TrafficSource.merge(List.of(benign, heavy, attack)));

    assertThat(s.sent()).isEqualTo(19);
    assertThat(s.served()).isEqualTo(19);
    assertThat(s.stopReason()).isNull();
    assertThat(s.accountsCreated()).isEqualTo(3);
    assertThat(s.attackSent()).isEqualTo(8);
    assertThat(s.byClass().get(Label.Kind.CAMPAIGN).accounts()).isEqualTo(1);
    assertThat(s.byClass().get(Label.Kind.BENIGN_HEAVY).sent()).isEqualTo(5);
    assertThat(runner.accounts()).containsOnlyKeys("run1-benign", "run1-heavy", "run1-c1");
    // Every actor heard back about every request, with the served text (streams read to their end).
    for (TestActors.Operator op : List.of(benign, heavy, attack)) {
      assertThat(op.results).hasSize(op.sent).allSatisfy(r -> {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.responseText()).isNotBlank();
        assertThat(r.completionTokens()).isPositive();
      });
    }
    // The JSONL record: one line per request with what the evaluation needs.
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(19);
    JsonNode first = OpenAiWire.JSON.readTree(lines.get(0));
    assertThat(first.fieldNames()).toIterable().contains("account", "label", "group", "time", "status", "attack",
        "served", "client_ip");
    assertThat(seen).filteredOn(r -> r.account().equals("run1-c1"))
        .allSatisfy(r -> assertThat(r.label().group()).isEqualTo("c-1")).allMatch(RequestRecord::attack);

    // The gateway created the accounts with their attributes and recorded the forwarded IPs and event times.
    AdminClient admin = runner.admin();
    JsonNode acct = admin.account("run1-heavy");
    assertThat(acct.path("attributes").path("tier").asText()).isEqualTo("enterprise");
    assertThat(acct.path("status").asText()).isEqualTo("active");
    assertThatThrownBy(() -> admin.account("run1-c2")).isInstanceOf(AdminException.class).hasMessageContaining("404");
    gw.flush();
    JsonNode ex = admin.exchanges("run1-benign", 100);
    assertThat(ex).hasSize(6);
    List<String> times = new ArrayList<>();
    for (JsonNode e : ex) {
      assertThat(e.path("client_ip").asText()).isEqualTo("203.0.113.5");
      assertThat(e.path("user_agent").asText()).isEqualTo("test-client/1.0 (run1-benign)");
      times.add(e.path("event_time").asText());
    }
    List<String> expected = new ArrayList<>();
    for (SimRequest r : benign.requests) {
      expected.add(r.time().toString());
    }
    assertThat(times).containsExactlyInAnyOrderElementsOf(expected);
    JsonNode heavyEx = admin.exchanges("run1-heavy", 100);
    assertThat(heavyEx).hasSize(5).allSatisfy(e -> {
      assertThat(e.path("stream").asBoolean()).isTrue();
      assertThat(e.path("endpoint").asText()).isEqualTo("/v1/completions");
      assertThat(e.path("client_ip").asText()).isEqualTo("198.51.100.9");
    });

    Map<Label.Kind, Map<String, Integer>> statuses = runner.readBackStatuses();
    assertThat(statuses.get(Label.Kind.BENIGN)).containsEntry("active", 1);
    assertThat(statuses.get(Label.Kind.CAMPAIGN)).containsEntry("active", 1);
    assertThat(s.render()).contains("19 sent").contains("campaign").contains("accounts by status at the end");
  }

  @Test
  void blockedAccountStopsBeingServedAndItsOperatorMovesToANewAccount() {
    TestActors.Operator op = new TestActors.Operator(
        List.of(TestActors.account("run2-c1", campaign("c-2"), "default"),
            TestActors.account("run2-c2", campaign("c-2"), "default")),
        10, TestActors.T0, Duration.ofSeconds(2), "192.0.2.10", false, true, OpenAiWire.CHAT);
    Map<String, Integer> served = new HashMap<>();
    HttpRunner[] runner = new HttpRunner[1];
    runner[0] = new HttpRunner(options().concurrency(1).listener(r -> {
      if (r.served() && served.merge(r.account(), 1, Integer::sum) == 3 && r.account().equals("run2-c1")) {
        // An analyst blocks the account mid-run.
        runner[0].admin().setStatus("run2-c1", "blocked", "test: harvesting");
      }
    }));

    RunSummary s = runner[0].run(TrafficSource.merge(List.of(op)));

    assertThat(op.current).isEqualTo(1);
    // c1: three served, then one refusal; the operator moved on and c2 got the rest.
    List<Integer> c1 = new ArrayList<>();
    List<Integer> c2 = new ArrayList<>();
    for (int i = 0; i < op.requests.size(); i++) {
      (op.requests.get(i).account().id().equals("run2-c1") ? c1 : c2).add(op.results.get(i).status());
    }
    assertThat(c1).containsExactly(200, 200, 200, 403);
    assertThat(c2).hasSize(6).containsOnly(200);
    assertThat(s.byStatus()).containsEntry(403, 1L);
    assertThat(s.byClass().get(Label.Kind.CAMPAIGN).accounts()).isEqualTo(2);
    assertThat(runner[0].readBackStatuses().get(Label.Kind.CAMPAIGN))
        .containsEntry("blocked", 1).containsEntry("active", 1);
  }

  @Test
  void limitedRequestsCarryRetryAfterToTheActor() {
    TestActors.Operator op = new TestActors.Operator(
        List.of(TestActors.account("run3-tiny", Label.BENIGN, "tiny")), 3, TestActors.T0, Duration.ofSeconds(1),
        "203.0.113.77", false, false, OpenAiWire.CHAT);
    RunSummary s = new HttpRunner(options().concurrency(1)).run(TrafficSource.merge(List.of(op)));

    assertThat(op.results).extracting(SimResult::status).containsExactly(200, 429, 200);
    assertThat(op.results.get(1).retryAfterSeconds()).isPositive();
    // The actor waited the Retry-After (in event time) before its next request.
    assertThat(op.requests.get(2).time()).isAfterOrEqualTo(
        op.requests.get(1).time().plusSeconds(op.results.get(1).retryAfterSeconds()));
    assertThat(s.byStatus()).containsEntry(429, 1L);
  }

  @Test
  void badAddressesAndTokensAreClearErrorsBeforeAnyRequest() throws Exception {
    int closed;
    try (ServerSocket ss = new ServerSocket(0)) {
      closed = ss.getLocalPort();
    }
    TestActors.Operator op = new TestActors.Operator(
        List.of(TestActors.account("never-created", Label.BENIGN, "default")), 1, TestActors.T0,
        Duration.ofSeconds(1), "203.0.113.1", false, false, OpenAiWire.CHAT);
    TrafficSource src = TrafficSource.merge(List.of(op));

    assertThatThrownBy(() -> new HttpRunner(options().adminToken("wrong-token")).run(src))
        .isInstanceOf(AdminException.class).hasMessageContaining("rejected the admin token");
    assertThatThrownBy(() -> new HttpRunner(options().admin("http://127.0.0.1:" + closed)).run(src))
        .isInstanceOf(AdminException.class).hasMessageContaining("cannot reach the admin API");
    assertThatThrownBy(() -> new HttpRunner(options().target("http://127.0.0.1:" + closed)).run(src))
        .isInstanceOf(AdminException.class).hasMessageContaining("cannot reach the gateway's data plane");
    assertThatThrownBy(() -> new HttpRunner(options().target("gateway:8080")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad --target URL");
    assertThatThrownBy(() -> new HttpRunner(options().admin(gw.dataUrl())).run(src))
        .isInstanceOf(AdminException.class);
    assertThat(op.sent).isZero();
    assertThat(src.next()).isNotNull(); // nothing was consumed
  }

  @Test
  void accountThatAlreadyExistsGetsANewKey() {
    SimAccount a = TestActors.account("run5-again", Label.BENIGN, "default");
    for (int round = 0; round < 2; round++) {
      TestActors.Operator op = new TestActors.Operator(List.of(a), 2, TestActors.T0.plusSeconds(round * 60L),
          Duration.ofSeconds(1), "203.0.113.9", false, false, OpenAiWire.CHAT);
      RunSummary s = new HttpRunner(options()).run(TrafficSource.merge(List.of(op)));
      assertThat(s.served()).isEqualTo(2);
      assertThat(round == 0 ? s.accountsCreated() : s.accountsExisting()).isEqualTo(1);
    }
  }

  @Test
  void withoutReplayHeadersTheGatewayUsesItsOwnClock() {
    TestActors.Operator op = new TestActors.Operator(
        List.of(TestActors.account("run6-paced", Label.BENIGN, "default")), 4, TestActors.T0,
        Duration.ofSeconds(1), "203.0.113.66", false, false, OpenAiWire.CHAT);
    List<RequestRecord> seen = new ArrayList<>();
    RunSummary s = new HttpRunner(options().replayHeaders(false).speed(1000).listener(seen::add))
        .run(TrafficSource.merge(List.of(op)));
    assertThat(s.served()).isEqualTo(4);
    assertThat(seen).hasSize(4).allMatch(RequestRecord::served);
    gw.flush();
    for (JsonNode e : new AdminClient(java.net.http.HttpClient.newHttpClient(), gw.adminUrl(), LiveGateway.TOKEN)
        .exchanges("run6-paced", 10)) {
      // Not the simulated 2025 time: without the header the gateway stamps its own.
      assertThat(Instant.parse(e.path("event_time").asText())).isAfter(TestActors.T0.plus(Duration.ofDays(30)));
    }
  }
}
