package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.core.wire.VerdictEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import io.distillguard.linkage.TiesSnapshot;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proof that no detector is re-implemented for Flink: the same event stream through the in-process
 * {@code DetectionEngine} and {@code LinkageEngine} and through the job on a MiniCluster gives the same verdicts per
 * account and the same clusters.
 *
 * <p>Detection runs with parallelism 1 here: one detector, {@code pivot}, keeps engine-wide state (its
 * {@code ModelCatalog} learns model release times from all the traffic one engine sees), so with several subtasks
 * each learns from its own accounts and the pivot signal can differ from the single-node engine's (docs/scale.md,
 * "Flink job"). Every other detector keeps only per-account state.
 */
class EquivalenceTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** One recomputation, after the last event (the boundary lies beyond the simulated period). */
  static final Duration ONCE = Duration.ofDays(3650);

  static Instant boundary(List<Exchange> events) {
    long interval = ONCE.toMillis();
    long last = events.get(events.size() - 1).eventTime().toEpochMilli();
    return Instant.ofEpochMilli((Math.floorDiv(last, interval) + 1) * interval);
  }

  static List<VerdictEvent> run(List<byte[]> input, JobSettings settings, int parallelism) throws Exception {
    Configuration c = new Configuration();
    c.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
    env.setParallelism(parallelism);
    DetectionTopology.Streams s = DetectionTopology.fromEvents(
        env.fromData(input, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO).setParallelism(1), settings);
    List<VerdictEvent> out = new ArrayList<>();
    try (var it = s.verdicts().executeAndCollect("equivalence")) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  static List<byte[]> encode(List<Exchange> events) {
    List<byte[]> out = new ArrayList<>(events.size());
    for (Exchange e : events) {
      out.add(ExchangeCodec.encodeEvent(e));
    }
    return out;
  }

  @Test
  void theJobGivesTheInProcessVerdictsAndClusters() throws Exception {
    theJobGivesTheInProcessVerdictsAndClusters(JobSettings.defaults().withLinkage(true, ONCE));
  }

  /**
   * Linkage's stage keyed by linkage key on two subtasks: the answers to an exchange's filings come from either, in
   * any interleaving, and the profiles' stage still folds the exchanges in the order they came, so nothing changes.
   */
  @Test
  void theSameWithTheKeyStageOnTwoSubtasks() throws Exception {
    theJobGivesTheInProcessVerdictsAndClusters(JobSettings.defaults().withLinkage(true, ONCE)
        .withLinkageKeyParallelism(2));
  }

  /**
   * Detection, and so linkage's stage keyed by account, on two subtasks: each key's filings reach the key stage in
   * an interleaving of the two, not the stream's order, and the profiles stage gets exchanges and answers in other
   * orders than the key stage filed them (its mirror catches up at whole buckets). Which candidates are sampled may
   * differ from one engine's, so the test holds the outcome, not the verdicts: the hydra is one acted-on cluster and
   * no one else is in an acted-on cluster.
   */
  @Test
  void withEverythingButTheProfilesStageOnTwoSubtasksTheHydraIsStillOneCluster() throws Exception {
    List<Exchange> events = TestTraffic.world(11, 120, 4, 40, 30).events;
    List<VerdictEvent> job = run(encode(events), JobSettings.defaults().withLinkage(true, ONCE), 2);
    Map<String, TreeSet<String>> clusters = Reference.clusters(job);
    assertThat(clusters.values()).as("no account outside the hydra in an acted-on cluster")
        .allMatch(members -> members.stream().allMatch(m -> m.startsWith("hydra-")));
    assertThat(clusters.values()).as("the hydra in one cluster, nearly whole")
        .anyMatch(members -> members.size() >= 36);
  }

  private static void theJobGivesTheInProcessVerdictsAndClusters(JobSettings settings) throws Exception {
    List<Exchange> events = TestTraffic.world(11, 120, 4, 40, 30).events;
    List<VerdictEvent> job = run(encode(events), settings, 1);

    Map<String, List<VerdictEvent>> expected = Reference.accountVerdicts(settings.engine(), events);
    Map<String, List<VerdictEvent>> actual = Reference.byAccount(job);
    assertThat(expected).as("the stream must make the in-process engine decide something").hasSizeGreaterThanOrEqualTo(4);
    assertThat(expected.values().stream().flatMap(List::stream).map(VerdictEvent::level).distinct().count())
        .isGreaterThan(1);
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String account : expected.keySet()) {
      List<VerdictEvent> e = expected.get(account);
      List<VerdictEvent> a = actual.get(account);
      assertThat(a).as(account).hasSameSizeAs(e);
      for (int i = 0; i < e.size(); i++) {
        assertThat(a.get(i).level()).as(account + " verdict " + i).isEqualTo(e.get(i).level());
        assertThat(a.get(i).score()).as(account + " score " + i).isCloseTo(e.get(i).score(), within(1e-9));
        assertThat(a.get(i).evidence()).as(account + " evidence " + i).isEqualTo(e.get(i).evidence());
        assertThat(a.get(i).at()).isEqualTo(e.get(i).at());
        assertThat(a.get(i).version()).isEqualTo(e.get(i).version());
        assertThat(a.get(i).reasons()).isEqualTo(e.get(i).reasons());
      }
    }

    Map<String, TreeSet<String>> expectedClusters = Reference.clusters(settings.engine(), events, boundary(events));
    Map<String, TreeSet<String>> actualClusters = Reference.clusters(job);
    assertThat(expectedClusters.values()).as("the hydra is linked and acted on in-process")
        .anyMatch(members -> members.size() >= 30 && members.stream().allMatch(m -> m.startsWith("hydra-")));
    assertThat(new TreeSet<>(actualClusters.values().stream().map(Object::toString).toList()))
        .isEqualTo(new TreeSet<>(expectedClusters.values().stream().map(Object::toString).toList()));
    assertThat(job).filteredOn(v -> v.source() == VerdictEvent.Source.LINKAGE)
        .allMatch(v -> v.clusterId() != null && v.level() != RiskLevel.NONE);
  }

  /**
   * An account is held to its tier's levels in the job as on a gateway node: the tier travels with each exchange
   * (stamped by the node from its account directory) and the job's engine takes it from the exchange that creates the
   * account's state. A model with a lenient and a strict tier; the harvesters on them get other verdicts than on the
   * default levels, and the job gives exactly the in-process verdicts of an engine that knows the tiers.
   */
  @Test
  void eachAccountIsHeldToTheTierItsExchangesCarry() throws Exception {
    Map<String, String> tiers = Map.of("harvester-0", "enterprise", "harvester-1", "enterprise",
        "harvester-2", "free", "harvester-3", "free", "user-1", "free");
    List<Exchange> events = new ArrayList<>();
    for (Exchange e : TestTraffic.world(11, 60, 4, 0, 30).events) {
      events.add(e.withAccountTier(tiers.getOrDefault(e.accountId(), "default")));
    }
    io.distillguard.core.detect.DetectionModel model = io.distillguard.core.detect.DetectionModel.parse(
        new java.io.StringReader(io.distillguard.core.detect.DetectionModel.loadDefault().toPropertiesText() + """

            tier.enterprise.threshold.watch=0.95
            tier.enterprise.threshold.throttle=0.96
            tier.enterprise.threshold.degrade=0.97
            tier.enterprise.threshold.block=0.98
            tier.free.min-evidence.watch=2
            tier.free.min-evidence.throttle=4
            tier.free.min-evidence.degrade=6
            tier.free.min-evidence.block=8
            """), "tiered");
    EngineSpec spec = EngineSpec.ofModel(model);
    JobSettings settings = JobSettings.defaults().withEngine(spec).withLinkage(false, ONCE);
    List<VerdictEvent> job = run(encode(events), settings, 1);

    Map<String, List<VerdictEvent>> tiered = Reference.accountVerdicts(
        model.newEngine(id -> tiers.getOrDefault(id, "default"), java.util.Set.of()), events);
    Map<String, List<VerdictEvent>> untiered = Reference.accountVerdicts(spec, events);
    assertThat(tiered).as("the tiers change what is decided").isNotEqualTo(untiered);
    assertThat(levels(tiered.get("harvester-0"))).as("enterprise: never past the default's levels")
        .doesNotContain(RiskLevel.BLOCK);
    assertThat(levels(untiered.get("harvester-0"))).contains(RiskLevel.BLOCK);
    assertThat(Reference.byAccount(job)).isEqualTo(tiered);
  }

  private static List<RiskLevel> levels(List<VerdictEvent> verdicts) {
    return verdicts == null ? List.of() : verdicts.stream().map(VerdictEvent::level).toList();
  }

  /**
   * The snapshot nodes check new accounts against is the in-process engine's, byte for byte, sent once per change.
   */
  @Test
  void theJobSendsTheInProcessTies() throws Exception {
    List<Exchange> events = TestTraffic.world(11, 120, 4, 40, 30).events;
    JobSettings settings = JobSettings.defaults().withLinkage(true, ONCE);
    Configuration c = new Configuration();
    c.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
    env.setParallelism(1);
    DetectionTopology.Streams s = DetectionTopology.fromEvents(
        env.fromData(encode(events), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), settings);
    s.verdicts().sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
    List<byte[]> sent = new ArrayList<>();
    try (var it = s.ties().executeAndCollect("ties")) {
      it.forEachRemaining(sent::add);
    }

    TiesSnapshot expected = Reference.linkage(settings.engine(), events, boundary(events), new ArrayList<>())
        .tiesSnapshot();
    assertThat(expected.ties().size()).as("the hydra's cluster is acted on and ties keys").isPositive();
    assertThat(sent).as("one recomputation, one change").singleElement()
        .satisfies(b -> assertThat(b).isEqualTo(expected.encode()));
    assertThat(TiesSnapshot.decode(sent.get(0)).builtAtMillis()).isEqualTo(boundary(events).toEpochMilli());
  }
}
