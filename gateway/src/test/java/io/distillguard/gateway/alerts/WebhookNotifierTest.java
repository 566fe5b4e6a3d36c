package io.distillguard.gateway.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.testing.GatewayFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The notifier against a real HTTP receiver on loopback that answers what each test scripts. */
class WebhookNotifierTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(20);

  HttpServer receiver;
  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  /** Status codes to answer, in order; 200 once it runs out. */
  final Deque<Integer> script = new ArrayDeque<>();
  SimpleMeterRegistry registry;
  WebhookNotifier notifier;

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
      int status;
      synchronized (script) {
        status = script.isEmpty() ? 200 : script.poll();
      }
      if (status == 429) {
        ex.getResponseHeaders().add("Retry-After", "0");
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    receiver.start();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void stop() {
    if (notifier != null) {
      notifier.close();
    }
    receiver.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  private GatewayConfig.Webhook hook(String url) {
    GatewayConfig.Webhook w = new GatewayConfig.Webhook();
    w.name = "soc";
    w.url = url;
    w.cooldown = Duration.ofHours(1);
    w.initialBackoff = Duration.ofMillis(10);
    w.maxBackoff = Duration.ofMillis(50);
    w.maxAttempts = 4;
    return w;
  }

  private WebhookNotifier start(GatewayConfig.Webhook... hooks) {
    GatewayConfig.Alerts a = new GatewayConfig.Alerts();
    a.webhooks = List.of(hooks);
    a.dashboardUrl = "http://127.0.0.1:8081/ui/";
    notifier = new WebhookNotifier(a, registry, Clock.systemUTC());
    return notifier;
  }

  private static WebhookNotifier.Event event(String account, RiskLevel to, String explanation) {
    return new WebhookNotifier.Event(account, RiskLevel.NONE, to, 0.93,
        List.of(new Reason("templates", 0.9, 0.41, explanation)), Instant.parse("2026-01-05T09:00:00Z"),
        "detection");
  }

  private double count(String name) {
    return registry.get(name).counter().count();
  }

  private void settled() {
    GatewayFixture.await("deliveries settled", WAIT, () -> notifier.inFlight() == 0);
  }

  @Test
  void anIncidentIsOneMessageAndOneDigestNotThousands() {
    start(hook(url()));
    for (int i = 0; i < 500; i++) {
      notifier.notify(event("hydra-" + i, RiskLevel.THROTTLE, "same template"));
    }
    GatewayFixture.await("first message", WAIT, () -> received.size() == 1);
    settled();
    assertThat(count("distillguard.alerts.webhook.folded")).isEqualTo(499);
    JsonNode first = received.get(0);
    assertThat(first.path("text").asText()).contains("hydra-0", "throttle");
    assertThat(first.path("blocks").get(0).path("type").asText()).isEqualTo("section");
    assertThat(first.path("blocks").get(0).path("text").path("type").asText()).isEqualTo("mrkdwn");
    assertThat(first.path("distillguard").path("kind").asText()).isEqualTo("escalation");
    assertThat(first.path("distillguard").path("rule").asText()).isEqualTo("soc/throttle");
    assertThat(first.path("distillguard").path("dashboard_url").asText())
        .isEqualTo("http://127.0.0.1:8081/ui/#/accounts/hydra-0");

    notifier.flushDigests();
    GatewayFixture.await("digest", WAIT, () -> received.size() == 2);
    JsonNode digest = received.get(1).path("distillguard");
    assertThat(digest.path("kind").asText()).isEqualTo("digest");
    assertThat(digest.path("count").asLong()).isEqualTo(499);
    assertThat(digest.path("events")).hasSize(WebhookNotifier.DIGEST_SAMPLE);
    assertThat(received.get(1).path("blocks").get(0).path("text").path("text").asText()).contains("and 479 more");
    // Once sent, the digest restarts the cool-down: the next escalation waits for the next digest.
    notifier.notify(event("hydra-late", RiskLevel.THROTTLE, "x"));
    notifier.flushDigests();
    GatewayFixture.await("second digest", WAIT, () -> received.size() == 3);
    assertThat(received.get(2).path("distillguard").path("count").asLong()).isEqualTo(1);
    settled();
    assertThat(count("distillguard.alerts.webhook.sent")).isEqualTo(3);
  }

  @Test
  void eachLevelIsItsOwnRuleAndLevelsBelowTheMinimumAreNotSent() {
    start(hook(url()));
    notifier.notify(event("a", RiskLevel.WATCH, "x"));
    notifier.notify(event("a", RiskLevel.THROTTLE, "x"));
    notifier.notify(event("a", RiskLevel.BLOCK, "x"));
    GatewayFixture.await("two messages", WAIT, () -> received.size() == 2);
    settled();
    notifier.flushDigests();
    assertThat(received).extracting(n -> n.path("distillguard").path("rule").asText())
        .containsExactlyInAnyOrder("soc/throttle", "soc/block");
  }

  @Test
  void aClusterRaisingItsMembersIsOneMessageWithoutAPreviousLevel() {
    start(hook(url()));
    for (int i = 0; i < 50; i++) {
      notifier.notify(new WebhookNotifier.Event("member-" + i, null, RiskLevel.BLOCK, 0.91, List.of(),
          Instant.parse("2026-01-05T09:00:00Z"), "linkage:cl_abc"));
    }
    GatewayFixture.await("one message", WAIT, () -> received.size() == 1);
    settled();
    JsonNode dg = received.get(0).path("distillguard");
    assertThat(dg.path("from").isNull()).isTrue();
    assertThat(dg.path("source").asText()).isEqualTo("linkage:cl_abc");
    assertThat(received.get(0).path("text").asText()).contains("escalated block", "linkage:cl_abc");
    assertThat(count("distillguard.alerts.webhook.folded")).isEqualTo(49);
  }

  @Test
  void hostileTrafficCannotBecomeALinkOrAMention() {
    start(hook(url()));
    notifier.notify(event("evil", RiskLevel.BLOCK, "<https://evil.example|click here> <!channel> & <@U123>"));
    GatewayFixture.await("message", WAIT, () -> received.size() == 1);
    String md = received.get(0).path("blocks").get(0).path("text").path("text").asText();
    assertThat(md).contains("&lt;https://evil.example|click here&gt; &lt;!channel&gt; &amp; &lt;@U123&gt;");
    assertThat(md).doesNotContain("<https://evil", "<!channel>");
    assertThat(md).contains("<http://127.0.0.1:8081/ui/#/accounts/evil|Open in the dashboard>");
    // The structured copy keeps the original text: it is JSON, for machines.
    assertThat(received.get(0).path("distillguard").path("reasons").get(0).path("explanation").asText())
        .startsWith("<https://evil.example|click here>");
  }

  @Test
  void serverErrorsAreRetriedWithBackOffUntilDelivered() {
    script.addAll(List.of(500, 503, 429));
    start(hook(url()));
    notifier.notify(event("a", RiskLevel.BLOCK, "x"));
    GatewayFixture.await("delivered on the fourth attempt", WAIT, () -> received.size() == 4);
    settled();
    assertThat(count("distillguard.alerts.webhook.retries")).isEqualTo(3);
    assertThat(count("distillguard.alerts.webhook.sent")).isEqualTo(1);
    assertThat(count("distillguard.alerts.webhook.failed")).isZero();
    assertThat(received).allSatisfy(n -> assertThat(n.path("distillguard").path("account_id").asText())
        .isEqualTo("a"));
  }

  @Test
  void givesUpAfterTheLastAttempt() {
    script.addAll(List.of(500, 500, 500, 500, 500));
    start(hook(url()));
    notifier.notify(event("a", RiskLevel.BLOCK, "x"));
    settled();
    assertThat(received).hasSize(4);
    assertThat(count("distillguard.alerts.webhook.failed")).isEqualTo(1);
    assertThat(count("distillguard.alerts.webhook.sent")).isZero();
  }

  @Test
  void aClientErrorIsFinal() {
    script.add(400);
    start(hook(url()));
    notifier.notify(event("a", RiskLevel.BLOCK, "x"));
    settled();
    assertThat(received).hasSize(1);
    assertThat(count("distillguard.alerts.webhook.retries")).isZero();
    assertThat(count("distillguard.alerts.webhook.failed")).isEqualTo(1);
  }

  @Test
  void anUnreachableReceiverIsRetriedThenGivenUp() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    start(hook("http://127.0.0.1:" + closedPort + "/hook"));
    notifier.notify(event("a", RiskLevel.BLOCK, "x"));
    settled();
    assertThat(count("distillguard.alerts.webhook.retries")).isEqualTo(3);
    assertThat(count("distillguard.alerts.webhook.failed")).isEqualTo(1);
  }

  @Test
  void backOffDoublesUpToItsCapAndHonoursRetryAfter() {
    GatewayConfig.Webhook w = hook(url());
    w.initialBackoff = Duration.ofSeconds(1);
    w.maxBackoff = Duration.ofSeconds(30);
    assertThat(WebhookNotifier.backoff(w, 1, null)).isBetween(800L, 1000L);
    assertThat(WebhookNotifier.backoff(w, 3, null)).isBetween(3200L, 4000L);
    assertThat(WebhookNotifier.backoff(w, 12, null)).isBetween(24_000L, 30_000L);
    assertThat(WebhookNotifier.backoff(w, 1, "7")).isEqualTo(7000L);
    assertThat(WebhookNotifier.backoff(w, 1, "3600")).isEqualTo(30_000L);
  }
}
