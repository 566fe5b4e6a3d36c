package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Exchange;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.linkage.FilingAnswer;
import io.distillguard.linkage.InProcessKeyStages;
import io.distillguard.linkage.LinkageConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Linkage's profiles stage ({@link LinkageOperator}) against its two inputs arriving in any interleaving: answers
 * to an exchange's filings before the exchange, long after it, from several key subtasks; and a checkpoint taken
 * while exchanges wait for answers (which aligned checkpoints never see, unaligned ones would).
 */
class LinkageStagesTest {
  private static final Duration INTERVAL = Duration.ofHours(1);

  /** What the two keyed stages send for each exchange, in stream order, made by the stages' own classes. */
  record Step(Observed observed, FilingAnswer[] answers) {}

  static List<Step> steps(List<Exchange> events) {
    InProcessKeyStages keyed = new InProcessKeyStages(LinkageConfig.defaults());
    List<Step> out = new ArrayList<>();
    for (Exchange e : events) {
      InProcessKeyStages.Filed f = keyed.file(e);
      out.add(new Step(new Observed(e, f.observation(), f.sequence(), f.keys()), f.answers()));
    }
    return out;
  }

  static KeyedTwoInputStreamOperatorTestHarness<Integer, Observed, FilingAnswer, VerdictEvent> harness()
      throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new LinkageOperator(
        EngineSpec.defaults(), INTERVAL)), (Observed o) -> 0, (FilingAnswer a) -> 0, Types.INT);
    h.setup(VerdictEventSerializer.INSTANCE);
    return h;
  }

  /**
   * Plays the steps: each exchange's answers are held back by up to {@code lag} exchanges (some come before their
   * exchange when {@code early}), and the watermark follows every hour once every answer before it was delivered,
   * as the key stage forwards watermarks after the answers before them.
   */
  static void play(KeyedTwoInputStreamOperatorTestHarness<Integer, Observed, FilingAnswer, VerdictEvent> h,
      List<Step> steps, int from, int to, int lag, boolean early, long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    List<FilingAnswer> held = new ArrayList<>();
    long nextWatermark = Long.MIN_VALUE;
    for (int i = from; i < to; i++) {
      Step s = steps.get(i);
      long t = s.observed().exchange().eventTime().toEpochMilli();
      if (nextWatermark == Long.MIN_VALUE) {
        nextWatermark = t + INTERVAL.toMillis();
      }
      if (t >= nextWatermark) {
        deliver(h, held, held.size());
        h.processBothWatermarks(new Watermark(t - 1));
        nextWatermark = t + INTERVAL.toMillis();
      }
      List<FilingAnswer> mine = new ArrayList<>(List.of(s.answers()));
      if (early && r.nextBoolean() && !mine.isEmpty()) {
        h.processElement2(new StreamRecord<>(mine.remove(0), t));
      }
      h.processElement1(new StreamRecord<>(s.observed(), t));
      held.addAll(mine);
      java.util.Collections.shuffle(held, new java.util.Random(r.nextLong()));
      deliver(h, held, Math.max(0, held.size() - lag));
    }
    deliver(h, held, held.size());
  }

  private static void deliver(KeyedTwoInputStreamOperatorTestHarness<Integer, Observed, FilingAnswer, VerdictEvent> h,
      List<FilingAnswer> held, int n) throws Exception {
    for (int k = 0; k < n; k++) {
      FilingAnswer a = held.remove(held.size() - 1);
      h.processElement2(new StreamRecord<>(a, 0));
    }
  }

  private static long[] folded(
      KeyedTwoInputStreamOperatorTestHarness<Integer, Observed, FilingAnswer, VerdictEvent> h) {
    @SuppressWarnings("unchecked")
    var op = (KeyedCoProcessOperator<Integer, Observed, FilingAnswer, VerdictEvent>) h.getOperator();
    return ((LinkageOperator) op.getUserFunction()).foldedAndWaiting();
  }

  static List<VerdictEvent> inOrder(List<Step> steps) throws Exception {
    try (var h = harness()) {
      h.open();
      play(h, steps, 0, steps.size(), 0, false, 1);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      return h.extractOutputValues();
    }
  }

  @Test
  void answersInAnyOrderGiveWhatAnswersInOrderGive() throws Exception {
    List<Step> steps = steps(TestTraffic.world(11, 80, 2, 30, 12).events);
    List<VerdictEvent> expected = inOrder(steps);
    assertThat(expected).as("linkage acts on the hydra").isNotEmpty();
    try (var h = harness()) {
      h.open();
      play(h, steps, 0, steps.size(), 40, true, 7);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      assertThat(h.extractOutputValues()).isEqualTo(expected);
      assertThat(folded(h)).containsExactly(steps.size(), 0);
    }
  }

  @Test
  void aCheckpointWithExchangesWaitingForAnswersRestoresThem() throws Exception {
    List<Step> steps = steps(TestTraffic.world(11, 80, 2, 30, 12).events);
    List<VerdictEvent> expected = inOrder(steps);
    int half = steps.size() / 2;
    OperatorSubtaskState snapshot;
    List<VerdictEvent> before;
    List<FilingAnswer> late = new ArrayList<>();
    try (var h = harness()) {
      h.open();
      play(h, steps, 0, half - 200, 0, false, 1);
      // The last 200 exchanges before the checkpoint arrive; of every other one, the answers come after it.
      for (int i = half - 200; i < half; i++) {
        Step s = steps.get(i);
        long t = s.observed().exchange().eventTime().toEpochMilli();
        for (FilingAnswer a : s.answers()) {
          if (i % 2 == 0) {
            h.processElement2(new StreamRecord<>(a, t));
          } else {
            late.add(a);
          }
        }
        h.processElement1(new StreamRecord<>(s.observed(), t));
      }
      assertThat(late).as("exchanges wait at the checkpoint").isNotEmpty();
      snapshot = h.snapshot(1, 1);
      before = h.extractOutputValues();
    }
    try (var h = harness()) {
      h.initializeState(snapshot);
      h.open();
      for (FilingAnswer a : late) {
        h.processElement2(new StreamRecord<>(a, 0));
      }
      play(h, steps, half, steps.size(), 0, false, 1);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      List<VerdictEvent> all = new ArrayList<>(before);
      all.addAll(h.extractOutputValues());
      assertThat(all).isEqualTo(expected);
      assertThat(folded(h)).as("every exchange folded in, none waiting").containsExactly(steps.size(), 0);
    }
  }

  @Test
  void aRepeatedAnswerOrExchangeFailsTheTaskInsteadOfCountingTwice() throws Exception {
    List<Step> steps = steps(TestTraffic.world(11, 10, 0, 5, 4).events);
    Step withKeys = steps.stream().filter(s -> s.answers().length > 0).findFirst().orElseThrow();
    try (var h = harness()) {
      h.open();
      h.processElement2(new StreamRecord<>(withKeys.answers()[0], 0));
      assertThatThrownBy(() -> h.processElement2(new StreamRecord<>(withKeys.answers()[0], 0)))
          .isInstanceOf(IOException.class).hasMessageContaining("twice");
    }
    try (var h = harness()) {
      h.open();
      Step none = new Step(new Observed(withKeys.observed().exchange(), withKeys.observed().observation(), 1,
          new long[] {42}), new FilingAnswer[0]);
      h.processElement1(new StreamRecord<>(none.observed(), 0));
      assertThatThrownBy(() -> h.processElement1(new StreamRecord<>(none.observed(), 0)))
          .isInstanceOf(IOException.class).hasMessageContaining("twice");
    }
  }
}
