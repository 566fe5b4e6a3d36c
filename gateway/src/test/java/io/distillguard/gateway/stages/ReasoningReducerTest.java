package io.distillguard.gateway.stages;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.gateway.pipeline.ResponseTransform;
import org.junit.jupiter.api.Test;

class ReasoningReducerTest {
  static final String ANSWER = "Natalia sold 48 clips in April.\nStep 1: In May she sold 48/2 = 24 clips.\n"
      + "Step 2: Altogether 48 + 24 = 72.\nThe answer is 72.";

  @Test
  void stepsAreRemovedAndTheConclusionKept() {
    ResponseTransform.Session s = new ReasoningReducer().open(null);
    String out = s.push(0, ANSWER) + s.flush(0);
    assertThat(out).doesNotContain("Step 1").doesNotContain("Step 2").contains("The answer is 72.")
        .contains("Natalia sold 48 clips").contains(ReasoningReducer.NOTE.strip());
  }

  @Test
  void streamingGivesTheSameResultHoldingBackAtMostALine() {
    ResponseTransform.Session whole = new ReasoningReducer().open(null);
    String expected = whole.push(0, ANSWER) + whole.flush(0);
    ResponseTransform.Session s = new ReasoningReducer().open(null);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < ANSWER.length(); i += 3) {
      String piece = ANSWER.substring(i, Math.min(ANSWER.length(), i + 3));
      out.append(s.push(0, piece));
    }
    out.append(s.flush(0));
    assertThat(out.toString()).isEqualTo(expected);
  }

  @Test
  void thinkBlocksAreDroppedEvenAcrossChunks() {
    ResponseTransform.Session s = new ReasoningReducer().open(null);
    String out = s.push(0, "<think>secret\nplan") + s.push(0, " more</think>Paris is the capital.\n") + s.flush(0);
    assertThat(out).doesNotContain("secret").doesNotContain("plan").contains("Paris is the capital.");
  }

  @Test
  void plainAnswersPassUnchanged() {
    ResponseTransform.Session s = new ReasoningReducer().open(null);
    String text = "Paris is the capital of France.\nIt is on the Seine.";
    assertThat(s.push(0, text) + s.flush(0)).isEqualTo(text);
  }
}
