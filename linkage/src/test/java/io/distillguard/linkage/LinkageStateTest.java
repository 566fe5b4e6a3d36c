package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.RiskLevel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LinkageEngine#writeState} and {@link LinkageEngine#readState}: an engine read back from the middle of a run
 * continues exactly as the uninterrupted one (the same actions, clusters, ids and sampling), and bytes that are not
 * such a state, or were written for other sizes or detectors, are refused.
 */
class LinkageStateTest {

  static DetectionEngine traffic() {
    return DetectorSet.named(DetectorSet.DEFAULT).newEngine();
  }

  static byte[] write(LinkageEngine e) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(b)) {
      e.writeState(out);
    }
    return b.toByteArray();
  }

  static LinkageEngine read(byte[] bytes, LinkageConfig config, DetectionEngine traffic) throws IOException {
    return LinkageEngine.readState(new DataInputStream(new ByteArrayInputStream(bytes)), config, traffic);
  }

  /** Plays events {@code [from, to)} into the engine with hourly recomputations; returns every action. */
  static final class Player {
    final LinkageEngineTest.World w;
    final Set<String> known = new HashSet<>();
    Instant next = Traffic.T0.plus(Duration.ofHours(1));

    Player(LinkageEngineTest.World w) {
      this.w = w;
    }

    List<LinkageAction> play(LinkageEngine engine, int from, int to) {
      List<LinkageAction> out = new ArrayList<>();
      for (Exchange e : w.events.subList(from, to)) {
        while (!e.eventTime().isBefore(next)) {
          out.addAll(engine.recompute(next));
          next = next.plus(Duration.ofHours(1));
        }
        if (known.add(e.accountId())) {
          out.addAll(engine.account(e.accountId(), w.attributes.get(e.accountId()), w.created.get(e.accountId())));
        }
        out.addAll(engine.accept(e));
      }
      return out;
    }

    Player copy() {
      Player p = new Player(w);
      p.known.addAll(known);
      p.next = next;
      return p;
    }
  }

  @Test
  void anEngineReadBackContinuesExactlyAsTheUninterruptedOne() throws IOException {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageConfig config = LinkageConfig.defaults();
    LinkageEngine a = new LinkageEngine(config, traffic());
    // a cluster stored before a restart, held until a recomputation forms it again
    a.restoreCluster("cl_stored", List.of("person-3", "person-4"), Traffic.T0, RiskLevel.WATCH, 0.4, null);
    Player pa = new Player(w);
    // the checkpoint falls after the hydra's first wave formed a cluster and before its second wave signs up (7 h)
    Instant second = LinkageEngineTest.World.T(7, 0);
    int half = 0;
    while (w.events.get(half).eventTime().isBefore(second)) {
      half++;
    }
    pa.play(a, 0, half);
    String hydra = a.clusterOf("hydra-0");
    assertThat(hydra).as("the hydra formed before the checkpoint").isNotNull();
    a.rule(hydra, RiskLevel.BLOCK, w.events.get(half).eventTime());
    a.importIndicators(a.export(hydra, w.events.get(half).eventTime()));
    assertThat(a.clusters()).anyMatch(c -> c.id().equals("cl_stored"));

    byte[] checkpoint = write(a);
    LinkageEngine b = read(checkpoint, config, traffic());
    assertThat(write(b)).as("read back, it writes the same bytes").isEqualTo(checkpoint);
    assertThat(b.clusters()).isEqualTo(a.clusters());
    assertThat(b.importedIndicators()).isEqualTo(a.importedIndicators());
    assertThat(b.exchanges()).isEqualTo(a.exchanges());
    assertThat(b.keyCount()).isEqualTo(a.keyCount());

    Player pb = pa.copy();
    List<LinkageAction> afterA = pa.play(a, half, w.events.size());
    List<LinkageAction> afterB = pb.play(b, half, w.events.size());
    Instant end = pa.next;
    afterA.addAll(a.recompute(end));
    afterB.addAll(b.recompute(end));
    assertThat(afterA).as("the run after the checkpoint acts").isNotEmpty();
    assertThat(afterB).isEqualTo(afterA);
    assertThat(b.clusters()).isEqualTo(a.clusters());
    assertThat(b.edge("hydra-0", "hydra-1")).isEqualTo(a.edge("hydra-0", "hydra-1"));
    assertThat(write(b)).as("and ends in the same state").isEqualTo(write(a));
  }

  @Test
  void anEngineWithoutTrafficDetectionRoundTripsToo() throws IOException {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageEngine a = new LinkageEngine(LinkageConfig.defaults(), null);
    new Player(w).play(a, 0, w.events.size() / 3);
    byte[] bytes = write(a);
    assertThat(write(read(bytes, LinkageConfig.defaults(), null))).isEqualTo(bytes);
  }

  @Test
  void bytesThatAreNotAStateOrWereWrittenForOtherSizesOrDetectorsAreRefused() throws IOException {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageEngine a = new LinkageEngine(LinkageConfig.defaults(), traffic());
    new Player(w).play(a, 0, w.events.size() / 4);
    byte[] bytes = write(a);
    LinkageConfig d = LinkageConfig.defaults();

    assertThatThrownBy(() -> read(Arrays.copyOf(bytes, bytes.length / 2), d, traffic()))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> read(new byte[] {0, 0, 0, 9, 1, 2}, d, traffic())).isInstanceOf(IOException.class)
        .hasMessageContaining("format 9");
    assertThatThrownBy(() -> read(bytes, d, null)).isInstanceOf(IOException.class)
        .hasMessageContaining("traffic: none");
    assertThatThrownBy(() -> read(bytes, d, DetectorSet.named(DetectorSet.BASELINE).newEngine()))
        .isInstanceOf(IOException.class).hasMessageContaining("another layout");
    LinkageConfig bigger = new LinkageConfig(d.recent() + 1, d.sampled(), d.fromSample(), d.signupWindow(),
        d.familyMinimum(), d.minFamilies(), d.anchored(), d.confidentWeight(), d.commonMinAccounts(),
        d.coherenceFloor(), d.coherenceFull(), d.splitMinMembers(), d.splitModularity(), d.splitConductance(),
        d.thresholds(), d.minMembers(), d.minExchanges(), d.threads());
    assertThatThrownBy(() -> read(bytes, bigger, traffic())).isInstanceOf(IOException.class)
        .hasMessageContaining("recent=" + (d.recent() + 1));
    // single flipped bits past the header: counts and indexes out of bounds are refused, not read into a state
    Random r = new Random(3);
    int refused = 0;
    for (int i = 0; i < 200; i++) {
      byte[] c = bytes.clone();
      int at = 200 + r.nextInt(c.length - 200);
      c[at] = (byte) (c[at] ^ 0x80);
      try {
        read(c, d, traffic());
      } catch (IOException expected) {
        refused++;
      }
    }
    assertThat(refused).as("flipped bits in counts and indexes are caught by the bounds checks").isPositive();
  }

  @Test
  void theSamplingGeneratorDrawsWhatSplittableRandomDraws() {
    SplittableRandom jdk = new SplittableRandom(0x5eed_11c4L);
    SeededRandom ours = new SeededRandom(0x5eed_11c4L);
    Random pick = new Random(1);
    for (int i = 0; i < 2_000_000; i++) {
      if (pick.nextBoolean()) {
        int bound = pick.nextInt(4) == 0 ? 1 << pick.nextInt(31) : 1 + pick.nextInt(pick.nextBoolean() ? 100
            : Integer.MAX_VALUE);
        assertThat(ours.nextInt(bound)).isEqualTo(jdk.nextInt(bound));
      } else {
        long bound = pick.nextInt(4) == 0 ? 1L << pick.nextInt(63)
            : 1 + (pick.nextLong() >>> 1) % (pick.nextBoolean() ? 1000 : Long.MAX_VALUE);
        assertThat(ours.nextLong(bound)).isEqualTo(jdk.nextLong(bound));
      }
    }
    SeededRandom resumed = new SeededRandom(0);
    resumed.state(ours.state());
    assertThat(resumed.nextLong(1_000_003)).isEqualTo(jdk.nextLong(1_000_003));
    assertThatThrownBy(() -> ours.nextInt(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
