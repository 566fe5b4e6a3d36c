package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.RiskLevel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterTies}: the request-path check that gives a blocked campaign's new account the cluster's level on its
 * sign-up and first request, before linkage has seen enough of it for an edge, and leaves benign sharing alone.
 */
class ClusterTiesTest {
  private static final String TEMPLATE = "Complete the following task as well as you can.\n\n";
  private static final Instant LATER = Traffic.T0.plus(Duration.ofDays(3)).plusSeconds(60);
  private static final Instant TICK = Traffic.T0.plus(Duration.ofDays(3)).plus(Duration.ofMinutes(15));

  static LinkageEngineTest.Run played() {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageEngineTest.Run run = new LinkageEngineTest.Run();
    run.play(w);
    return run;
  }

  /** A request on the campaign's clock (a second past its tick). */
  static Exchange request(String account, String ip, String ua, String system, String prompt) {
    return at(TICK.plusSeconds(1), account, ip, ua, system, prompt);
  }

  static Exchange at(Instant when, String account, String ip, String ua, String system, String prompt) {
    return new Traffic().exchange(account, when, ip, ua, system, prompt);
  }

  @Test
  void aNewcomerOnTheCampaignsSubnetWithItsTemplateIsTiedBeforeItsFirstAnswer() {
    LinkageEngineTest.Run run = played();
    String cluster = run.engine.clusterOf("hydra-0");
    assertThat(run.engine.cluster(cluster).level()).isEqualTo(RiskLevel.BLOCK);
    ClusterTies ties = run.engine.ties();
    assertThat(ties.size()).isPositive();

    // A fresh card, a home address at sign-up, a free-mail domain: nothing links it at sign-up.
    Map<String, String> attrs = Traffic.attrs("card_new", "99.1.1.1", "gmail.com");
    ClusterTies.Tie tie = ties.match(attrs, LATER, request("hydra-new", "185.12.7.9", Traffic.POPULAR_UA, null,
        TEMPLATE + "Task 999999: a brand new slice of the prompt set"));
    assertThat(tie).isNotNull();
    assertThat(tie.clusterId()).isEqualTo(cluster);
    assertThat(tie.level()).isEqualTo(RiskLevel.BLOCK);
    assertThat(tie.familyList()).contains(Family.NETWORK, Family.CONTENT);

    // Linkage, folding the (refused) exchange in, makes the same check and joins it for good.
    assertThat(run.engine.account("hydra-new", attrs, LATER)).isEmpty();
    List<LinkageAction> joined = run.engine.accept(request("hydra-new", "185.12.7.9", Traffic.POPULAR_UA, null,
        TEMPLATE + "Task 999999: a brand new slice of the prompt set"));
    assertThat(joined).singleElement().satisfies(a -> {
      assertThat(a.clusterId()).isEqualTo(cluster);
      assertThat(a.level()).isEqualTo(RiskLevel.BLOCK);
      assertThat(a.joined()).isTrue();
    });
    // Refused from its first request, it never sends the traffic an edge needs; it stays a member all the same.
    run.engine.recompute(TICK.plus(Duration.ofHours(1)));
    run.engine.recompute(TICK.plus(Duration.ofHours(2)));
    assertThat(run.engine.clusterOf("hydra-new")).isEqualTo(cluster);
  }

  @Test
  void anAnalystClearingTheClusterEndsTheTies() {
    LinkageEngineTest.Run run = played();
    String cluster = run.engine.clusterOf("hydra-0");
    Map<String, String> attrs = Traffic.attrs("card_new", "99.1.1.1", "gmail.com");
    run.engine.account("hydra-new", attrs, LATER);
    assertThat(run.engine.accept(request("hydra-new", "185.12.7.9", Traffic.POPULAR_UA, null,
        TEMPLATE + "Task 999999: a brand new slice of the prompt set"))).isNotEmpty();
    run.engine.recompute(TICK.plus(Duration.ofHours(1)));
    assertThat(run.engine.clusterOf("hydra-new")).isEqualTo(cluster);
    // Cleared (a licensed partner, say): every member, the newcomer too, is set to none, recomputations do not raise
    // the cluster again, and a new account on the cluster's subnet with its template is no longer tied.
    List<LinkageAction> cleared = run.engine.rule(cluster, RiskLevel.NONE, TICK.plus(Duration.ofHours(2)));
    assertThat(cleared).anySatisfy(a -> assertThat(a.accountId()).isEqualTo("hydra-new"))
        .allSatisfy(a -> assertThat(a.level()).isEqualTo(RiskLevel.NONE));
    run.engine.recompute(TICK.plus(Duration.ofHours(3)));
    assertThat(run.engine.cluster(cluster).level()).isEqualTo(RiskLevel.NONE);
    assertThat(run.engine.ties().match(attrs, LATER, request("hydra-newer", "185.12.7.9", Traffic.POPULAR_UA, null,
        TEMPLATE + "Task 999998: another slice"))).isNull();
  }

