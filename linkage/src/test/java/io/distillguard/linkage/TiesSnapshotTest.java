package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Exchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TiesSnapshot}: the snapshot a node without linkage checks new accounts against reads back to the same ties,
 * and bytes that are not one fail with a clear message that quotes none of them.
 */
class TiesSnapshotTest {
  private static final Instant LATER = Traffic.T0.plus(Duration.ofDays(3)).plusSeconds(60);
  private static final Exchange NEWCOMER = ClusterTiesTest.request("hydra-new", "185.12.7.9", Traffic.POPULAR_UA,
      null, "Complete the following task as well as you can.\n\nTask 999999: x");
  private static final Map<String, String> ATTRS = Traffic.attrs("card_new", "99.1.1.1", "gmail.com");

  @Test
  void readsBackToTheSameTies() throws IOException {
    LinkageEngineTest.Run run = ClusterTiesTest.played();
    TiesSnapshot sent = run.engine.tiesSnapshot();
    assertThat(sent.ties().size()).isPositive();
    byte[] bytes = sent.encode();
    TiesSnapshot got = TiesSnapshot.decode(bytes);

    assertThat(got.builtAtMillis()).isEqualTo(sent.builtAtMillis());
    assertThat(got.ties().size()).isEqualTo(sent.ties().size());
    ClusterTies.Tie tie = got.ties().match(ATTRS, LATER, NEWCOMER);
    assertThat(tie).isNotNull().isEqualTo(sent.ties().match(ATTRS, LATER, NEWCOMER));
    assertThat(tie.clusterId()).isEqualTo(run.engine.clusterOf("hydra-0"));
    assertThat(got.encode()).as("equal snapshots, equal bytes").isEqualTo(bytes);
  }

  @Test
  void anEmptySnapshotTiesNothing() throws IOException {
    TiesSnapshot empty = TiesSnapshot.decode(new TiesSnapshot(42, ClusterTies.EMPTY).encode());
    assertThat(empty.builtAtMillis()).isEqualTo(42);
    assertThat(empty.ties().size()).isZero();
    assertThat(empty.ties().match(ATTRS, LATER, NEWCOMER)).isNull();
  }

  @Test
  void bytesThatAreNotASnapshotFailClearly() throws IOException {
    byte[] good = ClusterTiesTest.played().engine.tiesSnapshot().encode();
    assertThatThrownBy(() -> TiesSnapshot.decode(null)).isInstanceOf(IOException.class).hasMessageContaining("no bytes");
    assertThatThrownBy(() -> TiesSnapshot.decode("{\"account\":\"<script>\"}".getBytes()))
        .isInstanceOf(IOException.class).hasMessageContaining("wrong magic").hasMessageNotContaining("script");
    byte[] otherFormat = good.clone();
    ByteBuffer.wrap(otherFormat).putInt(4, TiesSnapshot.FORMAT + 1);
    assertThatThrownBy(() -> TiesSnapshot.decode(otherFormat)).isInstanceOf(IOException.class)
        .hasMessageContaining("format " + (TiesSnapshot.FORMAT + 1));
    assertThatThrownBy(() -> TiesSnapshot.decode(Arrays.copyOf(good, good.length - 3)))
        .isInstanceOf(IOException.class).hasMessageContaining("cut short");
    assertThatThrownBy(() -> TiesSnapshot.decode(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(IOException.class).hasMessageContaining("after its end");
    byte[] hugeCount = Arrays.copyOf(good, 32);
    ByteBuffer.wrap(hugeCount).putInt(16, Integer.MAX_VALUE);
    assertThatThrownBy(() -> TiesSnapshot.decode(hugeCount)).isInstanceOf(IOException.class)
        .hasMessageContaining("tied clusters");
  }

  /** Whatever the bytes, decoding gives a snapshot or an IOException: nothing else escapes. */
  @Test
  void randomDamageGivesASnapshotOrAnIoException() {
    byte[] good = ClusterTiesTest.played().engine.tiesSnapshot().encode();
    Random r = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] b = good.clone();
      for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
        b[16 + r.nextInt(b.length - 16)] = (byte) r.nextInt(256);
      }
      try {
        TiesSnapshot s = TiesSnapshot.decode(b);
        s.ties().match(ATTRS, LATER, NEWCOMER);
      } catch (IOException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }
}
