package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.gateway.NodeName;
import io.distillguard.gateway.config.ConfigValidator;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.Store;
import io.distillguard.store.StoreException;
import io.distillguard.store.jdbc.Dialect;
import io.distillguard.store.jdbc.JdbcStore;
import io.distillguard.store.testing.EmbeddedPostgresServer;
import io.distillguard.store.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} with {@code store.url}: the node opens the shared PostgreSQL store and syncs rate limits through it. */
class PostgresStoreServeTest {
  static final String TOKEN = "pg-serve-admin-token-0123456789";
  @TempDir Path dir;
  TestDatabase db;

  @BeforeEach
  void create() {
    db = TestDatabase.postgres();
  }

  @AfterEach
  void drop() {
    db.close();
  }

  private GatewayConfig config() {
    GatewayConfig c = new GatewayConfig();
    c.server.port = 0;
    c.admin.port = 0;
    c.admin.token = TOKEN;
    c.dataDir = dir.toString();
    c.detection.expensive.enabled = false;
    c.store.url = db.url();
    c.store.user = EmbeddedPostgresServer.USER;
    c.limits.backend = "postgresql";
    return ConfigValidator.validate(c);
  }

  @Test
  void aNodeServesFromThePostgresStoreAndSharesItsRateLimitsThroughIt() throws Exception {
    GatewayConfig c = config();
    try (Node node = Node.start(c, null, EmbeddedPostgresServer.PASSWORD)) {
      assertThat(((JdbcStore) node.store).dialect()).isEqualTo(Dialect.POSTGRESQL);
      assertThat(c.store.node).isEqualTo(Files.readString(dir.resolve(NodeName.FILE)).trim());
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(node.adminUrl()
              + "/admin/v1/accounts")).header("Authorization", "Bearer " + TOKEN)
          .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"pg-acct\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String metrics = http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("distillguard_limits_nodes").contains("distillguard_limits_sync_failures");
    }
    try (JdbcStore again = db.open()) {
      assertThat(again.accounts().find("pg-acct")).isPresent();
      assertThat(again.rateUsage().liveNodes(java.time.Instant.EPOCH)).containsExactly(c.store.node);
    }
  }

  @Test
  void aWrongPasswordStopsTheNodeWithAMessageThatNeverShowsIt() {
    GatewayConfig c = config();
    assertThatThrownBy(() -> Node.openStore(c, dir, "wrong-pass-9137"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("wrong-pass-9137");
  }

  @Test
  void withoutAStoreUrlTheNodeKeepsItsSqliteFile() {
    GatewayConfig c = new GatewayConfig();
    try (Store s = Node.openStore(c, dir, "ignored")) {
      assertThat(((JdbcStore) s).dialect()).isEqualTo(Dialect.SQLITE);
    }
    assertThat(dir.resolve(JdbcStore.SQLITE_FILE)).exists();
    assertThat(dir.resolve(NodeName.FILE)).doesNotExist();
  }

  @Test
  void offlineCommandsReadTheSharedStoreTheConfigurationNames() throws Exception {
    try (Node node = Node.start(config(), null, EmbeddedPostgresServer.PASSWORD)) {
      node.store.audit().append(java.time.Instant.now(), "test", "account.status", "account:x",
          java.util.Map.of("to", "blocked"));
    }
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "data-dir: " + dir.resolve("elsewhere") + "\n"
        + "store: {url: \"" + db.url() + "\", user: " + EmbeddedPostgresServer.USER + "}\n");
    StoreLocation shared = StoreLocation.of(file, null,
        java.util.Map.of(Node.STORE_PASSWORD_ENV, EmbeddedPostgresServer.PASSWORD));
    assertThat(shared.missing()).as("a shared store needs no local file").isNull();
    try (io.distillguard.store.Store s = shared.open()) {
      assertThat(s.audit().verify()).as("intact chain").isEqualTo(-1);
      assertThat(s.audit().list(null, 10)).extracting(io.distillguard.core.AuditEntry::subject)
          .contains("account:x");
    }
    StoreLocation wrong = StoreLocation.of(file, null, java.util.Map.of(Node.STORE_PASSWORD_ENV, "not-it"));
    org.assertj.core.api.Assertions.assertThatThrownBy(wrong::open).hasMessageNotContaining("not-it");
    StoreLocation local = StoreLocation.of(null, dir.resolve("nothing-here"), java.util.Map.of());
    assertThat(local.missing()).contains("no DistillGuard store").contains("--config");
  }
}
