package io.distillguard.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/grafana/distillguard.json is valid JSON and queries only metrics a running gateway serves. */
class GrafanaDashboardTest {
  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "distillguard.json");
  static final Pattern METRIC = Pattern.compile("\\b(distillguard_[a-z0-9_]+)");
  @TempDir Path dir;

  @Test
  void everyQueriedMetricIsServed() throws Exception {
    JsonNode dash = DashboardFixture.JSON.readTree(Files.readString(DASHBOARD));
    assertThat(dash.path("title").asText()).isEqualTo("DistillGuard");
    List<String> exprs = new ArrayList<>();
    dash.findValues("expr").forEach(e -> exprs.add(e.asText()));
    dash.findValues("query").forEach(e -> exprs.add(e.asText()));
    assertThat(exprs).hasSizeGreaterThan(10);
    Set<String> named = new TreeSet<>();
    for (String e : exprs) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        named.add(m.group(1));
      }
    }
    assertThat(named).contains("distillguard_detection_score_bucket", "distillguard_detection_accounts",
        "distillguard_detection_escalations_by_level_total", "distillguard_detection_reverts_total",
        "distillguard_detection_propagation_seconds_bucket");
    for (JsonNode p : dash.path("panels")) {
      assertThat(p.path("gridPos").path("w").asInt()).as("panel " + p.path("title")).isBetween(1, 24);
    }

    String scrape;
    try (DashboardFixture fx = new DashboardFixture(dir, c -> {
      GatewayConfig.Webhook w = new GatewayConfig.Webhook();
      w.name = "soc";
      w.url = "http://127.0.0.1:9/hook"; // never called: nothing escalates here
      c.alerts.webhooks = List.of(w);
    })) {
      String key = fx.account("m1", null, "tier", "default");
      fx.chat(key, "hello", DashboardFixture.T0, "test", "203.0.113.1");
      fx.settle();
      DashboardFixture.await("request metrics", Duration.ofSeconds(10),
          () -> fx.send("GET", fx.adminUrl() + "/metrics", null).body().contains("distillguard_requests_total"));
      scrape = fx.send("GET", fx.adminUrl() + "/metrics", null).body();
    }
    Set<String> served = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        served.add(line.split("[{ ]", 2)[0]);
      }
    }
    assertThat(served).as("metrics the dashboard queries").containsAll(named);
  }
}
