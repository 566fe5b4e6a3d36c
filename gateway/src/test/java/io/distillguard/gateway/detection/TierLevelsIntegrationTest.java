package io.distillguard.gateway.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.detect.DetectionModel;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.testing.GatewayFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's per-tier overrides through the real gateway: the same scripted harvest is only throttled on the default
 * tier, whose degrade and block levels are out of reach, and blocked on the free tier, whose override brings them
 * within reach. The engine learns each account's tier from the gateway's account directory.
 */
class TierLevelsIntegrationTest {
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  @TempDir Path dir;
  GatewayFixture gw;

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  private static String harvestPrompt(int i) {
    return "Below is an instruction that describes a task. Write a response that completes the request.\n"
        + "### Instruction: Explain " + DetectionIntegrationTest.SUBJECTS[i % DetectionIntegrationTest.SUBJECTS.length]
        + " for lesson " + i + ".\n### Response: Let's think step by step and show your reasoning before the answer.";
  }

  private static void unlimited(GatewayConfig.Tier t) {
    t.account.requestsPerMinute = 0;
    t.key.requestsPerMinute = 0;
    t.account.tokensPerMinute = 0;
    t.key.tokensPerMinute = 0;
  }

  @Test
  void theFreeTiersOverrideBlocksWhatTheDefaultLevelsOnlyThrottle() throws IOException {
    Path model = dir.resolve("model.properties");
    Files.writeString(model, DetectionModel.loadDefault().toPropertiesText()
        + "tier.free.threshold.degrade=0.6\ntier.free.threshold.block=0.65\n");
    gw = GatewayFixture.builder(dir.resolve("data")).config(c -> {
      c.replay = true;
      unlimited(c.limits.tiers.get("default"));
      unlimited(c.limits.tiers.get("free"));
      c.detection.model = model.toString();
      c.detection.degrade = 0.999;
      c.detection.block = 0.999;
    }).start();
    GatewayFixture.AccountKey onDefault = gw.newAccountWithKey();
    GatewayFixture.AccountKey onFree = gw.newAccountWithKey("free");
    List<Integer> freeStatuses = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Instant t = T0.plusSeconds(8L * i);
      gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(harvestPrompt(i), false), onDefault.key(),
          "X-DistillGuard-Event-Time", t.toString());
      freeStatuses.add(gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(harvestPrompt(i), false),
          onFree.key(), "X-DistillGuard-Event-Time", t.toString()).status());
    }
    assertThat(gw.gateway.detection().drain(Duration.ofSeconds(20))).isTrue();

    assertThat(status(onDefault)).isEqualTo("throttled");
    assertThat(status(onFree)).isEqualTo("blocked");
    assertThat(freeStatuses.subList(0, 199)).as("the model's block minimum of 200 exchanges holds on every tier")
        .doesNotContain(403);
    Instant later = T0.plus(Duration.ofHours(2));
    assertThat(gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(harvestPrompt(999), false),
        onFree.key(), "X-DistillGuard-Event-Time", later.toString()).status()).isEqualTo(403);
  }

  private String status(GatewayFixture.AccountKey k) {
    return gw.admin("GET", "/admin/v1/accounts/" + k.accountId(), null).json().path("status").asText();
  }
}
