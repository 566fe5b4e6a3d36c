package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.detect.RiskLevel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint in parts ({@link LinkageEngine#writeChanges}, {@link LinkageEngine#writeGlobals},
 * {@link LinkageEngine#readParts}): a store that keeps the last part written under each profile index and key holds,
 * at every checkpoint, exactly the state {@link LinkageEngine#writeState} writes, however the run went between
 * checkpoints; so every change reaches a part. Read back, it continues as the uninterrupted engine.
 */
class LinkageStatePartsTest {

  /** What a keyed store holds: the last part under each index and key, and the last globals. */
  static final class Store implements LinkageEngine.ChangeSink {
    final Map<Integer, byte[]> profiles = new TreeMap<>();
    final Map<Long, byte[]> buckets = new HashMap<>();
    byte[] globals;
    int lastWritten;

    void checkpoint(LinkageEngine e) throws IOException {
      lastWritten = e.writeChanges(this);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(b)) {
        e.writeGlobals(out);
      }
      globals = b.toByteArray();
    }

    LinkageEngine read(LinkageConfig config, boolean traffic) throws IOException {
      return LinkageEngine.readParts(new DataInputStream(new ByteArrayInputStream(globals)),
          profiles.entrySet(), buckets.entrySet(), config, traffic ? LinkageStateTest.traffic() : null);
    }

    @Override
    public void profile(int index, byte[] state) {
      profiles.put(index, state);
    }

    @Override
    public void bucket(long key, byte[] state) {
      buckets.put(key, state);
    }
  }

  @Test
  void theStoreHoldsTheWholeStateAtEveryCheckpointAndOnlyChangesAreWritten() throws IOException {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageConfig config = LinkageConfig.defaults();
    LinkageEngine a = new LinkageEngine(config, LinkageStateTest.traffic());
    a.restoreCluster("cl_stored", List.of("person-3", "person-4"), Traffic.T0, RiskLevel.WATCH, 0.4, null);
    LinkageStateTest.Player player = new LinkageStateTest.Player(w);
    Store store = new Store();
    int n = w.events.size();
    int step = n / 40;
    int smallest = Integer.MAX_VALUE;
    boolean ruled = false;
    for (int from = 0; from < n; from += step) {
      player.play(a, from, Math.min(n, from + step));
      String hydra = a.clusterOf("hydra-0");
      if (hydra != null && !ruled) {
        Instant at = w.events.get(Math.min(n, from + step) - 1).eventTime();
        a.rule(hydra, RiskLevel.BLOCK, at);
        a.importIndicators(a.export(hydra, at));
        ruled = true;
      }
      store.checkpoint(a);
      smallest = Math.min(smallest, store.lastWritten);
      LinkageEngine b = store.read(config, true);
      assertThat(LinkageStateTest.write(b)).as("the store after events up to %d", from + step)
          .isEqualTo(LinkageStateTest.write(a));
    }
    assertThat(ruled).isTrue();
    int parts = store.profiles.size() + store.buckets.size();
    assertThat(smallest).as("a checkpoint writes what changed, not every part").isLessThan(parts / 4);

    // read back from the store, it goes on as the uninterrupted engine
    LinkageEngine b = store.read(config, true);
    assertThat(b.writeChanges(new Store())).as("nothing is unsaved after reading the parts").isZero();
    Instant later = player.next.plusSeconds(3600);
    assertThat(b.recompute(later)).isEqualTo(a.recompute(later));
    assertThat(b.clusters()).isEqualTo(a.clusters());
  }

  @Test
  void anEngineReadFromOneBlobWritesEveryPartOnItsFirstCheckpoint() throws IOException {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageEngine a = new LinkageEngine(LinkageConfig.defaults(), null);
    new LinkageStateTest.Player(w).play(a, 0, w.events.size() / 2);
    a.writeChanges(new Store());
    LinkageEngine b = LinkageStateTest.read(LinkageStateTest.write(a), LinkageConfig.defaults(), null);
    Store store = new Store();
    store.checkpoint(b);
    assertThat(store.lastWritten).isEqualTo(a.accountCount() + a.keyCount());
    assertThat(LinkageStateTest.write(store.read(LinkageConfig.defaults(), false)))
        .isEqualTo(LinkageStateTest.write(a));
  }

  @Test
  void partsThatAreNotAStateAreRefused() throws IOException {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageConfig config = LinkageConfig.defaults();
    LinkageEngine a = new LinkageEngine(config, null);
    new LinkageStateTest.Player(w).play(a, 0, w.events.size() / 3);
    Store store = new Store();
    store.checkpoint(a);

    Store missing = copy(store);
    missing.profiles.remove(3);
    assertThatThrownBy(() -> missing.read(config, false)).isInstanceOf(IOException.class)
        .hasMessageContaining("profile 3 of").hasMessageContaining("missing");
    Store extra = copy(store);
    extra.profiles.put(store.profiles.size(), store.profiles.get(0));
    assertThatThrownBy(() -> extra.read(config, false)).isInstanceOf(IOException.class)
        .hasMessageContaining("profile " + store.profiles.size() + " of");
    Store misfiled = copy(store);
    long[] keys = misfiled.buckets.keySet().stream().mapToLong(Long::longValue).limit(2).toArray();
    byte[] first = misfiled.buckets.get(keys[0]);
    misfiled.buckets.put(keys[0], misfiled.buckets.get(keys[1]));
    misfiled.buckets.put(keys[1], first);
    assertThatThrownBy(() -> misfiled.read(config, false)).isInstanceOf(IOException.class)
        .hasMessageContaining("not that key's");
    Store lostBucket = copy(store);
    lostBucket.buckets.remove(keys[0]);
    assertThatThrownBy(() -> lostBucket.read(config, false)).isInstanceOf(IOException.class)
        .hasMessageContaining("buckets");
    Store cut = copy(store);
    cut.profiles.put(5, java.util.Arrays.copyOf(store.profiles.get(5), store.profiles.get(5).length - 3));
    assertThatThrownBy(() -> cut.read(config, false)).isInstanceOf(IOException.class);
    Store longer = copy(store);
    longer.profiles.put(5, java.util.Arrays.copyOf(store.profiles.get(5), store.profiles.get(5).length + 1));
    assertThatThrownBy(() -> longer.read(config, false)).isInstanceOf(IOException.class)
        .hasMessageContaining("bytes after profile 5");
    assertThatThrownBy(() -> store.read(config, true)).isInstanceOf(IOException.class)
        .hasMessageContaining("another layout");
    Store wrongFormat = copy(store);
    wrongFormat.globals = LinkageStateTest.write(a); // a whole-state blob is not globals
    assertThatThrownBy(() -> wrongFormat.read(config, false)).isInstanceOf(IOException.class)
        .hasMessageContaining("globals format");
  }

  private static Store copy(Store s) {
    Store c = new Store();
    c.profiles.putAll(s.profiles);
    c.buckets.putAll(s.buckets);
    c.globals = s.globals;
    return c;
  }
}
