package io.distillguard.sim.population;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.sim.Label;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Legitimate heavy users: high volume and templates that are not distillation. */
class HeavyUsersTest {
  static final Map<String, List<SimRequest>> byGroup = new HashMap<>();

  @BeforeAll
  static void run() {
    Simulation sim = Simulation.create(ScenarioLoader.parse("name: heavy\nseed: 21\nduration: 3d\npopulation: "
        + "{accounts: 0, heavy: {batch_eval: 3, integration: 2, researcher: 3, licensed_distiller: 1}}\n", "heavy"),
        DataSets.fixtures());
    SimRequest r;
    while ((r = sim.next()) != null) {
      assertThat(r.account().label().kind()).isEqualTo(Label.Kind.BENIGN_HEAVY);
      assertThat(r.attack()).isFalse();
      byGroup.computeIfAbsent(r.account().label().group(), k -> new ArrayList<>()).add(r);
      sim.report(r, new SimResult(200, 0, "answer", 1, 1));
    }
  }

  @Test
  void everyKindShowsUp() {
    assertThat(byGroup.keySet()).containsExactlyInAnyOrder(Population.BATCH_EVAL, Population.INTEGRATION,
        Population.RESEARCHER, Population.LICENSED_DISTILLER);
  }

  @Test
  void batchEvaluationRunsABenchmarkFastAndTemplated() {
    List<SimRequest> eval = byGroup.get(Population.BATCH_EVAL);
    // Several requests a second during a run.
    Map<String, List<SimRequest>> perAccount = new HashMap<>();
    eval.forEach(r -> perAccount.computeIfAbsent(r.account().id(), k -> new ArrayList<>()).add(r));
    for (List<SimRequest> rs : perAccount.values()) {
      List<Long> gaps = new ArrayList<>();
      for (int i = 1; i < rs.size(); i++) {
        gaps.add(rs.get(i).time().toEpochMilli() - rs.get(i - 1).time().toEpochMilli());
      }
      gaps.sort(null);
      assertThat(gaps.get(gaps.size() / 2)).isLessThan(1000L);
      assertThat(rs).allSatisfy(r -> assertThat(r.params().temperature()).isNotNull());
    }
  }

  @Test
  void integrationsSendOneSystemPromptAroundTheClock() {
    Map<String, Set<String>> systems = new HashMap<>();
    Set<Integer> hours = new HashSet<>();
    for (SimRequest r : byGroup.get(Population.INTEGRATION)) {
      assertThat(r.messages().get(0).role()).isEqualTo("system");
      systems.computeIfAbsent(r.account().id(), k -> new HashSet<>()).add(r.messages().get(0).content());
      hours.add((int) ((r.time().getEpochSecond() / 3600) % 24));
    }
    assertThat(systems.values()).allSatisfy(s -> assertThat(s).hasSize(1));
    assertThat(hours).hasSize(24);
    assertThat(byGroup.get(Population.INTEGRATION).size()).isGreaterThan(3000);
  }

  @Test
  void researchersSweepSamplingParameters() {
    Set<Object> temps = new HashSet<>();
    for (SimRequest r : byGroup.get(Population.RESEARCHER)) {
      temps.add(r.params().temperature());
      temps.add(r.params().n());
    }
    assertThat(temps.size()).isGreaterThan(2);
  }
}
