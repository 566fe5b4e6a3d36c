package io.distillguard.sim.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What each strategy sends and how campaigns react to the gateway. */
class CampaignBehaviourTest {

  private static String user(SimRequest r) {
    List<ChatMessage> m = r.messages();
    return m.get(m.size() - 1).content();
  }

  @Test
  void naiveHarvestsEverythingInOneTemplateFromOneServer() {
    Simulation sim = CampaignTestSupport.simulation("2d",
        "  - {id: n, strategy: naive, accounts: 2, params: {rate: 30/min, generation_prompts: 50}}\n");
    List<SimRequest> rs = CampaignTestSupport.run(sim);
    int size = sim.campaignPromptSetSize("n");
    assertThat(rs).hasSize(size);
    assertThat(sim.campaignStats("n").fractionHarvested()).isEqualTo(1.0);
    assertThat(rs.stream().map(SimRequest::clientIp).map(ip -> ip.substring(0, ip.lastIndexOf('.'))).distinct())
        .hasSize(1);
    assertThat(rs.stream().map(r -> r.account().attributes().get("payment_fingerprint")).distinct()).hasSize(1);
    // Alpaca mass-generation prompts, FLAN templates and the Alpaca format all appear.
    assertThat(rs).anySatisfy(r -> assertThat(user(r)).contains("List of 20 tasks"));
    // One template per account: at most one system prompt each.
    Map<String, Set<String>> systems = new HashMap<>();
    rs.forEach(r -> systems.computeIfAbsent(r.account().id(), k -> new HashSet<>())
        .add(r.messages().size() > 1 ? r.messages().get(0).content() : ""));
    assertThat(systems.values()).allSatisfy(s -> assertThat(s.size()).isLessThanOrEqualTo(2));
    // High volume: about 30 a minute per account.
    Map<String, List<SimRequest>> per = rs.stream().collect(Collectors.groupingBy(r -> r.account().id()));
    for (List<SimRequest> l : per.values()) {
      long span = l.get(l.size() - 1).time().toEpochMilli() - l.get(0).time().toEpochMilli();
      assertThat(l.size() / (span / 60_000.0)).isBetween(20.0, 40.0);
    }
  }

  @Test
  void campaignsBackOffOn429AndRetryThePrompt() {
    Simulation sim = CampaignTestSupport.simulation("1d",
        "  - {id: n, strategy: naive, accounts: 1, params: {rate: 60/min, generation_prompts: 0}}\n");
    List<SimRequest> rs = CampaignTestSupport.run(sim, (r, i) -> i % 10 == 5
        ? new SimResult(429, 30, null, 0, 0) : CampaignTestSupport.OK);
    for (int i = 5; i + 1 < rs.size(); i += 10) {
      long gap = rs.get(i + 1).time().toEpochMilli() - rs.get(i).time().toEpochMilli();
      assertThat(gap).as("gap after the 429 at %d", i).isGreaterThanOrEqualTo(30_000);
    }
    // Every limited prompt is asked again later: the whole set is harvested.
    assertThat(sim.campaignStats("n").fractionHarvested()).isEqualTo(1.0);
    assertThat(sim.campaignStats("n").requestsLimited()).isGreaterThan(0);
    assertThat(rs.size()).isEqualTo(sim.campaignPromptSetSize("n") + sim.campaignStats("n").requestsLimited());
    Set<String> limited = new HashSet<>();
    for (int i = 5; i < rs.size(); i += 10) {
      limited.add(user(rs.get(i)));
    }
    Set<String> later = new HashSet<>();
    for (int i = 0; i < rs.size(); i++) {
      if (i % 10 != 5) {
        later.add(user(rs.get(i)));
      }
    }
    assertThat(later).containsAll(limited);
  }

