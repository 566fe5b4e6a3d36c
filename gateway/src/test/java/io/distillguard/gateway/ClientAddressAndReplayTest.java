package io.distillguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.gateway.testing.GatewayFixture.Resp;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who sent a request (X-Forwarded-For from trusted peers) and when (replay mode's event-time header). */
class ClientAddressAndReplayTest {
  private static final String EVENT_TIME = "X-DistillGuard-Event-Time";
  @TempDir
  static Path replayDir;
  @TempDir
  static Path liveDir;
  /** Replay mode, loopback trusted (the defaults otherwise). */
  static GatewayFixture replay;
  /** Live mode, no trusted proxies at all. */
  static GatewayFixture live;

  @BeforeAll
  static void start() {
    replay = GatewayFixture.builder(replayDir).config(c -> c.replay = true).start();
    live = GatewayFixture.builder(liveDir).config(c -> c.trustedProxies = List.of()).start();
  }

  @AfterAll
  static void stop() {
    try {
      replay.close();
    } finally {
      live.close();
    }
  }

  private static String clientIp(GatewayFixture fx, String xff) {
    AccountKey ak = fx.newAccountWithKey();
    Resp r = xff == null ? fx.chat(ak.key(), "hi") : fx.chat(ak.key(), "hi", "X-Forwarded-For", xff);
    assertThat(r.status()).isEqualTo(200);
    return fx.onlyExchange(ak.accountId()).get("client_ip").asText();
  }

  @Test
  void forwardedForIsHonouredFromLoopback() {
    assertThat(clientIp(replay, null)).isEqualTo("127.0.0.1");
    assertThat(clientIp(replay, "198.51.100.7")).isEqualTo("198.51.100.7");
    assertThat(clientIp(replay, "6.6.6.6, 198.51.100.7")).isEqualTo("198.51.100.7");
    assertThat(clientIp(replay, "198.51.100.7, 127.0.0.1")).isEqualTo("198.51.100.7");
    assertThat(clientIp(replay, "2001:db8::42")).isEqualTo("2001:db8::42");
    assertThat(clientIp(replay, "not-an-ip")).isEqualTo("127.0.0.1");
    assertThat(clientIp(replay, "evil.example.com, 198.51.100.7")).isEqualTo("198.51.100.7");
  }

  @Test
  void forwardedForIsIgnoredWhenThePeerIsNotTrusted() {
    assertThat(clientIp(live, "198.51.100.7")).isEqualTo("127.0.0.1");
  }

  @Test
  void forwardedForAppliesToRefusedRequestsToo() {
    String ua = GatewayFixture.uniqueId("xff-401");
    Resp r = replay.data("POST", "/v1/chat/completions", GatewayFixture.chatBody("x", false), null,
        "User-Agent", ua, "X-Forwarded-For", "203.0.113.50");
    assertThat(r.status()).isEqualTo(401);
    List<JsonNode> recs = replay.exchangesByUserAgent(ua);
    assertThat(recs).hasSize(1);
    assertThat(recs.get(0).get("client_ip").asText()).isEqualTo("203.0.113.50");
  }

  @Test
  void replayTakesTheEventTimeFromTheHeader() {
    AccountKey ak = replay.newAccountWithKey();
    assertThat(replay.chat(ak.key(), "one", EVENT_TIME, "2026-01-05T09:30:00Z").status()).isEqualTo(200);
    assertThat(replay.chat(ak.key(), "two", EVENT_TIME, "2026-01-05T11:45:30.250+01:00").status()).isEqualTo(200);
    List<JsonNode> ex = replay.exchanges(ak.accountId());
    assertThat(ex).extracting(e -> Instant.parse(e.get("event_time").asText())).containsExactly(
        Instant.parse("2026-01-05T10:45:30.250Z"), Instant.parse("2026-01-05T09:30:00Z"));
    assertThat(ex.get(1).get("messages").get(0).get("content").asText()).isEqualTo("one");
  }

  @Test
  void replayedTrafficMeetsLimitsOnItsOwnClock() {
    AccountKey ak = replay.newAccountWithKey("tiny"); // one request per minute
    String t0 = "2025-03-01T12:00:00Z";
    assertThat(replay.chat(ak.key(), "a", EVENT_TIME, t0).status()).isEqualTo(200);
    Resp refused = replay.chat(ak.key(), "b", EVENT_TIME, "2025-03-01T12:00:10Z");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(Long.parseLong(refused.header("Retry-After"))).isEqualTo(50);
    // a minute later in the replayed day, however little wall time passed
    assertThat(replay.chat(ak.key(), "c", EVENT_TIME, "2025-03-01T12:01:00Z").status()).isEqualTo(200);
  }

  @Test
  void aMalformedEventTimeIsRefused() {
    for (String bad : new String[] {"yesterday", "2026-01-05", "2026-01-05T25:00:00Z", "1736069400", ""}) {
      String ua = GatewayFixture.uniqueId("bad-time");
      AccountKey ak = replay.newAccountWithKey();
      Resp r = replay.chat(ak.key(), "x", EVENT_TIME, bad, "User-Agent", ua);
      if (bad.isEmpty() && r.status() == 200) {
        continue; // an empty header may be dropped on the way; nothing to check then
      }
      JsonNode err = MalformedRequestTest.openAiError(r, 400, "invalid_event_time");
      assertThat(err.get("message").asText()).contains(EVENT_TIME);
      List<JsonNode> recs = replay.exchangesByUserAgent(ua);
      assertThat(recs).hasSize(1);
      assertThat(recs.get(0).get("error_code").asText()).isEqualTo("invalid_event_time");
      Instant recorded = Instant.parse(recs.get(0).get("event_time").asText());
      assertThat(recorded).isAfter(Instant.now().minus(1, ChronoUnit.HOURS));
    }
  }

  @Test
  void withoutReplayTheHeaderIsIgnored() {
    AccountKey ak = live.newAccountWithKey();
    Instant before = Instant.now().minusSeconds(1);
    assertThat(live.chat(ak.key(), "x", EVENT_TIME, "2001-01-01T00:00:00Z").status()).isEqualTo(200);
    assertThat(live.chat(ak.key(), "y", EVENT_TIME, "garbage").status()).isEqualTo(200);
    for (JsonNode e : live.exchanges(ak.accountId())) {
      assertThat(Instant.parse(e.get("event_time").asText())).isAfter(before);
    }
  }
}
