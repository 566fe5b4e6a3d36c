package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.RiskLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinkageEngineTest {
  private static final String TEMPLATE = "Complete the following task as well as you can.\n\n";

  /** A simulated three days: a 60-account hydra among individuals, company seats and hourly cron jobs. */
  static final class World {
    final Traffic t = new Traffic();
    final List<Exchange> events = new ArrayList<>();
    final Map<String, Map<String, String>> attributes = new HashMap<>();
    final Map<String, Instant> created = new HashMap<>();
    final Set<String> hydra = new HashSet<>();
    final Set<String> companies = new HashSet<>();
    final Set<String> individuals = new HashSet<>();
    final String[] operatorSubnets = {"185.12.7.", "185.44.90.", "91.3.15.", "46.201.8."};
    final String[] cards = {"card_a", "card_b", "card_c"};
    int prompt;

    World() {
      SplittableRandom r = new SplittableRandom(7);
      for (int i = 0; i < 60; i++) {
        hydraAccount("hydra-" + i, i, T(i < 30 ? 1 : 7, 0).plusSeconds(r.nextInt(600)), r, Duration.ofDays(3));
      }
      for (int i = 0; i < 400; i++) {
        String id = "person-" + i;
        individuals.add(id);
        String ip = (60 + r.nextInt(40)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
        String ua = r.nextDouble() < 0.4 ? Traffic.POPULAR_UA : r.nextBoolean() ? "OpenAI/JS 4.73.0"
            : "Mozilla/5.0 Chrome/131.0";
        boolean system = r.nextDouble() < 0.15;
        register(id, Traffic.attrs(r.nextDouble() < 0.5 ? null : "card_p" + i, ip, "gmail.com"),
            Traffic.T0.minus(Duration.ofDays(1 + r.nextInt(500))));
        int n = 1 + r.nextInt(20);
        for (int k = 0; k < n; k++) {
          Instant at = Traffic.T0.plusSeconds(r.nextInt(3 * 86_400));
          events.add(t.exchange(id, at, ip, ua, system ? Traffic.POPULAR_SYSTEM : null,
              Traffic.sentence(r, 4 + r.nextInt(12)) + "?"));
        }
      }
      for (int o = 0; o < 3; o++) {
        String nat = "120." + o + ".5.";
        String card = o < 2 ? "card_team" + o : null;
        for (int s = 0; s < 20; s++) {
          String id = "seat-" + o + "-" + s;
          companies.add(id);
          String ua = r.nextDouble() < 0.7 ? Traffic.POPULAR_UA : "OpenAI/JS 4.73.0";
          register(id, Traffic.attrs(card != null ? card : "card_s" + o + s, nat + 10, "corp" + o + ".example"),
              Traffic.T0.minus(Duration.ofDays(10 + r.nextInt(300))));
          int n = 3 + r.nextInt(30);
          for (int k = 0; k < n; k++) {
            Instant at = Traffic.T0.plusSeconds(r.nextInt(3 * 86_400));
            events.add(t.exchange(id, at, nat + (10 + r.nextInt(2)), ua, null,
                Traffic.sentence(r, 5 + r.nextInt(10))));
          }
        }
      }
      for (int c = 0; c < 5; c++) {
        String id = "cron-" + c;
        individuals.add(id);
        String ip = "77." + c + ".1.2";
        register(id, Traffic.attrs("card_cron" + c, ip, "gmail.com"), Traffic.T0.minus(Duration.ofDays(40)));
        for (int h = 0; h < 72; h++) {
          events.add(t.exchange(id, Traffic.T0.plusSeconds(h * 3600L + r.nextInt(3)), ip, Traffic.POPULAR_UA,
              null, "Summarize the news about " + Traffic.sentence(r, 3)));
        }
      }
      events.sort(Comparator.comparing(Exchange::eventTime).thenComparing(Exchange::id));
    }

    void hydraAccount(String id, int index, Instant createdAt, SplittableRandom r, Duration until) {
      hydra.add(id);
      boolean sloppy = r.nextBoolean();
      String card = r.nextDouble() < 0.4 ? cards[r.nextInt(cards.length)] : "card_h" + id;
      String signup = sloppy ? operatorSubnets[r.nextInt(4)] + (1 + r.nextInt(254))
          : (60 + r.nextInt(40)) + "." + r.nextInt(256) + ".1.1";
      register(id, Traffic.attrs(card, signup, sloppy ? "mailq1x.xyz" : "gmail.com"), createdAt);
      String ua = sloppy ? "python-httpx/0.27.2" : Traffic.POPULAR_UA;
      long tick = 900;
      int period = 12; // every 3 hours
      long first = createdAt.getEpochSecond() + 300 + r.nextInt(3300);
      long k = Math.floorDiv(first - Traffic.T0.getEpochSecond(), tick) + 1;
      long end = Traffic.T0.plus(until).getEpochSecond();
      while (true) {
        long rr = Math.floorMod(k + index % period, period);
        if (rr != 0) {
          k += period - rr;
        }
        long at = Traffic.T0.getEpochSecond() + k * tick + r.nextInt(3);
        if (at >= end) {
          break;
        }
        String ip = operatorSubnets[r.nextInt(4)] + (1 + r.nextInt(254));
        events.add(t.exchange(id, Instant.ofEpochSecond(at), ip, ua, null,
            TEMPLATE + "Task " + (prompt++) + ": " + Traffic.sentence(r, 8)));
        k++;
      }
    }

    void register(String id, Map<String, String> attrs, Instant createdAt) {
      attributes.put(id, attrs);
      created.put(id, createdAt);
    }

    static Instant T(int hours, int minutes) {
      return Traffic.T0.plus(Duration.ofHours(hours).plusMinutes(minutes));
    }
  }

  /** Feeds a world in time order, registering accounts at sign-up and recomputing hourly. */
  static final class Run {
    final LinkageEngine engine;
    final Map<String, RiskLevel> levels = new HashMap<>();
    final List<String> hydraIds = new ArrayList<>();
    Instant nextRecompute = Traffic.T0.plus(Duration.ofHours(1));
    final Set<String> known = new HashSet<>();

    Run() {
      this(LinkageConfig.defaults());
    }

    Run(LinkageConfig config) {
      engine = new LinkageEngine(config, null);
    }

    void play(World w) {
      for (Exchange e : w.events) {
        while (!e.eventTime().isBefore(nextRecompute)) {
          apply(engine.recompute(nextRecompute));
          String c = engine.clusterOf("hydra-0");
          if (c != null && (hydraIds.isEmpty() || !hydraIds.get(hydraIds.size() - 1).equals(c))) {
            hydraIds.add(c);
          }
          nextRecompute = nextRecompute.plus(Duration.ofHours(1));
        }
        if (known.add(e.accountId())) {
          apply(engine.account(e.accountId(), w.attributes.get(e.accountId()), w.created.get(e.accountId())));
        }
        apply(engine.accept(e));
      }
      apply(engine.recompute(nextRecompute));
    }

    void apply(List<LinkageAction> actions) {
      for (LinkageAction a : actions) {
        levels.merge(a.accountId(), a.level(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
      }
    }
  }

  @Test
  void linksTheHydraAndBlocksItWithoutTouchingBenignSharing() {
    World w = new World();
    Run run = new Run();
    run.play(w);
    LinkageEngine engine = run.engine;

    String hydraCluster = engine.clusterOf("hydra-0");
    assertThat(hydraCluster).isNotNull();
    long linked = w.hydra.stream().filter(a -> hydraCluster.equals(engine.clusterOf(a))).count();
    assertThat(linked).as("hydra accounts in the hydra's cluster").isGreaterThanOrEqualTo(57);
    ClusterView c = engine.cluster(hydraCluster);
    assertThat(c.level()).isEqualTo(RiskLevel.BLOCK);
    assertThat(c.risk().reasons()).extracting(r -> r.signal()).contains(ClusterScorer.SHARDS, ClusterScorer.SYNC);
    assertThat(c.members()).allMatch(w.hydra::contains);
    assertThat(run.hydraIds).as("the hydra's cluster keeps its id").hasSize(1);

    for (ClusterView v : engine.clusters()) {
      if (!v.id().equals(hydraCluster)) {
        assertThat(v.level()).as("benign cluster " + v.members()).isLessThan(RiskLevel.WATCH);
        long people = v.members().stream().filter(w.individuals::contains).count();
        assertThat(people).as("individuals linked by a popular client, system prompt or clock: " + v.members())
            .isZero();
      }
    }
    for (String a : w.individuals) {
      assertThat(run.levels.getOrDefault(a, RiskLevel.NONE)).as(a).isEqualTo(RiskLevel.NONE);
    }
    for (String a : w.companies) {
      assertThat(run.levels.getOrDefault(a, RiskLevel.NONE)).as(a).isEqualTo(RiskLevel.NONE);
    }

    List<Edge> edges = engine.edges(hydraCluster, 5);
    assertThat(edges).isNotEmpty();
    assertThat(edges.get(0).confident()).isTrue();
    assertThat(edges.get(0).families()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(edges.get(0).summary()).contains("shared");
  }

  @Test
  void anAccountThatJoinsLaterGetsTheClustersLevelOnItsFirstRequests() {
    World w = new World();
    Run run = new Run();
    run.play(w);
    String cluster = run.engine.clusterOf("hydra-0");
    // A replacement account, opened after the block, signs up from a residential address with a fresh card.
    Instant created = Traffic.T0.plus(Duration.ofDays(3)).plusSeconds(60);
    List<LinkageAction> atSignup = run.engine.account("hydra-late", Traffic.attrs("card_late", "99.1.1.1",
        "gmail.com"), created);
    assertThat(atSignup).isEmpty();
    Instant tick = Traffic.T0.plus(Duration.ofDays(3)).plus(Duration.ofMinutes(15));
    List<LinkageAction> first = run.engine.accept(w.t.exchange("hydra-late", tick.plusSeconds(1), "185.12.7.9",
        Traffic.POPULAR_UA, null, TEMPLATE + "Task 999999: a brand new slice of the prompt set"));
    assertThat(first).singleElement().satisfies(a -> {
      assertThat(a.clusterId()).isEqualTo(cluster);
      assertThat(a.level()).isEqualTo(RiskLevel.BLOCK);
      assertThat(a.joined()).isTrue();
    });
    assertThat(run.engine.clusterOf("hydra-late")).isEqualTo(cluster);
  }

  @Test
  void aSloppySignupIsCaughtBeforeItsFirstRequest() {
    World w = new World();
    Run run = new Run();
    run.play(w);
    Instant created = Traffic.T0.plus(Duration.ofDays(3)).plusSeconds(60);
    List<LinkageAction> atSignup = run.engine.account("hydra-sloppy", Traffic.attrs("card_a", "185.44.90.77",
        "mailq1x.xyz"), created);
    assertThat(atSignup).singleElement().satisfies(a -> assertThat(a.level()).isEqualTo(RiskLevel.BLOCK));
  }

  @Test
  void analystRulingsHoldAcrossRecomputations() {
    World w = new World();
    Run run = new Run();
    run.play(w);
    String cluster = run.engine.clusterOf("hydra-0");
    List<LinkageAction> ruled = run.engine.rule(cluster, RiskLevel.WATCH, Traffic.T0.plus(Duration.ofDays(4)));
    assertThat(ruled).hasSize(run.engine.cluster(cluster).size()).allMatch(a -> a.level() == RiskLevel.WATCH);
    List<LinkageAction> again = run.engine.recompute(Traffic.T0.plus(Duration.ofDays(4)).plusSeconds(60));
    assertThat(again).noneMatch(a -> a.level().compareTo(RiskLevel.WATCH) > 0);
    assertThat(run.engine.cluster(cluster).level()).isEqualTo(RiskLevel.WATCH);
    assertThat(run.engine.cluster(cluster).ruled()).isTrue();
    assertThatThrownBy(() -> run.engine.rule("cl_nope", RiskLevel.BLOCK, Traffic.T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pairsScoredOnTwoThreadsGiveTheSameClusters() {
    World w = new World();
    Run one = new Run();
    one.play(w);
    Run two = new Run(LinkageConfig.defaults().withThreads(2));
    two.engine.parallelFrom(1);
    two.play(w);
    assertThat(two.engine.clusters()).hasSameSizeAs(one.engine.clusters());
    for (ClusterView v : one.engine.clusters()) {
      assertThat(two.engine.cluster(v.id())).as(v.id()).isNotNull();
      assertThat(two.engine.cluster(v.id()).members()).containsExactlyElementsOf(v.members());
      assertThat(two.engine.cluster(v.id()).level()).isEqualTo(v.level());
    }
    assertThat(two.levels).isEqualTo(one.levels);
  }

  @Test
  void aRestoredRulingHoldsWhenItsClusterFormsAgain() {
    World w = new World();
    Run first = new Run();
    first.play(w);
    String id = first.engine.clusterOf("hydra-0");

    Run again = new Run();
    again.engine.restoreRuling(id, RiskLevel.WATCH);
    again.play(w);
    assertThat(again.engine.clusterOf("hydra-0")).isEqualTo(id);
    assertThat(again.engine.cluster(id).level()).isEqualTo(RiskLevel.WATCH);
    assertThat(again.engine.cluster(id).ruled()).isTrue();
    assertThat(again.levels.getOrDefault("hydra-0", RiskLevel.NONE)).isLessThanOrEqualTo(RiskLevel.WATCH);
  }

  @Test
  void aRestoredClusterIsListedAtOnceAndKeepsItsIdWhenItsMembersClusterAgain() {
    World w = new World();
    Run first = new Run();
    first.play(w);
    ClusterView before = first.engine.cluster(first.engine.clusterOf("hydra-0"));

    // An id the sign-up rule would not give: one carried over from an earlier recomputation before the restart.
    Run again = new Run();
    Instant formed = Traffic.T0.plus(Duration.ofHours(3));
    again.engine.restoreCluster("cl_carried", before.members(), formed, RiskLevel.BLOCK, 0.9, RiskLevel.THROTTLE);
    again.engine.restoreCluster("cl_carried", List.of("someone-else"), formed, RiskLevel.NONE, 0, null);
    ClusterView restored = again.engine.cluster("cl_carried");
    assertThat(restored.members()).containsExactlyElementsOf(before.members());
    assertThat(restored.level()).as("the ruling caps it").isEqualTo(RiskLevel.THROTTLE);
    assertThat(restored.ruled()).isTrue();
    assertThat(restored.formedAt()).isEqualTo(formed);
    assertThat(again.engine.clusterOf("hydra-0")).isEqualTo("cl_carried");

    again.play(w);
    assertThat(again.engine.clusterOf("hydra-0")).isEqualTo("cl_carried");
    ClusterView after = again.engine.cluster("cl_carried");
    assertThat(after.members()).containsAll(before.members());
    assertThat(after.level()).isEqualTo(RiskLevel.THROTTLE);
    assertThat(after.formedAt()).isEqualTo(formed);
    assertThat(again.levels.getOrDefault("hydra-0", RiskLevel.NONE)).isLessThanOrEqualTo(RiskLevel.THROTTLE);
  }

  @Test
  void aPopularClientAndAPopularSystemPromptDoNotLinkOnTheirOwn() {
    LinkageEngine engine = new LinkageEngine(LinkageConfig.defaults(), null);
    Traffic t = new Traffic();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 200; i++) {
      String ip = "10." + i + "." + r.nextInt(256) + ".4";
      for (int k = 0; k < 5; k++) {
        engine.accept(t.exchange("p" + i, Traffic.T0.plusSeconds(r.nextInt(86_400)), ip, Traffic.POPULAR_UA,
            Traffic.POPULAR_SYSTEM, Traffic.sentence(r, 6)));
      }
    }
    engine.recompute(Traffic.T0.plus(Duration.ofDays(1)));
    assertThat(engine.clusters()).isEmpty();
    Edge e = engine.edge("p1", "p2");
    assertThat(e.confident()).isFalse();
  }

  @Test
  void memoryPerAccountIsBounded() {
    LinkageEngine engine = new LinkageEngine(LinkageConfig.defaults(), null);
    Traffic t = new Traffic();
    SplittableRandom r = new SplittableRandom(5);
    for (int k = 0; k < 20_000; k++) {
      String ip = r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + ".1";
      engine.accept(t.exchange("busy", Traffic.T0.plusSeconds(k * 7L), ip, "ua-" + r.nextInt(1000),
          "system " + r.nextInt(1000), "prompt " + Traffic.sentence(r, 6)));
    }
    assertThat(engine.keyCount()).isLessThanOrEqualTo(AccountProfile.MAX_KEYS);
    assertThat(engine.accountCount()).isEqualTo(1);
  }
}