  @Test
  void oneFamilyAloneDoesNotTie() {
    ClusterTies ties = played().engine.ties();
    Map<String, String> attrs = Traffic.attrs("card_new", "99.1.1.1", "gmail.com");
    // The campaign's subnet, but a prompt of its own, off the campaign's clock.
    Instant offTick = TICK.plusSeconds(7 * 60 + 31);
    assertThat(ties.match(attrs, LATER, at(offTick, "x1", "185.12.7.9", "Mozilla/5.0 Chrome/131.0", null,
        "what is the tallest mountain in europe"))).isNull();
    // On its clock, though, the subnet and the clock are two families: a stranger's request falls in that 10-second
    // window of the 15-minute lattice one time in 90, and strangers are not in the campaign's rented subnets.
    assertThat(ties.match(attrs, LATER, request("x1", "185.12.7.9", "Mozilla/5.0 Chrome/131.0", null,
        "what is the tallest mountain in europe"))).isNotNull()
        .satisfies(t -> assertThat(t.familyList()).containsExactly(Family.NETWORK, Family.TIMING));
    // The campaign's template from a home address, on its clock: no anchor.
    assertThat(ties.match(attrs, LATER, request("x2", "99.1.1.2", Traffic.POPULAR_UA, null,
        TEMPLATE + "Task 999998: another slice"))).isNull();
  }

  @Test
  void benignSharingDoesNotTie() {
    ClusterTies ties = played().engine.ties();
    // A new seat behind a company NAT, with the popular SDK and the popular public system prompt.
    assertThat(ties.match(Traffic.attrs("card_team0", "120.0.5.10", "corp0.example"), LATER,
        request("seat-new", "120.0.5.10", Traffic.POPULAR_UA, Traffic.POPULAR_SYSTEM,
            "Summarize the quarterly report for the board"))).isNull();
    // A new individual who signs up with the campaign's free-mail domain in its sign-up half hour.
    assertThat(ties.match(Traffic.attrs(null, "61.2.3.4", "gmail.com"), LATER,
        request("person-new", "61.2.3.4", Traffic.POPULAR_UA, null, TEMPLATE + "Task 1: my own homework"))).isNull();
  }

  @Test
  void hostileOrMissingInputTiesNothingAndThrowsNothing() {
    ClusterTies ties = played().engine.ties();
    java.util.HashMap<String, String> odd = new java.util.HashMap<>();
    odd.put("payment_fingerprint", "");
    odd.put("signup_ip", "999.1.1.1\u0000<script>");
    odd.put("email_domain", "\u202egmail.com");
    for (String ip : new String[] {null, "", "not an ip", "185.12.7", "185.12.7.9.1", "::ffff:zz", "[::1]:80",
        "185.12.7.9 , 10.0.0.1"}) {
      for (Map<String, String> attrs : java.util.Arrays.asList(null, Map.<String, String>of(), odd)) {
        Exchange r = new Exchange("x", TICK, "odd", null, ip, null, null, "/v1/chat/completions", "m", null, false,
            null, null, null, 0, null, 0, 0, 0, 0, io.distillguard.core.Outcome.OK, null, 0, 0, 0);
        assertThat(ties.match(attrs, null, r)).as(ip + " " + attrs).isNull();
      }
    }
    // A huge prompt from one of the campaign's subnets is read up to the features' bound, and still ties.
    Exchange huge = request("huge", "185.12.7.9", Traffic.POPULAR_UA, null, TEMPLATE + "x ".repeat(500_000));
    assertThat(ties.match(Traffic.attrs("card_new", "99.1.1.1", "gmail.com"), LATER, huge)).isNotNull();
  }

