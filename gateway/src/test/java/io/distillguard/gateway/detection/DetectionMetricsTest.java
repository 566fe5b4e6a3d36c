package io.distillguard.gateway.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.store.RiskHistory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What detection leaves behind besides verdicts: Prometheus metrics and each account's score over time. */
class DetectionMetricsTest {
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  @TempDir Path dir;
  GatewayFixture gw;

  @BeforeEach
  void start() {
    gw = GatewayFixture.builder(dir).config(c -> {
      c.replay = true;
      c.limits.tiers.get("default").account.requestsPerMinute = 0;
      c.limits.tiers.get("default").key.requestsPerMinute = 0;
      c.detection.degrade = 0.999;
      c.detection.block = 0.999;
      c.detection.expensive.enabled = false;
    }).start();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  @Test
  void scoresEscalationsRevertsAndHistoryAreRecorded() {
    GatewayFixture.AccountKey k = gw.newAccountWithKey();
    for (int i = 0; i < 400; i++) {
      gw.data("POST", "/v1/chat/completions", GatewayFixture.chatBody(
          "Below is an instruction that describes a task. Write a response that completes the request.\n"
              + "### Instruction: Explain topic " + i + " for lesson " + i
              + ".\n### Response: Let's think step by step and show your reasoning before the answer.", false),
          k.key(), "X-DistillGuard-Event-Time", T0.plusSeconds(8L * i).toString());
    }
    assertThat(gw.gateway.detection().drain(Duration.ofSeconds(20))).isTrue();
    GatewayFixture.await("escalated", Duration.ofSeconds(10), () -> !"active".equals(
        gw.admin("GET", "/admin/v1/accounts/" + k.accountId(), null).json().path("status").asText()));
    assertThat(gw.setStatus(k.accountId(), "active", "reviewed: a licensed evaluation job").status()).isEqualTo(200);
    GatewayFixture.await("revert counted", Duration.ofSeconds(10),
        () -> gw.metricsText().contains("distillguard_detection_reverts_total 1.0"));

    String m = gw.metricsText();
    assertThat(m).contains("distillguard_detection_score_bucket{le=\"0.5\"}",
        "distillguard_detection_score_count 400",
        "distillguard_detection_accounts{level=\"throttle\"} 1.0",
        "distillguard_detection_escalations_by_level_total{to=\"throttle\"} 1.0",
        "distillguard_detection_propagation_seconds_bucket");

    gw.gateway.scoreHistory().flush();
    List<RiskHistory.Point> points = gw.store.risks().history(k.accountId(), 1000);
    assertThat(points.size()).isBetween(3, 400);
    assertThat(points).extracting(RiskHistory.Point::level).contains(RiskLevel.THROTTLE);
    assertThat(points.get(0).at()).isAfterOrEqualTo(T0);
    assertThat(points.get(points.size() - 1).score()).isGreaterThan(0.8);
    RiskHistory.Snapshot s = gw.store.risks().snapshot(k.accountId()).orElseThrow();
    assertThat(s.reasons()).isNotEmpty();
    assertThat(s.evidence()).isPositive();
  }
}
