package io.distillguard.gateway.detection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.detection.ExpensiveWorker;
import io.distillguard.gateway.testing.GatewayFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The expensive tier through the real gateway (builtin upstream, replay mode, the shipped model and benign reference):
 * an account harvesting with templated prompts gets an embedding-based reason in its risk, and hostile prompt text
 * (empty, huge, broken surrogates, control characters) breaks neither tier.
 */
class ExpensiveTierIntegrationTest {
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
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
      c.detection.degrade = 0.999;
      c.detection.block = 0.999;
      c.detection.expensive.sampleRate = 1.0; // every exchange of a suspect: the outcome does not hang on sampling
    }).start();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  private static String templated(int i) {
    return "You are a grader. Rate the following answer to question #" + i + " on a scale from 1 to 10 and explain "
        + "your rating step by step.\nQuestion: What is " + (17 * i % 97) + " times " + (i % 13 + 2) + "?\nAnswer: "
        + (17 * i % 97) * (i % 13 + 2) + "\nRating:";
  }

  @Test
  void templatedHarvestGetsAnEmbeddingReason() {
    GatewayFixture.AccountKey harvester = gw.newAccountWithKey();
    for (int i = 0; i < 160; i++) {
      gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(templated(i), false), harvester.key(),
          "X-DistillGuard-Event-Time", T0.plusSeconds(8L * i).toString());
    }
    DetectionService detection = gw.gateway.detection();
    assertThat(detection.drain(Duration.ofSeconds(60))).isTrue();

    ExpensiveWorker worker = detection.expensiveTier();
    assertThat(worker.broken()).isFalse();
    assertThat(worker.failures()).isZero();
    assertThat(worker.dropped()).isZero();
    assertThat(worker.tier().embedded()).isGreaterThanOrEqualTo(worker.tier().settings().minSamples());

    JsonNode risk = gw.admin("GET", "/admin/v1/accounts/" + harvester.accountId(), null).json().path("risk");
    Map<String, String> reasons = new HashMap<>();
    risk.path("reasons").forEach(r -> reasons.put(r.path("signal").asText(), r.path("explanation").asText()));
    assertThat(reasons).containsKey(ExpensiveTier.SHIFT);
    assertThat(reasons.get(ExpensiveTier.SHIFT)).matches("prompts \\d+\\.\\d\\d MMD² from benign reference "
        + "\\(p<0\\.0?01, \\d+ sampled\\)");
  }

  @Test
  void hostilePromptTextBreaksNeitherTier() {
    GatewayFixture.AccountKey account = gw.newAccountWithKey();
    String[] hostile = {"", " ", "x".repeat(300_000), "half a pair \\ud83d here", "lone low \\ude00",
        "nul \\u0000 bell \\u0007", "\\u202e reversed \\u200b zero width", "😀 日本語 مرحبا"};
    for (int i = 0; i < 120; i++) {
      String body;
      if (i % 3 == 0) {
        // Raw JSON so that broken surrogates reach the gateway as the client sent them.
        body = "{\"model\":\"" + GatewayFixture.MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + hostile[(i / 3) % hostile.length] + "\"}]}";
      } else {
        body = GatewayFixture.chatBody(templated(i), false);
      }
      gw.data("POST", "/v1/chat/completions", body, account.key(), "X-DistillGuard-Event-Time",
          T0.plusSeconds(8L * i).toString());
    }
    DetectionService detection = gw.gateway.detection();
    assertThat(detection.drain(Duration.ofSeconds(60))).isTrue();
    assertThat(detection.failures()).isZero();
    assertThat(detection.expensiveTier().failures()).isZero();
    assertThat(detection.expensiveTier().tier().embedded()).isPositive();
  }
}