  @Test
  void nothingTiesWhileNoClusterIsActedOn() {
    LinkageEngineTest.Run run = played();
    String cluster = run.engine.clusterOf("hydra-0");
    run.engine.rule(cluster, RiskLevel.WATCH, LATER);
    ClusterTies ties = run.engine.ties();
    assertThat(ties.size()).isZero();
    assertThat(ties.match(Traffic.attrs("card_a", "185.44.90.77", "mailq1x.xyz"), LATER,
        request("hydra-new", "185.12.7.9", Traffic.POPULAR_UA, null, TEMPLATE + "Task 999999: x"))).isNull();
    assertThat(new LinkageEngine(LinkageConfig.defaults(), null).ties()).isSameAs(ClusterTies.EMPTY);
  }

  @Test
  void onlyAccountsYoungerThanAWeekAreChecked() {
    assertThat(ClusterTies.young(LATER.toEpochMilli(), LATER.plus(Duration.ofDays(6)).toEpochMilli())).isTrue();
    assertThat(ClusterTies.young(LATER.toEpochMilli(), LATER.plus(Duration.ofDays(8)).toEpochMilli())).isFalse();
    assertThat(ClusterTies.young(Long.MIN_VALUE, LATER.toEpochMilli())).isTrue();

  }

  @Test
  void survivesACheckpoint() throws Exception {
    LinkageEngineTest.Run run = played();
    ClusterTies before = run.engine.ties();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(b)) {
      run.engine.writeState(out);
    }
    LinkageEngine back = LinkageEngine.readState(new DataInputStream(new ByteArrayInputStream(b.toByteArray())),
        LinkageConfig.defaults(), null);
    ClusterTies after = back.ties();
    assertThat(after.size()).isEqualTo(before.size());
    Exchange r = request("hydra-new", "185.12.7.9", Traffic.POPULAR_UA, null, TEMPLATE + "Task 999999: x");
    Map<String, String> attrs = Traffic.attrs("card_new", "99.1.1.1", "gmail.com");
    assertThat(after.match(attrs, LATER, r)).isEqualTo(before.match(attrs, LATER, r));
  }

  /** Two clusters holding keys of the accounts' subnet and template: one operator's. */
  @Test
  void clustersSharingAnAnchorAndAnotherFamilyAreOneOperators() {
    assertThat(pairs(true)).singleElement().satisfies(p -> assertThat(p).containsExactly("cl_small", "cl_big"));
    // A template and a clock in common, but subnets of their own: two campaigns.
    assertThat(pairs(false)).isEmpty();
  }

  private static List<String[]> pairs(boolean sharedSubnet) {
    LinkageConfig config = LinkageConfig.defaults();
    KeyIndex index = new KeyIndex(config);
    List<AccountProfile> profiles = new java.util.ArrayList<>();
    int[] big = new int[6];
    int[] small = new int[4];
    long template = Keys.of(Keys.TEMPLATE, 42);
    long clock = Keys.of(Keys.TIMING, 1);
    int[] out = new int[64];
    for (int i = 0; i < 10; i++) {
      AccountProfile p = new AccountProfile(i, "a" + i);
      p.cluster = i < 6 ? "cl_big" : "cl_small";
      p.firstSeen = Traffic.T0.toEpochMilli();
      profiles.add(p);
      long subnet = Keys.of(Keys.SUBNET, sharedSubnet || i < 6 ? 7 : 8);
      for (long k : new long[] {subnet, template, clock}) {
        p.fileUnder(k);
        index.file(k, i, out);
      }
      if (i < 6) {
        big[i] = i;
      } else {
        small[i - 6] = i;
      }
    }
    Map<String, int[]> acted = new java.util.LinkedHashMap<>();
    acted.put("cl_big", big);
    acted.put("cl_small", small);
    ClusterTies ties = ClusterTies.build(acted, Map.of("cl_big", RiskLevel.BLOCK, "cl_small", RiskLevel.BLOCK),
        index, profiles::get, Traffic.T0.toEpochMilli(), config.recent() + config.sampled());
    return ties.sameOperator(id -> id.equals("cl_big") ? 6 : 4);
  }
}
