package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.text.TextFeatures;

/**
 * Conversation shape: chat users follow up on answers (the request carries earlier turns); a harvest sends one-shot
 * prompts and never builds on what it got. A constant system prompt is typical of products, so it lowers the
 * signal: a product integration is single-turn for good reasons.
 */
public final class ConversationDetector implements Detector<ConversationDetector.State> {
  public static final String NAME = "conversation";

  public static final class State {
    long requests;
    long singleTurn;
    long withSystem;
    final TopK systems = new TopK(2);
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
    if (!e.endpoint().endsWith("chat/completions")) {
      return;
    }
    TextFeatures f = TextFeatures.of(e);
    s.requests++;
    if (f.userTurns <= 1 && !f.followUp) {
      s.singleTurn++;
    }
    if (f.systemHash != 0) {
      s.withSystem++;
      s.systems.add(f.systemHash);
    }
  }

  @Override
  public Signal evaluate(State s) {
    if (s.requests < 20) {
      return Signal.none(NAME, s.requests);
    }
    double single = (double) s.singleTurn / s.requests;
    double constantSystem = s.withSystem == 0 ? 0 : s.systems.topShare(1) * s.withSystem / s.requests;
    double v = Suspicion.ramp(single, 0.85, 0.99) * (1 - constantSystem);
    v = Suspicion.withEvidence(v, s.requests, 20, 100);
    return new Signal(NAME, v, s.requests, Suspicion.percent(single) + " of " + s.requests
        + " chat requests are single-turn; " + Suspicion.percent(constantSystem) + " share one system prompt");
  }
}
