package io.distillguard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.ChatMessage;
import io.distillguard.sim.campaign.CampaignStats;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.DatasetInfo;
import io.distillguard.sim.data.PromptPool;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.data.TestData;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulationTest {
  static final Path SCENARIOS = Path.of("../scenarios");

  static Scenario smoke() {
    return ScenarioLoader.load(SCENARIOS.resolve("smoke.yaml"));
  }

  /** A deterministic stand-in for the gateway: answers depend only on the request. */
  static SimResult answer(SimRequest r) {
    String last = r.messages().get(r.messages().size() - 1).content();
    return new SimResult(200, 0, "Answer to: " + last.substring(0, Math.min(40, last.length())), 10, 20);
  }

  /** Digest of every field of every request, in order. */
  static String fingerprint(Simulation sim, int[] count) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    SimRequest r;
    while ((r = sim.next()) != null) {
      StringBuilder sb = new StringBuilder();
      sb.append(r.account().id()).append(r.account().attributes()).append(r.account().label()).append(r.time())
          .append(r.clientIp()).append(r.userAgent()).append(r.endpoint()).append(r.model()).append(r.params())
          .append(r.stream()).append(r.expectedOutputTokens()).append(r.attack());
      for (ChatMessage m : r.messages()) {
        sb.append(m.role()).append('\u0000').append(m.content());
      }
      md.update(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sim.report(r, answer(r));
      count[0]++;
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  @Test
  void sameSeedSameRequestSequence() throws Exception {
    int[] n1 = {0};
    int[] n2 = {0};
    int[] n3 = {0};
    String a = fingerprint(Simulation.create(smoke(), DataSets.fixtures()), n1);
    String b = fingerprint(Simulation.create(smoke(), DataSets.fixtures()), n2);
    String c = fingerprint(Simulation.create(smoke().withSeed(8), DataSets.fixtures()), n3);
    assertThat(n1[0]).isGreaterThan(1000);
    assertThat(b).isEqualTo(a);
    assertThat(n2[0]).isEqualTo(n1[0]);
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void smokeScenarioRunsInSecondsWithBothCampaigns() {
    long t0 = System.nanoTime();
    Simulation sim = Simulation.create(smoke(), DataSets.fixtures());
    assertThat(sim.campaignStrategies()).containsExactly(Map.entry("naive-1", "naive"),
        Map.entry("reasoning-1", "reasoning-harvest"));
    assertThat(sim.accounts()).isEmpty();
    assertThat(sim.populationAccounts()).hasSize(203) // 200 ordinary + 3 heavy
        .allSatisfy(a -> assertThat(a.label().benign()).isTrue());
    SimRequest r;
    long last = Long.MIN_VALUE;
    Map<Label.Kind, Integer> kinds = new HashMap<>();
    Set<String> accounts = new HashSet<>();
    int n = 0;
    while ((r = sim.next()) != null) {
      long t = r.time().toEpochMilli();
      assertThat(t).isGreaterThanOrEqualTo(last).isLessThan(sim.scenario().end().toEpochMilli())
          .isGreaterThanOrEqualTo(sim.scenario().start().toEpochMilli());
      last = t;
      assertThat(sim.accounts()).contains(r.account());
      assertThat(r.account().createdAt()).isBeforeOrEqualTo(r.time());
      assertThat(sim.accountIsNew()).isEqualTo(accounts.add(r.account().id()));
      assertThat(r.account().label().benign()).isEqualTo(!r.attack() || r.account().label().benign());
      kinds.merge(r.account().label().kind(), 1, Integer::sum);
      sim.report(r, answer(r));
      n++;
    }
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
    assertThat(kinds.keySet()).containsExactlyInAnyOrder(Label.Kind.BENIGN, Label.Kind.BENIGN_HEAVY,
        Label.Kind.CAMPAIGN);
    assertThat(sim.requestsGenerated()).isEqualTo(n);
    assertThat(sim.idle()).isTrue();
    CampaignStats naive = sim.campaignStats("naive-1");
    assertThat(naive.promptSetSize()).isEqualTo(sim.campaignPromptSetSize("naive-1")).isPositive();
    assertThat(naive.fractionHarvested()).isEqualTo(1.0);
    assertThat(sim.campaignStats()).extracting(CampaignStats::id).containsExactly("naive-1", "reasoning-1");
    assertThatThrownBy(() -> sim.campaignStats("nope")).hasMessageContaining("nope");
  }

  /** An HTTP runner reports answers late, many requests in flight: times still never decrease. */
  @Test
  void lateReportsKeepTimeMonotonic() {
    Simulation sim = Simulation.create(smoke(), DataSets.fixtures());
    ArrayDeque<SimRequest> inFlight = new ArrayDeque<>();
    long last = Long.MIN_VALUE;
    int n = 0;
    while (true) {
      SimRequest r = sim.next();
      if (r == null) {
        if (inFlight.isEmpty()) {
          break;
        }
        SimRequest done = inFlight.poll();
        sim.report(done, n % 7 == 0 ? new SimResult(429, 2, null, 0, 0) : answer(done));
        continue;
      }
      assertThat(r.time().toEpochMilli()).isGreaterThanOrEqualTo(last);
      last = r.time().toEpochMilli();
      inFlight.add(r);
      n++;
      if (inFlight.size() > 64) {
        SimRequest done = inFlight.poll();
        sim.report(done, n % 7 == 0 ? new SimResult(429, 2, null, 0, 0) : answer(done));
      }
    }
    assertThat(n).isGreaterThan(1000);
  }

  @Test
  void reportsOfUnknownAccountsAreRejected() {
    Simulation sim = Simulation.create(smoke(), DataSets.fixtures());
    SimRequest r = sim.next();
    SimAccount stranger = new SimAccount("acct_x", "x", Map.of(), Label.BENIGN, r.time());
    SimRequest foreign = new SimRequest(stranger, r.time(), r.clientIp(), r.userAgent(), r.endpoint(), r.model(),
        r.messages(), r.params(), r.stream(), 1, false);
    assertThatThrownBy(() -> sim.report(foreign, answer(foreign))).hasMessageContaining("acct_x");
  }

  @Test
  void durationBoundsTheRun() {
    Simulation sim = Simulation.create(smoke().withDuration(Duration.ofHours(3)), DataSets.fixtures());
    SimRequest r;
    while ((r = sim.next()) != null) {
      assertThat(r.time()).isBefore(sim.scenario().start().plus(Duration.ofHours(3)));
      sim.report(r, answer(r));
    }
    assertThat(sim.campaignStats("reasoning-1").requestsSent()).isZero(); // it starts at 6h
  }

  @Test
  void smokeScenarioOnTheRealDatasets() {
    DataSets data = TestData.realOrSkip();
    Simulation sim = Simulation.create(smoke(), data);
    Set<String> texts = new HashSet<>();
    int n = 0;
    SimRequest r;
    while ((r = sim.next()) != null) {
      texts.add(r.messages().get(r.messages().size() - 1).content());
      sim.report(r, answer(r));
      n++;
    }
    assertThat(n).isGreaterThan(1000);
    assertThat(texts.size()).isGreaterThan(n / 4);
    assertThat(sim.campaignStats("reasoning-1").promptSetSize()).isEqualTo(300);
  }

  /** A holdout scenario draws prompts only from holdout datasets and holdout templates. */
  @Test
  void holdoutScenarioStaysInTheHoldoutSplit() {
    DataSets data = TestData.realOrFixtures();
    Scenario holdout = ScenarioLoader.load(SCENARIOS.resolve("holdout-week.yaml"))
        .withDuration(Duration.ofHours(30));
    holdout = holdout.withPopulation(new io.distillguard.sim.scenario.PopulationSpec(300, 3, 1.9, 5000, 0.3, 0.5,
        0.4, 0.05, new io.distillguard.sim.scenario.PopulationSpec.Heavy(1, 1, 1, 1), List.of()));
    Simulation sim = Simulation.create(holdout, data);
    for (String id : sim.campaignStrategies().keySet()) {
      assertThat(sim.campaign(id).context().templates()).isEqualTo(Split.HOLDOUT);
      for (PromptPool p : sim.campaign(id).context().pools()) {
        assertThat(p.info().split()).as(id).isEqualTo(Split.HOLDOUT);
      }
    }
    // Every benign first turn comes from a holdout benign dataset.
    Set<String> holdoutTexts = new HashSet<>();
    for (String d : DatasetInfo.names(Split.HOLDOUT, null)) {
      data.pool(d).prompts().forEach(p -> holdoutTexts.add(p.full()));
    }
    Set<String> tuningTexts = new HashSet<>();
    for (String d : DatasetInfo.names(Split.TUNING, null)) {
      data.pool(d).prompts().forEach(p -> tuningTexts.add(p.full()));
    }
    tuningTexts.removeAll(holdoutTexts);
    List<String> leaked = new ArrayList<>();
    SimRequest r;
    int n = 0;
    while ((r = sim.next()) != null) {
      for (ChatMessage m : r.messages()) {
        if (m.content() != null && tuningTexts.contains(m.content())) {
          leaked.add(m.content());
        }
      }
      sim.report(r, answer(r));
      n++;
    }
    assertThat(n).isGreaterThan(500);
    assertThat(leaked).isEmpty();
  }
}
