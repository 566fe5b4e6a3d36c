package io.distillguard.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.store.RateUsage;
import io.distillguard.store.RateUsage.Delta;
import io.distillguard.store.RateUsage.Usage;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
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
class JdbcRateUsageTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:30Z");
  static final long W = 1_772_359_200_000L; // 10:00:00, a minute boundary

  @Parameter Dialect dialect;
  TestDatabase db;
  @TempDir Path dir;
  JdbcStore store;
  RateUsage usage;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
    usage = store.rateUsage();
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  @Test
  void deltasAddUpPerNodeAndEachNodeReadsOnlyTheOthers() {
    usage.add("n1", List.of(new Delta("account:a", W, 3, 100), new Delta("key:k", W, 1, 0)), NOW);
    usage.add("n1", List.of(new Delta("account:a", W, 2, 50)), NOW);
    usage.add("n2", List.of(new Delta("account:a", W, 7, 700), new Delta("account:a", W - 60_000, 4, 0)), NOW);
    assertThat(usage.others("n2", List.of("account:a", "key:k", "account:none"), W - 60_000))
        .containsExactlyInAnyOrder(new Usage("account:a", W, "n1", 5, 150), new Usage("key:k", W, "n1", 1, 0));
    assertThat(usage.others("n1", List.of("account:a"), W))
        .containsExactly(new Usage("account:a", W, "n2", 7, 700));
    assertThat(usage.others("n1", List.of(), W)).isEmpty();
  }

  @Test
  void manySubjectsAreReadInChunks() {
    List<Delta> deltas = new ArrayList<>();
    List<String> subjects = new ArrayList<>();
    for (int i = 0; i < 1_234; i++) {
      deltas.add(new Delta("account:s" + i, W, 1, i));
      subjects.add("account:s" + i);
    }
    usage.add("n1", deltas, NOW);
    assertThat(usage.others("n2", subjects, W)).hasSize(1_234);
  }

  @Test
  void heartbeatsTellLiveNodesAndPruningDropsOldWindowsAndSilentNodes() {
    usage.add("n1", List.of(new Delta("account:a", W - 600_000, 1, 0), new Delta("account:a", W, 1, 0)),
        NOW.minusSeconds(300));
    usage.add("n2", List.of(), NOW);
    assertThat(usage.liveNodes(NOW.minusSeconds(10))).containsExactly("n2");
    assertThat(usage.liveNodes(NOW.minusSeconds(400))).containsExactly("n1", "n2");
    assertThat(usage.prune(W - 120_000, NOW.minusSeconds(60))).isEqualTo(1);
    assertThat(usage.liveNodes(NOW.minusSeconds(400))).containsExactly("n2");
    assertThat(usage.others("n2", List.of("account:a"), 0)).hasSize(1);
  }
}
