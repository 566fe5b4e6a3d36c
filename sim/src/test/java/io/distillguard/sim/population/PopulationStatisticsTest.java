package io.distillguard.sim.population;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.sim.Actor;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.TraceFit;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statistics of a week of 5,000 ordinary accounts (fixtures; prompt content does not matter here): heavy tail,
 * diurnal and weekly rhythm, burstiness against the Azure trace, attribute sharing.
 */
class PopulationStatisticsTest {
  static final Scenario WEEK = ScenarioLoader.parse("name: stats\nseed: 11\nduration: 7d\n"
      + "population: {accounts: 5000, heavy: {batch_eval: 0, integration: 0, researcher: 0}}\n", "stats");
  static final List<SimRequest> requests = new ArrayList<>();
  static final Map<String, Persona> personas = new HashMap<>();
  static Simulation sim;

  @BeforeAll
  static void run() {
    sim = Simulation.create(WEEK, DataSets.fixtures());
    for (Actor a : sim.actors()) {
      if (a instanceof BenignUser u) {
        personas.put(u.account().id(), u.persona());
      }
    }
    SimResult ok = new SimResult(200, 0, "fine", 1, 1);
    SimRequest r;
    while ((r = sim.next()) != null) {
      requests.add(r);
      sim.report(r, ok);
    }
  }

  @Test
  void activityIsHeavyTailed() {
    Map<String, Integer> per = new HashMap<>();
    for (SimRequest r : requests) {
      per.merge(r.account().id(), 1, Integer::sum);
    }
    List<Integer> counts = new ArrayList<>(per.values());
    counts.sort(Collections.reverseOrder());
    long top1 = counts.subList(0, 50).stream().mapToLong(Integer::longValue).sum();
    double share = (double) top1 / requests.size();
    // Log-normal shape 1.9: the top 1% of accounts send about a third of the traffic.
    assertThat(share).isGreaterThan(0.2).isLessThan(0.5);
    int median = counts.get(counts.size() / 2);
    assertThat(median).isBetween(5, 60); // a few a day
    assertThat(counts.get(0)).isGreaterThan(7 * 1000); // the busiest send thousands a day
  }

  @Test
  void diurnalAndWeeklyRhythmInLocalTime() {
    long[] localHour = new long[24];
    long weekday = 0;
    long weekend = 0;
    for (SimRequest r : requests) {
      Persona p = personas.get(r.account().id());
      int how = Rhythm.hourOfWeek(r.time().toEpochMilli(), p.utcOffsetMinutes);
      localHour[how % 24]++;
      if (p.rhythm == Rhythm.WORK) {
        if (how / 24 >= 5) {
          weekend++;
        } else {
          weekday++;
        }
      }
    }
    long peak = 0;
    long trough = Long.MAX_VALUE;
    for (long c : localHour) {
      peak = Math.max(peak, c);
      trough = Math.min(trough, c);
    }
    assertThat((double) peak / trough).as("local peak/trough").isGreaterThan(4);
    // Work accounts: a weekend day carries well under half of a weekday's traffic.
    assertThat((weekend / 2.0) / (weekday / 5.0)).isLessThan(0.5);
  }

  /**
   * Burstiness against the Azure conversation trace (index of dispersion 1.39, 3.86, 16.1 at 1 s, 10 s, 60 s): in
   * the busiest hour of the week the population's indices fall in the same range; a Poisson stream would give 1.
   */
  @Test
  void burstinessMatchesTheAzureTrace() {
    long start = WEEK.start().toEpochMilli();
    long[] hourly = new long[168];
    for (SimRequest r : requests) {
      hourly[(int) ((r.time().toEpochMilli() - start) / 3_600_000L)]++;
    }
    int busiest = 0;
    for (int h = 0; h < 168; h++) {
      if (hourly[h] > hourly[busiest]) {
        busiest = h;
      }
    }
    long from = start + busiest * 3_600_000L;
    double[] t = requests.stream().mapToLong(r -> r.time().toEpochMilli()).filter(x -> x >= from
        && x < from + 3_600_000L).mapToDouble(x -> x / 1000.0).toArray();
    double[] trace = TraceFit.DEFAULT.idcConv();
    double idc1 = TraceFit.indexOfDispersion(t, 1);
    double idc10 = TraceFit.indexOfDispersion(t, 10);
    double idc60 = TraceFit.indexOfDispersion(t, 60);
    System.out.printf("busiest hour %d: %d requests, IDC 1s %.2f (trace %.2f), 10s %.2f (%.2f), 60s %.2f (%.2f)%n",
        busiest, t.length, idc1, trace[0], idc10, trace[1], idc60, trace[2]);
    assertThat(idc1).isBetween(1.0, 2.5);
    assertThat(idc10).isBetween(trace[1] / 2.5, trace[1] * 2.5);
    assertThat(idc60).isBetween(trace[2] / 3, trace[2] * 3);
  }