  @Test
  void a403StopsTheAccountForGood() {
    Simulation sim = CampaignTestSupport.simulation("1d",
        "  - {id: n, strategy: naive, accounts: 3, replacements: 0, params: {rate: 20/min}}\n");
    String[] victim = new String[1];
    List<SimRequest> rs = CampaignTestSupport.run(sim, (r, i) -> {
      if (i == 10) {
        victim[0] = r.account().id();
      }
      return victim[0] != null && victim[0].equals(r.account().id()) ? new SimResult(403, 0, null, 0, 0)
          : CampaignTestSupport.OK;
    });
    long afterBlock = rs.subList(11, rs.size()).stream().filter(r -> r.account().id().equals(victim[0])).count();
    assertThat(afterBlock).isZero();
    assertThat(sim.campaignStats("n").accountsDead()).isEqualTo(1);
    assertThat(sim.campaignStats("n").fractionHarvested()).isEqualTo(1.0); // the others finish the job
  }

  @Test
  void lowAndSlowStaysUnderOneRequestAMinutePerAccount() {
    Simulation sim = CampaignTestSupport.simulation("3d",
        "  - {id: l, strategy: low-and-slow, accounts: 5, passes: 60}\n");
    List<SimRequest> rs = CampaignTestSupport.run(sim);
    Map<String, List<SimRequest>> per = rs.stream().collect(Collectors.groupingBy(r -> r.account().id()));
    assertThat(per).hasSize(5);
    for (List<SimRequest> l : per.values()) {
      for (int i = 1; i < l.size(); i++) {
        assertThat(l.get(i).time().toEpochMilli() - l.get(i - 1).time().toEpochMilli()).isGreaterThanOrEqualTo(60_000);
      }
      // Spread over days.
      assertThat(l.get(l.size() - 1).time().toEpochMilli() - l.get(0).time().toEpochMilli())
          .isGreaterThan(24 * 3_600_000L);
    }
    // Separate identities: no shared card, domain pattern or address block.
    assertThat(rs.stream().map(r -> r.account().attributes().get("payment_fingerprint")).distinct()).hasSize(5);
  }

  @Test
  void mixedProxyMixesCustomerTrafficWithHarvesting() {
    Simulation sim = CampaignTestSupport.simulation("2d",
        "  - {id: m, strategy: mixed-proxy, accounts: 1, passes: 50, params: {customers: 60, attack_share: 0.3}}\n");
    List<SimRequest> rs = CampaignTestSupport.run(sim);
    long attack = rs.stream().filter(SimRequest::attack).count();
    assertThat(rs.stream().map(r -> r.account().id()).distinct()).hasSize(1);
    assertThat((double) attack / rs.size()).isBetween(0.15, 0.45);
    assertThat(rs).allSatisfy(r -> assertThat(r.account().label()).isEqualTo(new Label(Label.Kind.CAMPAIGN, "m")));
    // Customers hold real conversations (follow-ups with answers) through the proxy account.
    assertThat(rs).anySatisfy(r -> {
      assertThat(r.attack()).isFalse();
      assertThat(r.messages().size()).isGreaterThanOrEqualTo(3);
    });
    CampaignStats s = sim.campaignStats("m");
    assertThat(s.attackRequests()).isEqualTo(attack);
    assertThat(s.requestsSent()).isEqualTo(rs.size());
  }

  @Test
  void reasoningHarvestElicitsChainsOfThoughtJsonAndGrades() {
    Simulation sim = CampaignTestSupport.simulation("1d",
        "  - {id: r, strategy: reasoning-harvest, accounts: 2, passes: 4, params: {rate: 4/min}}\n");
    List<SimRequest> rs = CampaignTestSupport.run(sim, (r, i) -> new SimResult(200, 0, "Step 1: ... answer " + i,
        10, 300));
    List<String> texts = new ArrayList<>();
    rs.forEach(r -> texts.add(String.join("\n", r.messages().stream().map(ChatMessage::content).toList())));
    assertThat(texts).anySatisfy(t -> assertThat(t).containsAnyOf("step by step", "reasoning before"));
    assertThat(texts).anySatisfy(t -> assertThat(t).contains("\"reasoning\""));
    assertThat(texts).anySatisfy(t -> assertThat(t).contains("Candidate answer"));
    // Graders sometimes judge the model's own earlier answers.
    assertThat(texts).anySatisfy(t -> assertThat(t).contains("Step 1: ... answer"));
    assertThat(rs).allSatisfy(r -> assertThat(r.params().maxTokens()).isEqualTo(4096));
  }

