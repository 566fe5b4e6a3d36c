package io.distillguard.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.cluster.EmbeddedKafka;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.store.testing.EmbeddedPostgresServer;
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
    for (String line : (scrape + "\n" + scaleOutScrape()).split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        served.add(line.split("[{ ]", 2)[0]);
      }
    }
    assertThat(served).as("metrics the dashboard queries").containsAll(named);
    assertThat(named).as("the scale-out row").contains("distillguard_kafka_exchanges_published_total",
        "distillguard_kafka_verdicts_applied_total", "distillguard_kafka_ties_applied_total",
        "distillguard_limits_sync_healthy");
  }

  /**
   * The meters of a node of the scale-out topology (exchanges to Kafka, verdicts and ties from the job's topics,
   * limits synced through PostgreSQL), which a single node does not serve: a real broker and a real PostgreSQL.
   */
  private String scaleOutScrape() {
    String verdicts = GatewayFixture.uniqueId("verdicts");
    String ties = GatewayFixture.uniqueId("ties");
    String exchanges = GatewayFixture.uniqueId("exchanges");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
    String db = postgres.createDatabase();
    try (EmbeddedKafka kafka = EmbeddedKafka.startNew()) {
      kafka.createTopic(exchanges, 1, java.util.Map.of());
      kafka.createCompactedTopic(verdicts, 1);
      kafka.createCompactedTopic(ties, 1);
      try (GatewayFixture node = GatewayFixture.builder(dir.resolve("node")).config(c -> {
        c.store.url = postgres.url(db);
        c.store.user = EmbeddedPostgresServer.USER;
        c.store.node = "node-1";
        c.kafka.bootstrapServers = kafka.bootstrapServers();
        c.kafka.exchangesTopic = exchanges;
        c.kafka.verdictsTopic = verdicts;
        c.kafka.tiesTopic = ties;
        c.exchangeLog.sink = "kafka";
        c.detection.mode = "remote";
        c.limits.backend = "postgresql";
      }).storePassword(EmbeddedPostgresServer.PASSWORD).start()) {
        GatewayFixture.AccountKey k = node.newAccountWithKey();
        assertThat(node.chat(k.key(), "hello").status()).isEqualTo(200);
        return node.metricsText();
      }
    }
  }
}
