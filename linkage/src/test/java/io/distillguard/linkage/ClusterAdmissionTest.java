package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.detect.RiskLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The request-path check: a new account is matched against acted-on clusters' keys by the rules of a confident edge,
 * and ordinary sharing (a NAT, a popular client) is not enough.
 */
class ClusterAdmissionTest {
  static LinkageEngineTest.Run run;
  static String hydra;
  static final Instant CREATED = Traffic.T0.plus(Duration.ofDays(3)).plusSeconds(60);
  /** On the hydra's clock: one second past a 15-minute tick. */
  static final Instant ON_CLOCK = Traffic.T0.plus(Duration.ofDays(3)).plus(Duration.ofMinutes(15)).plusSeconds(1);
  /** Off it: seven minutes past. */
  static final Instant OFF_CLOCK = ON_CLOCK.plusSeconds(420);

  @BeforeAll
  static void play() {
    run = new LinkageEngineTest.Run();
    run.play(new LinkageEngineTest.World());
    hydra = run.engine.clusterOf("hydra-0");
    assertThat(run.engine.cluster(hydra).level()).isEqualTo(RiskLevel.BLOCK);
  }

  private static ClusterAdmission.Match match(ClusterAdmission index, String card, String signupIp, String domain,
      String ip, String ua, Instant at) {
    return index.match(Traffic.attrs(card, signupIp, domain), CREATED, ip, ua, "fp-" + ua.hashCode(), at);
  }

  @Test
  void aNewAccountWithTheClustersCardAndSubnetGetsItsLevel() {
    ClusterAdmission index = run.engine.admission();
    assertThat(index.size()).isPositive();
    ClusterAdmission.Match m = match(index, "card_a", "99.1.1.1", "gmail.com", "185.12.7.200",
        Traffic.POPULAR_UA, OFF_CLOCK);
    assertThat(m).isNotNull();
    assertThat(m.clusterId()).isEqualTo(hydra);
    assertThat(m.level()).isEqualTo(RiskLevel.BLOCK);
    assertThat(m.families()).containsExactlyInAnyOrder(Family.IDENTITY, Family.NETWORK);
  }

  @Test
  void aSloppySignupMatchesOnItsSignupSubnetAndClient() {
    ClusterAdmission.Match m = match(run.engine.admission(), "card_fresh", "185.44.90.7", "mailq1x.xyz",
        "91.3.15.40", "python-httpx/0.27.2", OFF_CLOCK);
    assertThat(m).isNotNull();
    assertThat(m.families()).contains(Family.NETWORK, Family.CLIENT);
  }

  @Test
  void theClustersSubnetAndClockMatchButNeitherAlone() {
    ClusterAdmission index = run.engine.admission();
    assertThat(match(index, "card_own", "99.1.1.1", "gmail.com", "185.12.7.9", Traffic.POPULAR_UA, ON_CLOCK))
        .isNotNull()
        .satisfies(m -> assertThat(m.families()).containsExactlyInAnyOrder(Family.NETWORK, Family.TIMING));
    assertThat(match(index, "card_own", "99.1.1.1", "gmail.com", "185.12.7.9", Traffic.POPULAR_UA, OFF_CLOCK))
        .as("the subnet alone, with a popular client").isNull();
    assertThat(match(index, "card_own", "99.1.1.1", "gmail.com", "99.1.1.1", "python-httpx/0.27.2", ON_CLOCK))
        .as("client and clock without an identity or network anchor").isNull();
  }

  @Test
  void aPopularClientIsDiscountedToNothing() {
    ClusterAdmission index = run.engine.admission();
    // The hydra's quieter half uses the most popular SDK: were it counted, subnet (0.5) + client (0.6) would match.
    assertThat(match(index, "card_own", "99.1.1.1", "gmail.com", "46.201.8.5", Traffic.POPULAR_UA, OFF_CLOCK))
        .isNull();
    assertThat(match(index, null, null, null, "99.1.1.1", Traffic.POPULAR_UA, ON_CLOCK)).isNull();
  }

  @Test
  void aCompanyNatAloneNeverMatchesEvenWhenItsClusterIsBlocked() {
    String company = run.engine.clusterOf("seat-1-0");
    assertThat(company).as("company 1's seats share a NAT and a team card").isNotNull();
    run.engine.rule(company, RiskLevel.BLOCK, CREATED);
    try {
      ClusterAdmission index = run.engine.admission();
      // Another customer behind the same NAT (a shared office, a carrier NAT): own card, own domain, off the clock.
      assertThat(match(index, "card_other", "120.1.5.10", "gmail.com", "120.1.5.11", "Mozilla/5.0 Chrome/131.0",
          OFF_CLOCK)).isNull();
      assertThat(match(index, "card_other", "120.1.5.10", "gmail.com", "120.1.5.11", Traffic.POPULAR_UA,
          OFF_CLOCK)).isNull();
      // A new seat on the company's card behind its NAT is the company, by the rules of an edge.
      assertThat(match(index, "card_team1", "120.1.5.10", "corp1.example", "120.1.5.11", Traffic.POPULAR_UA,
          OFF_CLOCK)).isNotNull().satisfies(m -> assertThat(m.clusterId()).isEqualTo(company));
    } finally {
      run.engine.rule(company, RiskLevel.NONE, CREATED);
    }
  }

  @Test
  void nothingActedOnMeansNothingMatches() {
    assertThat(ClusterAdmission.EMPTY.match(Traffic.attrs("card_a", "185.12.7.1", "mailq1x.xyz"), CREATED,
        "185.12.7.2", "python-httpx/0.27.2", null, ON_CLOCK)).isNull();
    LinkageEngine fresh = new LinkageEngine(LinkageConfig.defaults(), null);
    assertThat(fresh.admission().size()).isZero();
    assertThat(fresh.recompute(CREATED)).isEqualTo(List.of());
  }
}
