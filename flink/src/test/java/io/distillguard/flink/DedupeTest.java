package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.VerdictEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The detection operator's de-duplication of redelivered exchanges: an id seen within the window is folded in once;
 * the ids are pruned by the account's timers between one and one and a half windows later (memory stays bounded
 * without Flink's state TTL, whose incremental cleanup copied every visited map), and pruning survives a snapshot
 * and restore.
 */
class DedupeTest {
  private static final Duration WINDOW = Duration.ofHours(1);
  private static final long H = WINDOW.toMillis();

  private static KeyedOneInputStreamOperatorTestHarness<String, Exchange, VerdictEvent> harness() throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new AccountDetection(
        EngineSpec.defaults(), Duration.ofDays(7), WINDOW, Duration.ofMinutes(1))), Exchange::accountId, Types.STRING);
    h.setup(VerdictEventSerializer.INSTANCE);
    return h;
  }

  private static List<Exchange> traffic() {
    return TestTraffic.world(3, 4, 0, 0, 2).events;
  }

  private static int accepted(KeyedOneInputStreamOperatorTestHarness<String, Exchange, VerdictEvent> h) {
    var out = h.getSideOutput(AccountDetection.ACCEPTED);
    return out == null ? 0 : out.size();
  }

  @Test
  void aRedeliveryWithinTheWindowCountsOnceAndIdsArePrunedAfterIt() throws Exception {
    List<Exchange> events = traffic();
    Exchange first = events.get(0);
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      for (Exchange e : events) {
        h.processElement(e, e.eventTime().toEpochMilli());
      }
      int folded = accepted(h);
      assertThat(folded).isEqualTo(events.size());
      long accounts = events.stream().map(Exchange::accountId).distinct().count();
      assertThat(h.numProcessingTimeTimers()).as("one prune pending per account").isEqualTo((int) accounts);

      h.setProcessingTime(H - 1);
      h.processElement(first, first.eventTime().toEpochMilli());
      assertThat(accepted(h)).as("redelivered within the window: dropped").isEqualTo(folded);

      h.setProcessingTime(H + H / 2); // the prune: every id is a window old or more
      assertThat(h.numProcessingTimeTimers()).isZero();
      h.processElement(first, first.eventTime().toEpochMilli());
      assertThat(accepted(h)).as("after the prune the id is no longer known").isEqualTo(folded + 1);
    }
  }

  @Test
  void idsSeenLaterOutliveTheFirstPruneAndPruningSurvivesARestore() throws Exception {
    List<Exchange> events = traffic();
    String account = events.get(0).accountId();
    List<Exchange> mine = events.stream().filter(e -> e.accountId().equals(account)).toList();
    assertThat(mine).hasSizeGreaterThanOrEqualTo(2);
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      h.processElement(mine.get(0), 0);
      h.setProcessingTime(H / 2 + 1);
      h.processElement(mine.get(1), 0);
      assertThat(h.numProcessingTimeTimers()).as("one per half window with exchanges").isEqualTo(2);
      h.setProcessingTime(H + H / 2); // the first id's prune; the second, seen half a window later, is not old enough
      assertThat(h.numProcessingTimeTimers()).isOne();
      snapshot = h.snapshot(1, H);
    }
    try (var h = harness()) {
      h.initializeState(snapshot);
      h.open();
      h.setProcessingTime(H + H / 2);
      h.processElement(mine.get(1), 0);
      assertThat(accepted(h)).as("the second id is still known after the restore").isZero();
      h.processElement(mine.get(0), 0);
      assertThat(accepted(h)).as("the first was pruned").isOne();
      h.setProcessingTime(3 * H);
      assertThat(h.numProcessingTimeTimers()).as("the restored timer fired, and the new one").isZero();
      h.processElement(mine.get(1), 0);
      h.processElement(mine.get(0), 0);
      assertThat(accepted(h)).as("both pruned").isEqualTo(3);
    }
  }

  @Test
  void pruneTimesFallBetweenOneAndOneAndAHalfWindowsAfter() {
    AccountDetection d = new AccountDetection(EngineSpec.defaults(), Duration.ofDays(7), WINDOW, Duration.ZERO);
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 10_000; i++) {
      long seen = Math.abs(r.nextLong() % (1L << 42));
      long prune = d.pruneTime(seen);
      assertThat(prune - seen).isGreaterThanOrEqualTo(H).isLessThanOrEqualTo(H + H / 2);
    }
    AccountDetection odd = new AccountDetection(EngineSpec.defaults(), Duration.ofDays(7), Duration.ofMillis(3),
        Duration.ZERO);
    for (long seen = 0; seen < 100; seen++) {
      assertThat(odd.pruneTime(seen) - seen).isBetween(3L, 5L);
    }
  }
}
