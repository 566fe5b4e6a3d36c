package io.distillguard.store.jdbc;

import static io.distillguard.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Alert;
import io.distillguard.core.Outcome;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.Analytics;
import io.distillguard.store.CaseFileLog;
import io.distillguard.store.ReviewLog.Decision;
import io.distillguard.store.ReviewLog;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs on every dialect: SQLite and the embedded PostgreSQL server. */
@ParameterizedClass
@EnumSource(Dialect.class)
class JdbcDashboardTablesTest {
  @Parameter Dialect dialect;
  TestDatabase db;
  @TempDir Path dir;
  JdbcStore store;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  @Test
  void historyIsBoundedPerAccountAndKeepsTheNewest() {
    List<RiskHistory.Point> points = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      points.add(new RiskHistory.Point("a", T0.plusSeconds(i), i / 30.0, RiskLevel.WATCH, i));
      points.add(new RiskHistory.Point("b", T0.plusSeconds(i), 0.1, RiskLevel.NONE, i));
    }
    String hostile = Fixtures.HOSTILE.get(2);
    store.risks().record(points, List.of(new RiskHistory.Snapshot("a", T0.plusSeconds(29), 0.97,
        RiskLevel.THROTTLE, 29, List.of(new Reason("templates", 0.9, 0.6, hostile)))), 10);
    List<RiskHistory.Point> a = store.risks().history("a", 100);
    assertThat(a).hasSize(10);
    assertThat(a.get(0).at()).isEqualTo(T0.plusSeconds(20));
    assertThat(a.get(9).at()).isEqualTo(T0.plusSeconds(29));
    assertThat(store.risks().history("a", 3)).extracting(RiskHistory.Point::evidence).containsExactly(27L, 28L, 29L);
    assertThat(store.risks().history("b", 100)).hasSize(10);
    RiskHistory.Snapshot s = store.risks().snapshot("a").orElseThrow();
    assertThat(s.level()).isEqualTo(RiskLevel.THROTTLE);
    assertThat(s.reasons().get(0).explanation()).isEqualTo(hostile);
    store.risks().record(List.of(), List.of(new RiskHistory.Snapshot("a", T0.plusSeconds(40), 0.5,
        RiskLevel.WATCH, 40, List.of())), 10);
    assertThat(store.risks().snapshots()).containsOnlyKeys("a");
    assertThat(store.risks().snapshot("a").orElseThrow().score()).isEqualTo(0.5);
  }

  @Test
  void reviewsCloseAlertsButAnnotationsDoNot() {
    Alert first = store.alerts().append(JdbcAlertLogTest.alert("x", RiskLevel.NONE, RiskLevel.THROTTLE, T0, "e"));
    Alert second = store.alerts().append(JdbcAlertLogTest.alert("y", RiskLevel.NONE, RiskLevel.BLOCK, T0, "e"));
    assertThat(store.reviews().openCount()).isEqualTo(2);
    store.reviews().append(new ReviewLog.Review(0, first.id(), "x", Decision.ANNOTATE, "analyst:ann", T0, "<b>n</b>",
        3));
    assertThat(store.reviews().openAlerts(null, 10)).extracting(Alert::id).containsExactly(second.id(), first.id());
    ReviewLog.Review r = store.reviews().append(new ReviewLog.Review(0, first.id(), "x", Decision.REVERT,
        "analyst:ann", T0.plusSeconds(1), "false positive", 4));
    assertThat(r.id()).isPositive();
    assertThat(store.reviews().openAlerts(null, 10)).extracting(Alert::id).containsExactly(second.id());
    assertThat(store.reviews().openAlerts(second.id(), 10)).isEmpty();
    assertThat(store.reviews().openCount()).isEqualTo(1);
    assertThat(store.reviews().forAlerts(List.of(first.id(), second.id())).get(first.id()))
        .extracting(ReviewLog.Review::decision).containsExactly(Decision.ANNOTATE, Decision.REVERT);
    assertThat(store.reviews().forAccount("x", 10).get(0).note()).isEqualTo("false positive");
  }

  @Test
  void caseFilesAreListedNewestFirst() {
    store.cases().append(new CaseFileLog.CaseFile("c1", "account:x", T0, "admin", "ab", "/tmp/c1", 1));
    store.cases().append(new CaseFileLog.CaseFile("c2", "account:x", T0.plusSeconds(1), "admin", "cd", "/tmp/c2", 2));
    store.cases().append(new CaseFileLog.CaseFile("c3", "cluster:k", T0.plusSeconds(2), "admin", "ef", "/tmp/c3", 3));
    assertThat(store.cases().list("account:x", 10)).extracting(CaseFileLog.CaseFile::id).containsExactly("c2", "c1");
    assertThat(store.cases().list(null, 2)).extracting(CaseFileLog.CaseFile::id).containsExactly("c3", "c2");
    assertThat(store.cases().find("c3").orElseThrow().sha256()).isEqualTo("ef");
  }

  @Test
  void analyticsBucketTrafficAndAlerts() {
    store.exchanges().append(List.of(
        Fixtures.full("e1", T0, "a", Outcome.OK),
        Fixtures.full("e2", T0.plusSeconds(30), "a", Outcome.REJECTED),
        Fixtures.full("e3", T0.plusSeconds(150), "b", Outcome.OK),
        Fixtures.minimal("e4", T0.plusSeconds(10))), 4);
    Analytics an = store.analytics();
    assertThat(an.activity()).containsOnlyKeys("a", "b");
    assertThat(an.activity().get("a").exchanges()).isEqualTo(2);
    assertThat(an.activity().get("a").rejected()).isEqualTo(1);
    assertThat(an.latestExchange()).isEqualTo(T0.plusSeconds(150));
    List<Analytics.Bucket> b = an.traffic(T0, T0.plusSeconds(180), Duration.ofMinutes(1));
    assertThat(b).extracting(Analytics.Bucket::count).containsExactly(3L, 0L, 1L);
    assertThat(b).extracting(Analytics.Bucket::part).containsExactly(2L, 0L, 0L);
    store.alerts().append(JdbcAlertLogTest.alert("a", RiskLevel.NONE, RiskLevel.BLOCK, T0.plusSeconds(61), "e"));
    assertThat(an.alerts(T0, T0.plusSeconds(180), Duration.ofMinutes(1)))
        .extracting(Analytics.Bucket::count).containsExactly(0L, 1L, 0L);
  }
}
