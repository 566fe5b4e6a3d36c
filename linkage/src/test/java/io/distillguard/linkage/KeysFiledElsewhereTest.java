package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Exchange;
import io.distillguard.linkage.LinkageEngineTest.World;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Linkage split the way the stream job runs it: a stage keyed by account works out the keys each exchange files
 * ({@link AccountKeys}), a stage keyed by linkage key keeps the key's members and answers each filing
 * ({@link KeyMembers}), and an engine built {@link LinkageEngine#withKeysFiledElsewhere} folds the exchange in with
 * the answers. Played in the same order, it must act as one engine that files accounts itself.
 */
class KeysFiledElsewhereTest {

  /** The three stages, in process. */
  static final class Stages {
    final LinkageConfig config = LinkageConfig.defaults();
    final InProcessKeyStages keyed = new InProcessKeyStages(config);
    final LinkageEngine engine = LinkageEngine.withKeysFiledElsewhere(config, null);
    long answers;
    long mirroredAnswers;

    List<LinkageAction> accept(Exchange e) {
      InProcessKeyStages.Filed f = keyed.file(e);
      for (FilingAnswer a : f.answers()) {
        answers++;
        mirroredAnswers += a.mirrored() ? 1 : 0;
      }
      return engine.accept(e, f.observation(), f.answers());
    }
  }

  @Test
  void actsAsOneEngineThatFilesAccountsItself() {
    World w = new World();
    LinkageEngine one = new LinkageEngine(LinkageConfig.defaults(), null);
    Stages three = new Stages();
    Instant next = Traffic.T0.plus(Duration.ofMinutes(15));
    List<LinkageAction> fromOne = new ArrayList<>();
    List<LinkageAction> fromThree = new ArrayList<>();
    int recomputations = 0;
    for (Exchange e : w.events) {
      while (!e.eventTime().isBefore(next)) {
        fromOne.addAll(one.recompute(next));
        fromThree.addAll(three.engine.recompute(next));
        assertThat(three.engine.confidentPairs()).isEqualTo(one.confidentPairs());
        next = next.plus(Duration.ofMinutes(15));
        recomputations++;
      }
      fromOne.addAll(one.accept(e));
      fromThree.addAll(three.accept(e));
      assertThat(fromThree).hasSameSizeAs(fromOne);
    }
    assertThat(fromThree).isEqualTo(fromOne);
    assertThat(recomputations).isGreaterThan(200);
    // Not equal by having nothing to compare: the hydra is found and acted on.
    assertThat(fromOne).extracting(LinkageAction::accountId).filteredOn(w.hydra::contains).isNotEmpty();
    assertThat(one.clusters()).isNotEmpty();
    for (String id : w.hydra) {
      assertThat(three.engine.clusterOf(id)).isEqualTo(one.clusterOf(id));
    }
    // The engine keeps only the buckets it reads.
    assertThat(three.keyed.keys()).isEqualTo(one.keyCount());
    assertThat(three.engine.keyCount()).isLessThan(one.keyCount());
    Map<Family, int[]> byFamily = new java.util.TreeMap<>();
    three.keyed.keySet().forEach(k -> byFamily.computeIfAbsent(Keys.family(k), f -> new int[2])[
        three.engine.index().bucket(k) != null ? 1 : 0]++);
    byFamily.forEach((f, n) -> System.out.println(f + ": " + n[1] + " of " + (n[0] + n[1]) + " mirrored"));
    assertThat(three.mirroredAnswers).isLessThan(three.answers);
  }

  @Test
  void aKeysMembersAreTheKeyIndexsBucket() {
    LinkageConfig config = LinkageConfig.defaults();
    KeyIndex index = new KeyIndex(config);
    Map<Long, KeyMembers> members = new HashMap<>();
    SplittableRandom r = new SplittableRandom(11);
    int[] out = new int[config.recent() + config.fromSample() + 1];
    int compared = 0;
    int wholes = 0;
    for (int i = 0; i < 20_000; i++) {
      long key = Keys.of(Keys.TEMPLATE, 1 + r.nextInt(40)); // mirrored at any size: the answer has the bucket
      int account = i;
      int n = index.file(key, account, out);
      FilingAnswer a = members.computeIfAbsent(key, k -> new KeyMembers(config))
          .file(new Filing(key, "a" + account, 1));
      String[] expected = new String[n];
      for (int k = 0; k < n; k++) {
        expected[k] = "a" + out[k];
      }
      assertThat(a.candidates()).containsExactly(expected);
      compared += n;
      KeyIndex.Bucket b = index.bucket(key);
      assertThat(a.accounts).isEqualTo(b.accounts);
      assertThat(a.wholeBucket()).isEqualTo(a.accounts == 1 || a.accounts % FilingAnswer.RESYNC == 0);
      if (a.wholeBucket()) {
        wholes++;
        for (int k = 0; k < a.sample.length; k++) {
          assertThat(a.sample[k]).isEqualTo("a" + b.sample[k]);
        }
        for (int k = 0; k < a.recent.length; k++) {
          assertThat(a.recent[k]).isEqualTo("a" + b.recent[k]);
        }
      } else if (a.slot >= 0) {
        assertThat(b.sample[a.slot]).isEqualTo(account);
      }
    }
    assertThat(wholes).isGreaterThan(2_000);
    assertThat(compared).isGreaterThan(100_000);
  }

  @Test
  void keySamplingDependsOnTheKeysOwnFilingsOnly() {
    // The same key filed the same accounts, with other keys' filings in between or not: the same members.
    LinkageConfig config = LinkageConfig.defaults();
    KeyIndex alone = new KeyIndex(config);
    KeyIndex mixed = new KeyIndex(config);
    int[] a = new int[16];
    int[] b = new int[16];
    long key = Keys.of(Keys.CLIENT, 42);
    for (int i = 0; i < 500; i++) {
      mixed.file(Keys.of(Keys.CLIENT, 1000 + i % 7), 10_000 + i, b);
      int n = alone.file(key, i, a);
      int m = mixed.file(key, i, b);
      assertThat(java.util.Arrays.copyOf(b, m)).containsExactly(java.util.Arrays.copyOf(a, n));
    }
  }

  @Test
  void aMirrorThatGotFilingsOutOfOrderIsLevelAgainAtTheNextWholeBucket() {
    // Two subtasks keyed by account may deliver exchanges in another order than the key stage filed them.
    Stages s = new Stages();
    Traffic t = new Traffic();
    long key = Keys.of(Keys.SUBNET, Subnets.of("185.12.7.9"));
    KeyMembers members = new KeyMembers(s.config);
    List<FilingAnswer> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(members.file(new Filing(key, "acct-" + i, 1)));
    }
    int[] order = {4, 3, 2, 1, 0, 5, 6, 7};
    int[] mirrored = new int[order.length];
    for (int n = 0; n < order.length; n++) {
      int i = order[n];
      Exchange e = t.exchange("acct-" + i, Traffic.T0.plusSeconds(n), "185.12.7." + (10 + i), "curl/8.5", null,
          "hi");
      s.engine.accept(e, Observation.of(e), new FilingAnswer[] {answers.get(i)});
      KeyIndex.Bucket b = s.engine.index().bucket(key);
      mirrored[n] = b == null ? 0 : b.accounts;
    }
    // acct-4 and acct-3 came before the mirror held the key (its first mirrored filing, acct-2's, brings the
    // bucket), acct-5 and acct-6 do not follow the bucket it holds; acct-7's answer, the eighth filing, has it whole.
    assertThat(mirrored).containsExactly(0, 0, 3, 3, 3, 3, 3, 8);
    KeyIndex.Bucket b = s.engine.index().bucket(key);
    FilingAnswer last = answers.get(7);
    for (int k = 0; k < last.recent.length; k++) {
      assertThat(s.engine.idOf(b.recent[k])).isEqualTo(last.recent[k]);
    }
    for (int k = 0; k < last.sample.length; k++) {
      assertThat(s.engine.idOf(b.sample[k])).isEqualTo(last.sample[k]);
    }
    assertThat(s.engine.neighbors("acct-0")).startsWith("acct-4", "acct-3", "acct-2", "acct-1");
    assertThat(s.engine.neighbors("acct-7")).contains("acct-6", "acct-5", "acct-4");
    assertThat(s.engine.accountCount()).isEqualTo(8);
  }

  @Test
  void eachEngineRefusesTheOthersInput() {
    Traffic t = new Traffic();
    Exchange e = t.exchange("acct-1", Traffic.T0, "185.12.7.9", "curl/8.5", null,
        "hello there, how are you?");
    LinkageEngine mirror = LinkageEngine.withKeysFiledElsewhere(LinkageConfig.defaults(), null);
    assertThatThrownBy(() -> mirror.accept(e)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> mirror.account("acct-1", Map.of(), Traffic.T0))
        .isInstanceOf(IllegalStateException.class);
    LinkageEngine one = new LinkageEngine(LinkageConfig.defaults(), null);
    assertThatThrownBy(() -> one.accept(e, Observation.of(e), new FilingAnswer[0]))
        .isInstanceOf(IllegalStateException.class);
    FilingAnswer other = new KeyMembers(LinkageConfig.defaults()).file(new Filing(7, "acct-2", 1));
    assertThatThrownBy(() -> mirror.accept(e, Observation.of(e), new FilingAnswer[] {other}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMirroringEngineReadBackStillMirrors() throws IOException {
    World w = new World();
    Stages s = new Stages();
    for (Exchange e : w.events.subList(0, w.events.size() / 2)) {
      s.accept(e);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    s.engine.writeState(new DataOutputStream(bytes));
    LinkageEngine back = LinkageEngine.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
        LinkageConfig.defaults(), null);
    assertThat(back.keysFiledElsewhere()).isTrue();
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    back.writeState(new DataOutputStream(again));
    assertThat(again.toByteArray()).isEqualTo(bytes.toByteArray());
  }

  @Test
  void recordsRoundTripAndCorruptOnesAreRefused() throws IOException {
    Traffic t = new Traffic();
    Exchange e = t.exchange("acct-1", Traffic.T0, "185.12.7.9", "python-httpx/0.27.2", "You are terse.",
        "Task 12: explain the proof of the theorem");
    Observation o = Observation.of(e);
    assertThat(Observation.read(in(bytes(o::write)))).isEqualTo(o);
    byte[] bad = bytes(o::write);
    bad[0] = (byte) 0x40;
    assertThatThrownBy(() -> Observation.read(in(bad))).isInstanceOf(IOException.class).hasMessageContaining("flags");

    LinkageConfig config = LinkageConfig.defaults();
    KeyMembers m = new KeyMembers(config);
    FilingAnswer last = null;
    for (int i = 0; i < 12; i++) {
      last = m.file(new Filing(Keys.of(Keys.TEMPLATE, 5), "acct-" + i, 3));
    }
    FilingAnswer a = last;
    assertThat(a.mirrored()).isTrue();
    assertThat(FilingAnswer.read(in(bytes(a::write)), config)).isEqualTo(a);
    assertThatThrownBy(() -> FilingAnswer.read(in(java.util.Arrays.copyOf(bytes(a::write), 20)), config))
        .isInstanceOf(IOException.class);
    KeyMembers back = KeyMembers.read(in(bytes(m::write)), config);
    assertThat(bytes(back::write)).isEqualTo(bytes(m::write));
    byte[] none = bytes(m::write);
    none[3] = 0; // 0 accounts
    assertThatThrownBy(() -> KeyMembers.read(in(none), config)).isInstanceOf(IOException.class);

    Filing f = new Filing(99, "acct-\u0000\n<script>", 4);
    assertThat(Filing.read(in(bytes(f::write)))).isEqualTo(f);
    assertThatThrownBy(() -> new Filing(0, "a", 1)).isInstanceOf(IllegalArgumentException.class);

    AccountKeys ak = new AccountKeys("acct-1");
    ak.observe(o);
    assertThat(bytes(AccountKeys.read(in(bytes(ak::write)))::write)).isEqualTo(bytes(ak::write));
  }

  interface Writer {
    void write(java.io.DataOutput out) throws IOException;
  }

  static byte[] bytes(Writer w) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    w.write(new DataOutputStream(b));
    return b.toByteArray();
  }

  static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }
}
