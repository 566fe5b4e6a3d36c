package io.distillguard.store.jdbc;

import static io.distillguard.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.ClusterRepository;
import io.distillguard.store.ClusterRepository.StoredCluster;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
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
class JdbcClusterRepositoryTest {
  @Parameter Dialect dialect;
  TestDatabase db;
  @TempDir Path dir;
  JdbcStore store;
  ClusterRepository clusters;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
    clusters = store.clusters();
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  @Test
  void savedClustersReadBackWithMembersInOrderAndSurviveReopen() {
    List<String> members = new ArrayList<>(List.of("zed", "alpha", "m-3"));
    members.addAll(Fixtures.HOSTILE.subList(0, 3));
    clusters.save(List.of(StoredCluster.found("cl_b", T0, T0.plusSeconds(60), members, 0.812, RiskLevel.BLOCK),
        StoredCluster.found("cl_a", T0, T0, List.of("x", "y"), 0.2, RiskLevel.NONE)));
    store.close();
    store = db.open();
    List<StoredCluster> all = store.clusters().active();
    assertThat(all).extracting(StoredCluster::id).containsExactly("cl_a", "cl_b");
    StoredCluster b = all.get(1);
    assertThat(b.members()).containsExactlyElementsOf(members);
    assertThat(b.firstSeen()).isEqualTo(T0.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    assertThat(b.recomputedAt()).isEqualTo(b.firstSeen().plusSeconds(60));
    assertThat(b.score()).isEqualTo(0.812);
    assertThat(b.level()).isEqualTo(RiskLevel.BLOCK);
    assertThat(b.ruling()).isNull();
    assertThat(b.dissolvedAt()).isNull();
    assertThat(store.clusters().find("cl_b")).contains(b);
    assertThat(store.clusters().find("cl_nope")).isEmpty();
  }

  @Test
  void savingAgainReplacesMembersAndKeepsFirstSeenAndTheRuling() {
    clusters.save(List.of(StoredCluster.found("cl_1", T0, T0, List.of("a", "b", "c"), 0.5, RiskLevel.WATCH)));
    assertThat(clusters.rule("cl_1", RiskLevel.NONE, T0.plusSeconds(5), "analyst-1")).isTrue();
    clusters.save(List.of(StoredCluster.found("cl_1", T0.plusSeconds(100), T0.plusSeconds(100),
        List.of("b", "d"), 0.6, RiskLevel.NONE)));
    StoredCluster k = clusters.find("cl_1").orElseThrow();
    assertThat(k.members()).containsExactly("b", "d");
    assertThat(k.firstSeen()).isEqualTo(T0.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    assertThat(k.recomputedAt()).isEqualTo(k.firstSeen().plusSeconds(100));
    assertThat(k.ruling()).isEqualTo(RiskLevel.NONE);
    assertThat(k.ruledBy()).isEqualTo("analyst-1");
    assertThat(k.ruledAt()).isEqualTo(k.firstSeen().plusSeconds(5));
  }

  @Test
  void dissolvedClustersLeaveTheActiveListButKeepTheirRulingAndComeBackWhenSavedAgain() {
    clusters.save(List.of(StoredCluster.found("cl_1", T0, T0, List.of("a", "b"), 0.9, RiskLevel.BLOCK),
        StoredCluster.found("cl_2", T0, T0, List.of("c", "d"), 0.1, RiskLevel.NONE)));
    clusters.rule("cl_1", RiskLevel.THROTTLE, T0, "analyst");
    clusters.dissolve(List.of("cl_1"), T0.plusSeconds(60));
    assertThat(clusters.active()).extracting(StoredCluster::id).containsExactly("cl_2");
    StoredCluster gone = clusters.find("cl_1").orElseThrow();
    assertThat(gone.dissolvedAt()).isNotNull();
    assertThat(gone.members()).isEmpty();
    assertThat(clusters.ruled()).extracting(StoredCluster::id, StoredCluster::ruling)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("cl_1", RiskLevel.THROTTLE));
    clusters.save(List.of(StoredCluster.found("cl_1", T0, T0.plusSeconds(120), List.of("a"), 0.9,
        RiskLevel.THROTTLE)));
    assertThat(clusters.find("cl_1").orElseThrow().dissolvedAt()).isNull();
    assertThat(clusters.active()).hasSize(2);
  }

  @Test
  void rulingAnUnknownClusterChangesNothing() {
    assertThat(clusters.rule("cl_ghost", RiskLevel.BLOCK, T0, "analyst")).isFalse();
    assertThat(clusters.ruled()).isEmpty();
    clusters.save(List.of());
    clusters.dissolve(List.of(), T0);
    assertThat(clusters.active()).isEmpty();
  }

  @Test
  void aLargeClusterIsSavedInOneCall() {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 12_000; i++) {
      members.add("acct-" + i);
    }
    clusters.save(List.of(StoredCluster.found("cl_big", T0, T0, members, 0.99, RiskLevel.BLOCK)));
    assertThat(clusters.find("cl_big").orElseThrow().members()).containsExactlyElementsOf(members);
  }
}
