package io.distillguard.sim.eval.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.run.Disposition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link LinkageMetrics}: when a campaign counts as blocked, and what it harvested before and after. */
class LinkageMetricsTest {
  private static final Instant T0 = Instant.parse("2025-03-03T00:00:00Z");
  private final LinkageMetrics m = new LinkageMetrics("test", "default");
  private int seq;

  private static SimAccount account(String id, String campaign) {
    return new SimAccount(id, id, Map.of(), new Label(Label.Kind.CAMPAIGN, campaign), T0);
  }

  private void served(SimAccount a, long sec) {
    seq++;
    List<ChatMessage> messages = List.of(new ChatMessage("user", "Task " + seq));
    SimRequest r = new SimRequest(a, T0.plusSeconds(sec), "10.0.0.1", "ua", "/v1/chat/completions", "m", messages,
        null, false, 10, true);
    m.onExchange(r, Disposition.SERVED, new Exchange("x" + seq, r.time(), a.id(), "k", "10.0.0.1", "ua", null,
        r.endpoint(), r.model(), null, false, messages, "answer", Exchange.promptDigest(messages), 6, null, 6, 1, 1,
        200, Outcome.OK, null, 1, 1, 1));
  }

  private void block(SimAccount a, long sec, boolean joined) {
    m.onLinkage(new LinkageAction(a.id(), "cl_1", RiskLevel.BLOCK, RiskScore.NONE, joined, T0.plusSeconds(sec)));
  }

  private LinkageReport.CampaignLinkage report(String campaign) {
    m.onLinkageEnd(new LinkageEngine(LinkageConfig.defaults(), null));
    return m.report().campaigns().stream().filter(c -> c.id().equals(campaign)).findFirst().orElseThrow();
  }

  @Test
  void aCampaignAbsorbedIntoABlockedClusterIsBlockedFromItsFirstJoin() {
    SimAccount a = account("a1", "absorbed");
    SimAccount b = account("a2", "absorbed");
    served(a, 10);
    served(b, 20);
    block(a, 30, true);
    served(b, 40); // b not yet joined: harvested after the campaign's first join
    block(b, 50, true);
    LinkageReport.CampaignLinkage c = report("absorbed");
    assertThat(c.blockedByJoining()).isTrue();
    assertThat(c.clusterBlockedAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(c.secondsToClusterBlock()).isEqualTo(20.0);
    assertThat(c.promptsAtBlock()).isEqualTo(2);
    assertThat(c.attackServedAfterBlock()).isEqualTo(1);
    assertThat(c.promptsTotal()).isEqualTo(3);
    assertThat(LinkageReportWriter.markdown(m.report())).contains("(joined a blocked cluster)");
  }

  @Test
  void aClusterBlockCountsOverEarlierJoins() {
    SimAccount a = account("a1", "own");
    SimAccount b = account("a2", "own");
    served(a, 10);
    block(a, 20, true); // joined a blocked cluster early
    served(b, 30);
    block(b, 40, false); // then its own cluster was blocked as a whole
    served(b, 50);
    LinkageReport.CampaignLinkage c = report("own");
    assertThat(c.blockedByJoining()).isFalse();
    assertThat(c.clusterBlockedAt()).isEqualTo(T0.plusSeconds(40));
    assertThat(c.promptsAtBlock()).isEqualTo(2);
    assertThat(c.attackServedAfterBlock()).isEqualTo(1);
    assertThat(LinkageReportWriter.markdown(m.report())).doesNotContain("joined a blocked cluster");
  }

  @Test
  void aCampaignNeverBlockedSaysSo() {
    served(account("a1", "free"), 10);
    LinkageReport.CampaignLinkage c = report("free");
    assertThat(c.clusterBlockedAt()).isNull();
    assertThat(c.blockedByJoining()).isFalse();
    assertThat(LinkageReportWriter.markdown(m.report())).contains("never blocked");
  }
}
