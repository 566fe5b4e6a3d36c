package io.distillguard.gateway.detection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.testing.GatewayFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection through the real gateway: a scripted harvest is escalated with readable reasons, the verdict reaches the
 * enforcement cache, the store and the audit log; a human-like account is left alone; an analyst's revert sticks.
 */
class DetectionIntegrationTest {
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
      // Throttling is reachable, degrade and block are not: the enforced outcome is then certain.
      c.detection.degrade = 0.999;
      c.detection.block = 0.999;
    }).start();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  private GatewayFixture.Resp at(String key, String prompt, Instant t) {
    return gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(prompt, false), key,
        "X-DistillGuard-Event-Time", t.toString());
  }

  private static String harvestPrompt(int i) {
    return "Below is an instruction that describes a task. Write a response that completes the request.\n"
        + "### Instruction: Explain " + SUBJECTS[i % SUBJECTS.length] + " for lesson " + i
        + ".\n### Response: Let's think step by step and show your reasoning before the answer.";
  }

  @Test
  void aScriptedHarvestIsEscalatedWithReasonsAndEnforced() {
    GatewayFixture.AccountKey harvester = gw.newAccountWithKey();
    GatewayFixture.AccountKey person = gw.newAccountWithKey();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      statuses.add(at(harvester.key(), harvestPrompt(i), T0.plusSeconds(8L * i)).status());
      if (i % 8 == 0) {
        at(person.key(), "How do I keep my " + (i % 16 == 0 ? "basil" : "mint") + " plant alive on a windowsill?",
            T0.plus(Duration.ofMinutes(7L * i)));
      }
    }
    assertThat(gw.gateway.detection().drain(Duration.ofSeconds(20))).isTrue();
    assertThat(statuses.subList(0, 40)).as("no verdict on thin evidence").containsOnly(200);
    // Enforced on the data plane: a throttled account gets the throttled limit (10 a minute).
    List<Integer> burst = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      burst.add(at(harvester.key(), harvestPrompt(1000 + i), T0.plus(Duration.ofHours(2))).status());
    }
    assertThat(burst).contains(429);

    JsonNode account = gw.admin("GET", "/admin/v1/accounts/" + harvester.accountId(), null).json();
    assertThat(account.path("status").asText()).isEqualTo("throttled");
    assertThat(account.path("risk").path("score").asDouble()).isGreaterThan(0.8);
    List<String> signals = new ArrayList<>();
    account.path("risk").path("reasons").forEach(r -> signals.add(r.path("signal").asText()));
    assertThat(signals).contains("reasoning", "templates");
    assertThat(account.path("risk").path("reasons").get(0).path("explanation").asText()).isNotBlank();

    JsonNode human = gw.admin("GET", "/admin/v1/accounts/" + person.accountId(), null).json();
    assertThat(human.path("status").asText()).isEqualTo("active");

    GatewayFixture.await("verdict audited", Duration.ofSeconds(10), () -> {
      JsonNode audit = gw.admin("GET", "/admin/v1/audit?subject=account:" + harvester.accountId(), null).json();
      for (JsonNode a : audit.path("data")) {
        if ("detector".equals(a.path("actor").asText()) && a.path("details").has("reason.1")) {
          return true;
        }
      }
      return false;
    });
    assertThat(gw.metricsText()).contains("distillguard_detection_escalations_total");
  }

  @Test
  void anAnalystRevertIsNotUndoneByTheSameEvidence() {
    GatewayFixture.AccountKey k = gw.newAccountWithKey();
    int i = 0;
    for (; i < 400; i++) {
      at(k.key(), harvestPrompt(i), T0.plusSeconds(8L * i));
    }
    gw.gateway.detection().drain(Duration.ofSeconds(20));
    GatewayFixture.await("escalated", Duration.ofSeconds(10), () -> !"active".equals(
        gw.admin("GET", "/admin/v1/accounts/" + k.accountId(), null).json().path("status").asText()));
    assertThat(gw.setStatus(k.accountId(), "active", "licensed research partner").status()).isEqualTo(200);
    for (; i < 600; i++) {
      assertThat(at(k.key(), harvestPrompt(i), T0.plusSeconds(8L * i)).status()).isEqualTo(200);
    }
    gw.gateway.detection().drain(Duration.ofSeconds(20));
    JsonNode account = gw.admin("GET", "/admin/v1/accounts/" + k.accountId(), null).json();
    assertThat(account.path("status").asText()).isEqualTo("active");
    assertThat(account.path("risk").path("score").asDouble()).as("still scored").isGreaterThan(0.8);
  }
}
