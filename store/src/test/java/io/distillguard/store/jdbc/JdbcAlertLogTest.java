package io.distillguard.store.jdbc;

import static io.distillguard.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Alert;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.AlertLog;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
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
class JdbcAlertLogTest {
  @Parameter Dialect dialect;
  TestDatabase db;

  @TempDir Path dir;
  JdbcStore store;
  AlertLog alerts;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
    alerts = store.alerts();
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  static Alert alert(String account, RiskLevel from, RiskLevel to, Instant at, String explanation) {
    return new Alert(0, at, at.plusMillis(3), account, from, to, 0.75, 320,
        List.of(new Reason("persistence", 1.0, 0.5, explanation), new Reason("cadence", 0.9, 0.25, "even")), 7);
  }

  private List<Long> ids(AlertLog.Query q) {
    return alerts.list(q).stream().map(Alert::id).toList();
  }

  @Test
  void appendsAndReadsBackEveryField() {
    String hostile = "\"}]</script><img src=x onerror=alert(1)> \\ \u0000 \u202e ünï";
    Instant at = T0.plusNanos(123_456_789);
    Alert a = alerts.append(alert("acct-1", RiskLevel.WATCH, RiskLevel.THROTTLE, at, hostile));
    assertThat(a.id()).isPositive();
    Alert back = alerts.list(AlertLog.Query.latest(10)).get(0);
    assertThat(back).isEqualTo(a);
    assertThat(back.at()).as("microsecond precision").isEqualTo(T0.plusNanos(123_456_000));
    assertThat(back.reasons().get(0).explanation()).isEqualTo(hostile);
    assertThat(back.from()).isEqualTo(RiskLevel.WATCH);
    assertThat(back.auditSeq()).isEqualTo(7);
  }

  @Test
  void listsNewestFirstWithFiltersAndACursor() {
    long[] id = new long[8];
    for (int i = 0; i < 8; i++) {
      RiskLevel to = i % 2 == 0 ? RiskLevel.THROTTLE : RiskLevel.BLOCK;
      id[i] = alerts.append(alert(i < 4 ? "a" : "b", RiskLevel.NONE, to, T0.plusSeconds(i), "x")).id();
    }
    assertThat(ids(AlertLog.Query.latest(3))).containsExactly(id[7], id[6], id[5]);
    assertThat(ids(new AlertLog.Query(null, Set.of(), id[5], null, null, 3))).containsExactly(id[4], id[3], id[2]);
    assertThat(ids(new AlertLog.Query("a", Set.of(), null, null, null, 10)))
        .containsExactly(id[3], id[2], id[1], id[0]);
    assertThat(ids(new AlertLog.Query(null, Set.of(RiskLevel.BLOCK), null, null, null, 10)))
        .containsExactly(id[7], id[5], id[3], id[1]);
    assertThat(ids(new AlertLog.Query("b", Set.of(RiskLevel.THROTTLE, RiskLevel.WATCH), null, null, null, 10)))
        .containsExactly(id[6], id[4]);
    assertThat(ids(new AlertLog.Query(null, Set.of(), null, id[5], null, 10))).containsExactly(id[7], id[6]);
    assertThat(ids(new AlertLog.Query(null, Set.of(), null, null, T0.plusSeconds(6), 10)))
        .containsExactly(id[7], id[6]);
    assertThat(ids(new AlertLog.Query("nobody", Set.of(), null, null, null, 10))).isEmpty();
    assertThat(ids(AlertLog.Query.latest(0))).isEmpty();
  }
}
