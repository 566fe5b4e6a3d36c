package io.distillguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.gateway.testing.GatewayFixture.Resp;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.upstream.BuiltinUpstream;
import io.distillguard.upstream.BuiltinUpstreamOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping and restarting a gateway, and stages that misbehave. */
class GatewayLifecycleTest {

  @Test
  void accountsKeysStatusesAndExchangesSurviveARestart(@TempDir Path dir) {
    AccountKey good;
    AccountKey bad;
    try (GatewayFixture first = GatewayFixture.start(dir)) {
      good = first.newAccountWithKey();
      bad = first.newAccountWithKey();
      assertThat(first.chat(good.key(), "before the restart").status()).isEqualTo(200);
      assertThat(first.setStatus(bad.accountId(), "blocked", "test").status()).isEqualTo(200);
    }
    try (GatewayFixture second = GatewayFixture.start(dir)) {
      assertThat(second.chat(good.key(), "after the restart").status()).isEqualTo(200);
      MalformedRequestTest.openAiError(second.chat(bad.key(), "still blocked?"), 403, "account_blocked");
      List<JsonNode> ex = second.exchanges(good.accountId());
      assertThat(ex).extracting(e -> e.get("messages").get(0).get("content").asText())
          .containsExactly("after the restart", "before the restart");
      assertThat(second.gateway.exchangeLog().backlog()).isZero();
    }
  }

  @Test
  void closingAGatewayOnASharedVertxStopsItsDataPlane(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (BuiltinUpstream upstream = BuiltinUpstream.start(new BuiltinUpstreamOptions());
        JdbcStore store = JdbcStore.openSqlite(dir)) {
      GatewayConfig config = new GatewayConfig();
      config.server.port = 0;
      config.admin.port = 0;
      config.server.eventLoops = 2;
      config.dataDir = dir.toString();
      Gateway gateway = Gateway.builder(config, store).vertx(vertx).upstreamUrl(upstream.baseUrl())
          .adminToken(GatewayFixture.ADMIN_TOKEN).start();
      int port = gateway.port();
      assertThat(connects(port)).isTrue();
      gateway.close();
      GatewayFixture.await("the data plane to stop listening", Duration.ofSeconds(10), () -> !connects(port));
      assertThat(connects(gateway.adminPort())).isFalse();
      assertThat(vertx.deploymentIDs()).isEmpty();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static boolean connects(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void startRefusesAnUnresolvedUpstreamOrAMissingToken(@TempDir Path dir) {
    try (JdbcStore store = JdbcStore.openSqlite(dir)) {
      GatewayConfig config = new GatewayConfig();
      config.dataDir = dir.toString();
      assertThatThrownBy(() -> Gateway.builder(config, store).adminToken(GatewayFixture.ADMIN_TOKEN).start())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("builtin");
      assertThatThrownBy(() -> Gateway.builder(config, store).upstreamUrl("http://127.0.0.1:1/v1").start())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("admin token");
    }
  }

  @Test
  void aPortInUseFailsTheStartCleanly(@TempDir Path dir) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        JdbcStore store = JdbcStore.openSqlite(dir)) {
      GatewayConfig config = new GatewayConfig();
      config.server.port = taken.getLocalPort();
      config.admin.port = 0;
      config.server.eventLoops = 1;
      config.dataDir = dir.toString();
      assertThatThrownBy(() -> Gateway.builder(config, store).upstreamUrl("http://127.0.0.1:1/v1")
          .adminToken(GatewayFixture.ADMIN_TOKEN).start())
          .isInstanceOf(IllegalStateException.class);
      // the journal was released: a gateway can start on the same data directory right away
      config.server.port = 0;
      Gateway g = Gateway.builder(config, store).upstreamUrl("http://127.0.0.1:1/v1")
          .adminToken(GatewayFixture.ADMIN_TOKEN).start();
      g.close();
    }
  }

  /** Throws on "boom", hands on later (from a timer) on "later". */
  static final class MoodyStage implements Stage {
    @Override
    public void process(Call call, Chain chain) {
      String prompt = call.messages.isEmpty() ? "" : call.messages.get(0).content();
      if (prompt.contains("boom")) {
        throw new IllegalStateException("test stage exploded");
      }
      if (prompt.contains("later")) {
        call.vertx().setTimer(50, id -> chain.proceed(call));
        return;
      }
      chain.proceed(call);
    }
  }

  @Test
  void aStageThatThrowsGetsA500AndTheGatewayCarriesOn(@TempDir Path dir) {
    try (GatewayFixture fx = GatewayFixture.builder(dir).extraStage(new MoodyStage()).start()) {
      AccountKey ak = fx.newAccountWithKey();
      int upstreamBefore = fx.upstream.requestCount();
      Resp r = fx.chat(ak.key(), "boom");
      JsonNode err = MalformedRequestTest.openAiError(r, 500, "internal_error");
      assertThat(err.get("type").asText()).isEqualTo("server_error");
      assertThat(err.get("message").asText()).doesNotContain("exploded");
      assertThat(fx.upstream.requestCount()).isEqualTo(upstreamBefore);

      Resp later = fx.chat(ak.key(), "later, please");
      assertThat(later.status()).isEqualTo(200);
      assertThat(fx.chat(ak.key(), "now").status()).isEqualTo(200);

      List<JsonNode> ex = fx.exchanges(ak.accountId());
      assertThat(ex).hasSize(3);
      JsonNode failed = ex.stream().filter(e -> e.get("status").asInt() == 500).findFirst().orElseThrow();
      assertThat(failed.get("error_code").asText()).isEqualTo("internal_error");
    }
  }
}