  @Test
  void multilingualSweepAsksTheSameProblemInEveryLanguage() {
    Simulation sim = CampaignTestSupport.simulation("3d", "holdout",
        "  - {id: ml, strategy: multilingual-sweep, accounts: 4, params: {rate: 6/min}}\n");
    CampaignActor ml = sim.campaign("ml");
    PromptSet tasks = ml.tasks();
    assertThat(tasks.size()).isEqualTo(8 * 7);
    // Consecutive tasks: one problem in all seven languages.
    Set<String> groups = new HashSet<>();
    Set<String> langs = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      groups.add(tasks.prompt(i).group());
      langs.add(tasks.prompt(i).lang());
    }
    assertThat(groups).hasSize(1);
    assertThat(langs).containsExactlyInAnyOrder("en", "es", "fr", "de", "ru", "ja", "zh");
    List<SimRequest> rs = CampaignTestSupport.run(sim);
    assertThat(rs).hasSize(56);
    assertThat(rs).anySatisfy(r -> assertThat(user(r)).contains("题目"));
  }

  @Test
  void multilingualSweepOverEnglishSetsUsesWrappersAndTranslation() {
    Simulation sim = CampaignTestSupport.simulation("2d",
        "  - {id: ml, strategy: multilingual-sweep, accounts: 2, params: {languages: [es, de, sw], "
            + "translate_share: 0.5}}\n");
    List<SimRequest> rs = CampaignTestSupport.run(sim);
    assertThat(rs).anySatisfy(r -> assertThat(user(r)).contains("Resuelve"));
    assertThat(rs).anySatisfy(r -> assertThat(user(r)).contains("Swahili"));
    assertThat(rs).anySatisfy(r -> assertThat(user(r)).containsPattern("[Tt]ranslate"));
  }

  @Test
  void evasiveParaphrasesHidesInSessionsAndSendsCoverTraffic() {
    Simulation sim = CampaignTestSupport.simulation("4d",
        "  - {id: e, strategy: evasive, accounts: 10, passes: 30, params: {requests_per_day: 30, cover_share: 0.4}}\n");
    List<SimRequest> rs = CampaignTestSupport.run(sim);
    List<SimRequest> attack = rs.stream().filter(SimRequest::attack).toList();
    long cover = rs.size() - attack.size();
    assertThat((double) cover / rs.size()).isBetween(0.25, 0.55);
    // Many distinct openings (paraphrased templates), no single dominant one.
    Map<String, Integer> openings = new HashMap<>();
    attack.forEach(r -> openings.merge(user(r).substring(0, Math.min(12, user(r).length())), 1, Integer::sum));
    assertThat(openings.size()).isGreaterThan(20);
    // Each account uses several residential addresses (one per session) in its own country.
    Map<String, Set<String>> ips = new HashMap<>();
    attack.forEach(r -> ips.computeIfAbsent(r.account().id(), k -> new HashSet<>()).add(r.clientIp()));
    assertThat(ips.values().stream().mapToInt(Set::size).average().orElse(0)).isGreaterThan(3);
    // Human-like gaps: never machine-regular.
    Map<String, List<SimRequest>> per = attack.stream().collect(Collectors.groupingBy(r -> r.account().id()));
    for (List<SimRequest> l : per.values()) {
      Set<Long> gaps = new HashSet<>();
      for (int i = 1; i < l.size(); i++) {
        gaps.add((l.get(i).time().toEpochMilli() - l.get(i - 1).time().toEpochMilli()) / 1000);
      }
      assertThat(gaps.size()).isGreaterThan(l.size() / 2);
    }
  }

  @Test
  void evasiveOperatorsReplaceBlockedAccountsWithinBudget() {
    Simulation sim = CampaignTestSupport.simulation("4d",
        "  - {id: e, strategy: evasive, accounts: 4, replacements: 2, passes: 20, params: {requests_per_day: 40, "
            + "cover_share: 0, replacement_delay: 1h}}\n");
    CampaignTestSupport.run(sim, (r, i) -> new SimResult(403, 0, null, 0, 0));
    CampaignStats s = sim.campaignStats("e");
    assertThat(s.accountsDead()).isEqualTo(6);
    assertThat(s.replacementsUsed()).isEqualTo(2);
    assertThat(s.promptsHarvested()).isZero();
  }
}