  @Test
  void attributesAreSharedTheWayBenignCustomersShareThem() {
    Map<String, Set<String>> byDomain = new HashMap<>();
    Map<String, Set<String>> byCard = new HashMap<>();
    Map<String, Integer> uaCount = new HashMap<>();
    Set<String> tiers = new HashSet<>();
    for (SimAccount a : sim.accounts()) {
      assertThat(a.label()).isEqualTo(Label.BENIGN);
      assertThat(a.id()).matches("acct_[0-9a-f]{16}");
      Map<String, String> at = a.attributes();
      assertThat(at).containsKeys("signup_ip", "email_domain", "country", "tier");
      byDomain.computeIfAbsent(at.get("email_domain"), k -> new HashSet<>()).add(a.id());
      if (at.containsKey("payment_fingerprint")) {
        byCard.computeIfAbsent(at.get("payment_fingerprint"), k -> new HashSet<>()).add(a.id());
      } else {
        assertThat(at.get("tier")).isEqualTo("free");
      }
      tiers.add(at.get("tier"));
    }
    for (SimRequest r : requests) {
      uaCount.merge(r.userAgent(), 1, Integer::sum);
    }
    assertThat(tiers).contains("free", "default", "enterprise");
    // Popular free mail: gmail.com alone is shared by hundreds of unrelated accounts.
    assertThat(byDomain.get("gmail.com").size()).isGreaterThan(500);
    // Company seats share a domain; some teams share one card.
    assertThat(byDomain.values().stream().filter(s -> s.size() >= 10).count()).isGreaterThan(5);
    assertThat(byCard.values().stream().filter(s -> s.size() >= 5).count()).isGreaterThan(5);
    // A handful of popular clients, none dominating.
    assertThat(uaCount.size()).isGreaterThanOrEqualTo(10);
    assertThat(Collections.max(uaCount.values())).isLessThan(requests.size() / 2);
    // Company seats behind one NAT: many accounts share a /24 of client addresses.
    Map<String, Set<String>> bySubnet = new HashMap<>();
    for (SimRequest r : requests) {
      String ip = r.clientIp();
      bySubnet.computeIfAbsent(ip.substring(0, ip.lastIndexOf('.')), k -> new HashSet<>()).add(r.account().id());
    }
    assertThat(bySubnet.values().stream().filter(s -> s.size() >= 10).count()).isGreaterThan(5);
  }

  @Test
  void samplingParametersAndEndpointsLookLikeRealClients() {
    long none = requests.stream().filter(r -> r.params().temperature() == null && r.params().maxTokens() == null
        && r.params().n() == null).count();
    long nMany = requests.stream().filter(r -> r.params().n() != null && r.params().n() > 1).count();
    long streamed = requests.stream().filter(SimRequest::stream).count();
    assertThat((double) none / requests.size()).isBetween(0.45, 0.9);
    assertThat((double) nMany / requests.size()).isGreaterThan(0).isLessThan(0.03);
    assertThat((double) streamed / requests.size()).isBetween(0.15, 0.8);
    assertThat(requests).allSatisfy(r -> assertThat(r.attack()).isFalse());
    assertThat(requests.stream().map(SimRequest::endpoint).distinct()).contains("/v1/chat/completions",
        "/v1/completions");
    assertThat(requests.stream().map(SimRequest::model).distinct()).contains("builtin-large", "builtin-small");
  }
}
