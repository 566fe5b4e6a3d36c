package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.linkage.LinkageEngineTest.World;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A recomputation scores again only the pairs whose inputs changed (a profile, or the weight of a key a side's values
 * are weighed by) and keeps the others' last result, and keeps the communities of a large component found again with
 * the same edges: these tests hold it to the result of computing everything again.
 */
class IncrementalRecomputeTest {

  @Test
  void keepingUnchangedPairsGivesWhatScoringEveryPairGives() {
    World w = new World();
    Lockstep both = new Lockstep(LinkageConfig.defaults());
    both.play(w, Duration.ofMinutes(20));
    assertThat(both.recomputations).isGreaterThan(200);
    // Not a test that cannot fail: most pairs were kept, so a wrong kept result would have shown.
    assertThat(both.kept).as("pairs kept").isGreaterThan(both.scored);
    assertThat(both.edges).as("confident edges seen").isGreaterThan(100);
    assertThat(both.componentsKept).as("large components whose communities were kept").isGreaterThan(10);
  }

  @Test
  void theSameOnSeveralThreads() {
    World w = new World();
    Lockstep both = new Lockstep(LinkageConfig.defaults().withThreads(2));
    both.incremental.parallelFrom(1);
    both.full.parallelFrom(1);
    both.play(w, Duration.ofMinutes(30));
    assertThat(both.kept).isGreaterThan(both.scored);
  }

  @Test
  void aRestoredEngineScoresEveryPairOnceAndThenOnlyWhatChanges() throws Exception {
    World w = new World();
    LinkageEngine engine = new LinkageEngine(LinkageConfig.defaults(), null);
    Set<String> known = new HashSet<>();
    Instant half = Traffic.T0.plus(Duration.ofHours(36));
    for (Exchange e : w.events) {
      if (e.eventTime().isAfter(half)) {
        break;
      }
      if (known.add(e.accountId())) {
        engine.account(e.accountId(), w.attributes.get(e.accountId()), w.created.get(e.accountId()));
      }
      engine.accept(e);
    }
    engine.recompute(half);
    var bytes = new java.io.ByteArrayOutputStream();
    engine.writeState(new java.io.DataOutputStream(bytes));
    LinkageEngine restored = LinkageEngine.readState(new java.io.DataInputStream(
        new java.io.ByteArrayInputStream(bytes.toByteArray())), LinkageConfig.defaults(), null);

    engine.recompute(half.plusSeconds(60));
    restored.recompute(half.plusSeconds(60));
    assertThat(kept(engine)).as("nothing changed since the last recomputation").isPositive();
    assertThat(scored(engine)).isZero();
    assertThat(kept(restored)).as("the kept results are not in the checkpoint").isZero();
    assertThat(restored.confidentPairs()).isEqualTo(engine.confidentPairs());

    restored.recompute(half.plusSeconds(120));
    assertThat(scored(restored)).isZero();
    assertThat(restored.confidentPairs()).isEqualTo(engine.confidentPairs());
  }

  @Test
  void scoringAPairWeighsOnlyKeysOfTheScoringSide() {
    World w = new World();
    LinkageEngineTest.Run run = new LinkageEngineTest.Run();
    run.play(w);
    PairScorer scorer = run.engine.newScorer();
    scorer.reads = new LongBuffer();
    LongBuffer listed = new LongBuffer();
    Set<String> ids = new HashSet<>(w.attributes.keySet());
    long reads = 0;
    for (String id : ids) {
      AccountProfile a = run.engine.profileOf(id);
      if (a == null) {
        continue;
      }
      listed.clear();
      PairScorer.keysRead(a, run.engine.config(), listed);
      Set<Long> allowed = new HashSet<>();
      for (int i = 0; i < listed.size; i++) {
        allowed.add(listed.values[i]);
      }
      for (String other : ids) {
        AccountProfile b = run.engine.profileOf(other);
        if (b == null || b == a) {
          continue;
        }
        scorer.reads.clear();
        scorer.confident(a, b);
        for (int i = 0; i < scorer.reads.size; i++) {
          assertThat(allowed).as("%s scored with %s", id, other).contains(scorer.reads.values[i]);
        }
        reads += scorer.reads.size;
      }
    }
    assertThat(reads).isGreaterThan(100_000);
  }

  private static long kept(LinkageEngine e) {
    return count(e.lastRecomputation(), "unchanged, kept");
  }

  private static long scored(LinkageEngine e) {
    return count(e.lastRecomputation(), "candidate pairs scored");
  }

  /** The number just before {@code label} in the engine's summary line. */
  private static long count(String summary, String label) {
    String before = summary.substring(0, summary.indexOf(label)).strip();
    String[] words = before.split("[ (]");
    return Long.parseLong(words[words.length - 1]);
  }

  /** Two engines fed the same world, one scoring every pair at each recomputation, compared at each. */
  static final class Lockstep {
    final LinkageEngine incremental;
    final LinkageEngine full;
    int recomputations;
    long scored;
    long kept;
    long edges;
    long componentsKept;

    Lockstep(LinkageConfig config) {
      incremental = new LinkageEngine(config, null);
      full = new LinkageEngine(config, null);
      full.rescoreAll(true);
    }

    void play(World w, Duration every) {
      Set<String> known = new HashSet<>();
      Instant next = Traffic.T0.plus(every);
      for (Exchange e : w.events) {
        while (!e.eventTime().isBefore(next)) {
          recompute(next);
          next = next.plus(every);
        }
        if (known.add(e.accountId())) {
          assertThat(actions(incremental.account(e.accountId(), w.attributes.get(e.accountId()),
              w.created.get(e.accountId())))).isEqualTo(actions(full.account(e.accountId(),
              w.attributes.get(e.accountId()), w.created.get(e.accountId()))));
        }
        assertThat(actions(incremental.accept(e))).as(e.id()).isEqualTo(actions(full.accept(e)));
      }
      recompute(next);
    }

    private void recompute(Instant at) {
      assertThat(actions(incremental.recompute(at))).as("actions at %s", at).isEqualTo(actions(full.recompute(at)));
      Set<String> pairs = incremental.confidentPairs();
      assertThat(pairs).as("confident pairs at %s", at).isEqualTo(full.confidentPairs());
      assertThat(incremental.clusters()).as("clusters at %s", at).isEqualTo(full.clusters());
      recomputations++;
      scored += scored(incremental);
      kept += kept(incremental);
      edges += pairs.size();
      componentsKept += count(incremental.lastRecomputation(), " of ");
    }

    private static List<String> actions(List<LinkageAction> actions) {
      List<String> out = new ArrayList<>();
      for (LinkageAction a : actions) {
        out.add(a.toString());
      }
      return out;
    }
  }
}
