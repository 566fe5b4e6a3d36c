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
  static final Map<String, Persona> personas = new HashMap<>();
  /** Compact per-request columns (the requests themselves are not kept). */
  static long[] times;
  static String[] accountOf;
  static int n;
  static final Map<String, Integer> uaCount = new HashMap<>();
  static final Map<String, Set<String>> accountsBySubnet = new HashMap<>();
  static final Set<String> endpoints = new HashSet<>();
  static final Set<String> models = new HashSet<>();
  static long noParams;
  static long nMany;
  static long streamed;
  static long attack;
  static Simulation sim;

  @BeforeAll
  static void run() {
    sim = Simulation.create(WEEK, DataSets.fixtures());
    for (Actor a : sim.actors()) {
      if (a instanceof BenignUser u) {
        personas.put(u.account().id(), u.persona());
      }
    }
    times = new long[1 << 20];
    accountOf = new String[1 << 20];
    SimResult ok = new SimResult(200, 0, "fine", 1, 1);
    SimRequest r;
    while ((r = sim.next()) != null) {
      if (n == times.length) {
        times = java.util.Arrays.copyOf(times, n * 2);
        accountOf = java.util.Arrays.copyOf(accountOf, n * 2);
      }
      times[n] = r.time().toEpochMilli();
      accountOf[n] = r.account().id();
      n++;
      uaCount.merge(r.userAgent(), 1, Integer::sum);
      String ip = r.clientIp();
      accountsBySubnet.computeIfAbsent(ip.substring(0, ip.lastIndexOf('.')), k -> new HashSet<>())
          .add(r.account().id());
      endpoints.add(r.endpoint());
      models.add(r.model());
      var p = r.params();
      if (p.temperature() == null && p.maxTokens() == null && p.n() == null) {
        noParams++;
      }
      if (p.n() != null && p.n() > 1) {
        nMany++;
      }
      if (r.stream()) {
        streamed++;
      }
      if (r.attack()) {
        attack++;
      }
      sim.report(r, ok);
    }
  }

  @Test
  void activityIsHeavyTailed() {
    Map<String, Integer> per = new HashMap<>();
    for (int i = 0; i < n; i++) {
      per.merge(accountOf[i], 1, Integer::sum);
    }
    List<Integer> counts = new ArrayList<>(per.values());
    counts.sort(Collections.reverseOrder());
    long top1 = counts.subList(0, 50).stream().mapToLong(Integer::longValue).sum();
    double share = (double) top1 / n;
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
    for (int i = 0; i < n; i++) {
      Persona p = personas.get(accountOf[i]);
      int how = Rhythm.hourOfWeek(times[i], p.utcOffsetMinutes);
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
    for (int i = 0; i < n; i++) {
      hourly[(int) ((times[i] - start) / 3_600_000L)]++;
    }
    int busiest = 0;
    for (int h = 0; h < 168; h++) {
      if (hourly[h] > hourly[busiest]) {
        busiest = h;
      }
    }
    long from = start + busiest * 3_600_000L;
    double[] t = java.util.Arrays.stream(times, 0, n).filter(x -> x >= from && x < from + 3_600_000L)
        .mapToDouble(x -> x / 1000.0).toArray();
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
    assertThat(tiers).contains("free", "default", "enterprise");
    // Popular free mail: gmail.com alone is shared by hundreds of unrelated accounts.
    assertThat(byDomain.get("gmail.com").size()).isGreaterThan(500);
    // Company seats share a domain; some teams share one card.
    assertThat(byDomain.values().stream().filter(s -> s.size() >= 10).count()).isGreaterThan(5);
    assertThat(byCard.values().stream().filter(s -> s.size() >= 5).count()).isGreaterThan(5);
    // A handful of popular clients, none dominating.
    assertThat(uaCount.size()).isGreaterThanOrEqualTo(10);
    assertThat(Collections.max(uaCount.values())).isLessThan(n / 2);
    // Company seats behind one NAT: many accounts share a /24 of client addresses.
    assertThat(accountsBySubnet.values().stream().filter(s -> s.size() >= 10).count()).isGreaterThan(5);
  }

  @Test
  void samplingParametersAndEndpointsLookLikeRealClients() {
    assertThat((double) noParams / n).isBetween(0.45, 0.9);
    assertThat((double) nMany / n).isGreaterThan(0).isLessThan(0.03);
    assertThat((double) streamed / n).isBetween(0.15, 0.8);
    assertThat(attack).isZero();
    assertThat(endpoints).contains("/v1/chat/completions", "/v1/completions");
    assertThat(models).contains("builtin-large", "builtin-small");
  }
}
