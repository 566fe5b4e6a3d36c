package io.distillguard.sim.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.population.IpSpace;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HydraTest {
  static final String HYDRA = "  - id: h\n    strategy: hydra\n    accounts: 120\n    replacements: 10\n    passes: 20\n"
      + "    params: {batch_size: 30, batch_interval: 6h, batch_window: 10m, subnets: 3, tick: 15m, "
      + "per_account_per_day: 8, jitter: 3s, shared_payment: 0.5, payment_cards: 2, shared_signup: 0.5}\n";

  @Test
  void shardsAreDisjointAndCoverThePromptSet() {
    Simulation sim = CampaignTestSupport.simulation("3d", HYDRA);
    CampaignActor h = sim.campaign("h");
    BitSet seen = new BitSet();
    int total = 0;
    for (CampaignActor.Op op : h.ops()) {
      BitSet mine = new BitSet();
      for (int task : op.shard()) {
        mine.set(task);
        total++;
      }
      assertThat(mine.intersects(seen)).as("a task in two shards").isFalse();
      seen.or(mine);
    }
    assertThat(total).isEqualTo(20 * h.tasks().size()); // each prompt once per pass
    assertThat(seen.cardinality()).isEqualTo(sim.campaignPromptSetSize("h"));
  }

  @Test
  void addressesRotateWithinTheOperatorsSubnetsAndAccountsFireOnAClock() {
    Simulation sim = CampaignTestSupport.simulation("3d", HYDRA);
    HydraStrategy.Actor h = (HydraStrategy.Actor) sim.campaign("h");
    List<IpSpace.Subnet> subnets = h.subnets();
    assertThat(subnets).hasSize(3);
    List<SimRequest> rs = CampaignTestSupport.run(sim);
    assertThat(rs).isNotEmpty();
    Map<String, Set<String>> ipsPerAccount = new HashMap<>();
    long start = sim.scenario().start().toEpochMilli();
    for (SimRequest r : rs) {
      assertThat(subnets).anySatisfy(s -> assertThat(s.contains(r.clientIp())).isTrue());
      ipsPerAccount.computeIfAbsent(r.account().id(), k -> new HashSet<>()).add(r.clientIp());
      // Synchronized: every request lands within the jitter after a tick of the shared clock.
      long sinceTick = (r.time().toEpochMilli() - start) % h.tickMillis();
      assertThat(sinceTick).isLessThan(3000);
      assertThat(r.attack()).isTrue();
      assertThat(r.account().label()).isEqualTo(new Label(Label.Kind.CAMPAIGN, "h"));
    }
    // Rotation: an account shows up from several addresses.
    assertThat(ipsPerAccount.values().stream().mapToInt(Set::size).average().orElse(0)).isGreaterThan(3);
    // Per-account volume like a median benign account (8 a day).
    Map<String, Integer> perAccount = new HashMap<>();
    rs.forEach(r -> perAccount.merge(r.account().id(), 1, Integer::sum));
    double perDay = perAccount.values().stream().mapToInt(Integer::intValue).max().orElse(0) / 3.0;
    assertThat(perDay).isBetween(4.0, 10.0);
  }

  @Test
  void accountsAreCreatedInBurstsWithSharedCardsAndSignupPatterns() {
    Simulation sim = CampaignTestSupport.simulation("3d", HYDRA);
    CampaignActor h = sim.campaign("h");
    List<SimAccount> accounts = new ArrayList<>();
    h.ops().forEach(op -> accounts.add(op.account));
    assertThat(accounts).hasSize(120);
    long start = sim.scenario().start().toEpochMilli();
    Map<Long, Integer> perBatch = new HashMap<>();
    for (SimAccount a : accounts) {
      long offset = a.createdAt().toEpochMilli() - start;
      long batch = offset / (6 * 3_600_000L);
      assertThat(offset % (6 * 3_600_000L)).isLessThan(10 * 60_000L); // inside the 10-minute window
      perBatch.merge(batch, 1, Integer::sum);
    }
    assertThat(perBatch).hasSize(4).containsValues(30);
    Map<String, Integer> cards = new HashMap<>();
    Map<String, Integer> domains = new HashMap<>();
    for (SimAccount a : accounts) {
      String card = a.attributes().get("payment_fingerprint");
      if (card != null) {
        cards.merge(card, 1, Integer::sum);
      }
      domains.merge(a.attributes().get("email_domain"), 1, Integer::sum);
    }
    // Some share one of two cards, the rest are fresh.
    assertThat(cards.values().stream().filter(c -> c >= 10).count()).isEqualTo(2);
    assertThat(cards.values().stream().filter(c -> c == 1).count()).isGreaterThan(10);
    // Half sign up with one throwaway domain.
    assertThat(domains.values().stream().mapToInt(Integer::intValue).max().orElse(0)).isBetween(40, 80);
  }

  @Test
  void deadAccountsAreReplacedAndTheReplacementTakesTheSlice() {
    Simulation sim = CampaignTestSupport.simulation("3d", HYDRA);
    CampaignActor h = sim.campaign("h");
    Set<String> blocked = new HashSet<>();
    List<SimRequest> rs = CampaignTestSupport.run(sim, (r, i) -> {
      // Block the first 15 accounts that show up.
      if (blocked.contains(r.account().id()) || (blocked.size() < 15 && blocked.add(r.account().id()))) {
        return new SimResult(403, 0, null, 0, 0);
      }
      return CampaignTestSupport.OK;
    });
    Map<String, Long> lastSeen = new HashMap<>();
    Map<String, Integer> after = new HashMap<>();
    for (SimRequest r : rs) {
      if (blocked.contains(r.account().id())) {
        after.merge(r.account().id(), 1, Integer::sum);
      }
      lastSeen.put(r.account().id(), r.time().toEpochMilli());
    }
    // A blocked account sends nothing after its first refusal.
    assertThat(after.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
    CampaignStats stats = sim.campaignStats("h");
    assertThat(stats.accountsDead()).isEqualTo(15);
    assertThat(stats.replacementsUsed()).isEqualTo(10); // the budget
    assertThat(stats.accountsOpened()).isEqualTo(130);
    // Replacements carry on the dead accounts' slices: they send requests.
    List<CampaignActor.Op> ops = h.ops();
    for (CampaignActor.Op op : ops.subList(120, 130)) {
      assertThat(lastSeen).containsKey(op.account.id());
    }
  }
}
