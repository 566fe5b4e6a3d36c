package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.text.TextFeatures;

/**
 * Reasoning elicitation: the share of an account's prompts that ask for step-by-step or hidden reasoning, or a
 * structured answer with a reasoning field, or use the model as a grader. People ask for steps now and then; a
 * harvest of reasoning traces asks nearly every time.
 */
public final class ReasoningDetector implements Detector<ReasoningDetector.State> {
  public static final String NAME = "reasoning";

  public static final class State {
    long prompts;
    long reasoning;
    long grading;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public State newState() {
    return new State();
  }

  @Override
  public void observe(State s, Exchange e) {
    if (!e.endpoint().endsWith("completions")) {
      return;
    }
    TextFeatures f = TextFeatures.of(e);
    s.prompts++;
    if (f.elicitsReasoning()) {
      s.reasoning++;
    }
    if (f.grades()) {
      s.grading++;
    }
  }

  @Override
  public Signal evaluate(State s) {
    if (s.prompts < 10) {
      return Signal.none(NAME, s.prompts);
    }
    double reasoning = (double) s.reasoning / s.prompts;
    double grading = (double) s.grading / s.prompts;
    double share = Math.min(1, reasoning + grading);
    double v = Suspicion.withEvidence(Suspicion.ramp(share, 0.25, 0.7), s.prompts, 10, 40);
    return new Signal(NAME, v, s.prompts, "reasoning requested in " + Suspicion.percent(reasoning) + " and grading in "
        + Suspicion.percent(grading) + " of " + s.prompts + " prompts");
  }
}
