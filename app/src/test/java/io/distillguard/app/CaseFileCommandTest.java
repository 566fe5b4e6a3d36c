package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.Alert;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.jdbc.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code report case} writes a bundle from the store alone; {@code verify-audit} finds every kind of tampering. */
class CaseFileCommandTest {
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  @RegisterExtension final CommandRun cli = new CommandRun();
  @TempDir Path dir;

  private void seed() {
    try (JdbcStore store = JdbcStore.openSqlite(dir)) {
      store.accounts().create(new Account("acct-9", "<b>Nine</b>", Map.of("tier", "default", "country", "FR"),
          AccountStatus.THROTTLED, T0));
      List<Exchange> ex = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        List<ChatMessage> m = List.of(new ChatMessage("user", "Explain topic " + i + " step by step"));
        ex.add(new Exchange("ex-" + i, T0.plusSeconds(60L * i), "acct-9", "k1", "198.51.100.9", "curl/8", "hf",
            "/v1/chat/completions", "builtin-small", new SamplingParams(null, null, null, null, null, null, null, 0),
            false, m, "Step 1: ...", Exchange.promptDigest(m), Exchange.promptLength(m), Exchange.textDigest("r"), 11,
            20, 30, 200, Outcome.OK, null, 1000L, 900L, 100L));
      }
      store.exchanges().append(ex, 40);
      List<Reason> reasons = List.of(new Reason("templates", 0.95, 0.6, "100% of prompts share 1 template"));
      store.risks().record(List.of(new RiskHistory.Point("acct-9", T0.plusSeconds(600), 0.4, RiskLevel.WATCH, 10),
          new RiskHistory.Point("acct-9", T0.plusSeconds(1800), 0.93, RiskLevel.THROTTLE, 30)),
          List.of(new RiskHistory.Snapshot("acct-9", T0.plusSeconds(1800), 0.93, RiskLevel.THROTTLE, 30, reasons)),
          500);
      var audited = store.audit().append(T0.plusSeconds(1800), "detector", "account.status", "account:acct-9",
          Map.of("from", "watch", "to", "throttled"));
      store.alerts().append(new Alert(0, T0.plusSeconds(1800), T0.plusSeconds(1801), "acct-9", RiskLevel.WATCH,
          RiskLevel.THROTTLE, 0.93, 30, reasons, audited.seq()));
    }
  }

  private Path onlyBundle() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("cases"))) {
      return s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  @Test
  void writesACaseFileFromTheStoreAndVerifiesIt() throws Exception {
    seed();
    assertThat(Main.run("report", "case", "--account", "acct-9", "--data-dir", dir.toString())).isZero();
    assertThat(cli.stdout()).contains("case file case-", "sha256");
    Path bundle = onlyBundle();
    for (String f : List.of("case.json", "case.html", "case.pdf", "manifest.json")) {
      assertThat(bundle.resolve(f)).isNotEmptyFile();
    }
    assertThat(Files.readString(bundle.resolve("case.html"))).contains("&lt;b&gt;Nine&lt;/b&gt;")
        .doesNotContain("<b>Nine</b>");
    String json = Files.readString(bundle.resolve("case.json"));
    assertThat(json).contains("\"score\" : 0.93", "\"source\" : \"stored\"", "Explain topic # step by step");

    cli.resetOut();
    assertThat(Main.run("verify-audit", "--data-dir", dir.toString(), "--case", bundle.toString())).isZero();
    assertThat(cli.stdout()).contains("audit log intact", "matches audit entry");
  }

  @Test
  void aChangedBundleFailsVerification() throws Exception {
    seed();
    assertThat(Main.run("report", "case", "--account", "acct-9", "--data-dir", dir.toString())).isZero();
    Path bundle = onlyBundle();
    Files.writeString(bundle.resolve("case.json"), Files.readString(bundle.resolve("case.json"))
        .replace("0.93", "0.13"));
    assertThat(Main.run("verify-audit", "--data-dir", dir.toString(), "--case", bundle.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("CASE BUNDLE", "case.json does not match its hash");
  }

  @Test
  void anEditedAuditEntryFailsVerificationWithAClearMessage() throws Exception {
    seed();
    assertThat(Main.run("verify-audit", "--data-dir", dir.toString())).isZero();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(JdbcStore.SQLITE_FILE));
         Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE audit_log SET details = '{\"from\":\"watch\",\"to\":\"active\"}' WHERE seq = 1");
    }
    assertThat(Main.run("verify-audit", "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("AUDIT LOG TAMPERED: entry 1");
  }

  @Test
  void aClusterCaseNeedsTheRunningGateway() throws Exception {
    seed();
    assertThat(Main.run("report", "case", "--cluster", "cl_1", "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("--admin");
    assertThat(Main.run("verify-audit", "--data-dir", dir.resolve("nowhere").toString())).isEqualTo(2);
  }
}
