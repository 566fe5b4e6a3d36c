package io.distillguard.sim.population;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BenignUserTest {
  static SimContext context() {
    return new SimContext(ScenarioLoader.parse("name: u\nseed: 3\nduration: 7d\npopulation: {accounts: 0, heavy: "
        + "{batch_eval: 0, integration: 0, researcher: 0}}\n", "u"), DataSets.fixtures());
  }

  static BenignUser user(SimContext ctx, double perDay, long seed) {
    Persona p = new Persona();
    p.account = ctx.accounts().create("Test User", AccountFactory.attributes(null, "1.2.3.4", "gmail.com", "US",
        "free"), Label.BENIGN, ctx.startMillis());
    p.ip = "1.2.3.4";
    p.userAgent = ClientSoftware.PY_SDK;
    p.model = "builtin-large";
    p.requestsPerDay = perDay;
    p.rhythm = Rhythm.CONSTANT;
    p.params = SamplingParams.NONE;
    p.activeFrom = ctx.startMillis();
    return new BenignUser(ctx, p, new SplittableRandom(seed));
  }

  /** Follow-up turns carry the whole conversation, including every answer the client received. */
  @Test
  void followUpsIncludeEarlierAnswers() {
    SimContext ctx = context();
    BenignUser u = user(ctx, 40, 1);
    int followUps = 0;
    int answer = 0;
    for (int i = 0; i < 400 && u.peek() != null; i++) {
      SimRequest r = u.next();
      ctx.advance(r.time().toEpochMilli());
      List<ChatMessage> m = r.messages();
      assertThat(m.get(m.size() - 1).role()).isEqualTo("user");
      if (m.size() > 1 && !m.get(0).role().equals("system")) {
        followUps++;
        // user, assistant, user, assistant, ... user: every assistant turn is an answer we served, in order.
        int expected = -1;
        for (int k = 0; k < m.size() - 1; k++) {
          assertThat(m.get(k).role()).isEqualTo(k % 2 == 0 ? "user" : "assistant");
          if (k % 2 == 1) {
            int n = Integer.parseInt(m.get(k).content().replace("answer #", ""));
            assertThat(n).isGreaterThan(expected);
            expected = n;
          }
        }
        assertThat(expected).isEqualTo(answer - 1); // the latest answer is the one to the previous turn
      }
      u.onResult(r, new SimResult(200, 0, "answer #" + answer++, 5, 5));
    }
    assertThat(followUps).isGreaterThan(50);
  }

  @Test
  void missingAnswersBecomePlaceholdersAndRealFollowUpsAreUsed() {
    SimContext ctx = context();
    BenignUser u = user(ctx, 40, 2);
    List<String> userTurns = new ArrayList<>();
    boolean sawPlaceholder = false;
    for (int i = 0; i < 400 && u.peek() != null; i++) {
      SimRequest r = u.next();
      ctx.advance(r.time().toEpochMilli());
      for (ChatMessage m : r.messages()) {
        if (m.role().equals("assistant") && m.content().equals(BenignUser.PLACEHOLDER)) {
          sawPlaceholder = true;
        }
      }
      userTurns.add(r.messages().get(r.messages().size() - 1).content());
      // Answers without text (e.g. a stream that broke) leave a placeholder too.
      u.onResult(r, new SimResult(200, 0, i % 2 == 0 ? null : "", 5, 0));
    }
    assertThat(sawPlaceholder).isTrue();
    // HH follow-ups from the fixture ("How long until they're all gone?") appear after their first turns.
    List<String> hhFollowUps = new ArrayList<>();
    DataSets.fixtures().pool("hh-rlhf-helpful").withFollowUps().forEach(p -> hhFollowUps.addAll(p.followUps()));
    assertThat(userTurns).containsAnyElementsOf(hhFollowUps);
  }

  @Test
  void backsOffOn429AndRetriesTheSameRequest() {
    SimContext ctx = context();
    BenignUser u = user(ctx, 40, 3);
    SimRequest first = u.next();
    ctx.advance(first.time().toEpochMilli());
    u.onResult(first, new SimResult(429, 20, null, 0, 0));
    long retryAt = u.peekMillis();
    assertThat(retryAt).isGreaterThanOrEqualTo(first.time().toEpochMilli() + 20_000);
    SimRequest retry = u.next();
    assertThat(retry.messages()).isEqualTo(first.messages());
    assertThat(retry.time().toEpochMilli()).isEqualTo(retryAt);
    u.onResult(retry, new SimResult(200, 0, "at last", 1, 1));
    SimRequest after = u.next();
    assertThat(after.time()).isAfter(retry.time());
  }

  @Test
  void stopsWhenTheAccountIsBlocked() {
    SimContext ctx = context();
    BenignUser u = user(ctx, 200, 4);
    SimRequest r = u.next();
    u.onResult(r, new SimResult(403, 0, null, 0, 0));
    assertThat(u.dead()).isTrue();
    assertThat(u.peek()).isNull();
  }

  @Test
  void busyAccountsRunParallelConversationsAndScripts() {
    SimContext ctx = context();
    BenignUser quiet = user(ctx, 3, 5);
    BenignUser busy = user(ctx, 3000, 6);
    assertThat(quiet.conversationLanes()).isEqualTo(1);
    assertThat(BenignUser.scriptShare(3)).isZero();
    assertThat(BenignUser.scriptShare(3000)).isGreaterThan(0.5);
    assertThat(busy.conversationLanes()).isGreaterThan(1);
    long n = 0;
    while (busy.peek() != null && n < 100_000) {
      SimRequest r = busy.next();
      ctx.advance(r.time().toEpochMilli());
      busy.onResult(r, new SimResult(200, 0, "ok", 1, 1));
      n++;
    }
    assertThat(n / 7.0).isBetween(1500.0, 6000.0);
  }

  @Test
  void sameSeedSameRequests() {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    for (List<String> out : List.of(a, b)) {
      SimContext ctx = context();
      BenignUser u = user(ctx, 50, 9);
      for (int i = 0; i < 200; i++) {
        SimRequest r = u.next();
        ctx.advance(r.time().toEpochMilli());
        out.add(r.time() + " " + r.messages());
        u.onResult(r, new SimResult(200, 0, "x" + i, 1, 1));
      }
    }
    assertThat(a).isEqualTo(b);
  }
}
