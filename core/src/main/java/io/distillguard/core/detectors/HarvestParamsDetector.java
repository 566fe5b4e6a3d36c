package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;

/**
 * Sampling parameters that serve harvesting better than use: several completions per prompt ({@code n > 1}),
 * log-probabilities (soft labels for distillation), maximal {@code max_tokens}, a fixed seed, and the same prompt
 * swept over temperatures.
 */
public final class HarvestParamsDetector implements Detector<HarvestParamsDetector.State> {
  public static final String NAME = "harvest-params";
  static final int LONG_OUTPUT = 4000;
  private static final int RING = 16;

  public static final class State {
    long requests;
    long multiSample;
    long logprobs;
    long maxTokens;
    long seeded;
    long sweeps;
    final long[] promptKeys = new long[RING];
    final double[] temperatures = new double[RING];
    int next;
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
    SamplingParams p = e.params();
    s.requests++;
    if (p.n() != null && p.n() > 1) {
      s.multiSample++;
    }
    if (Boolean.TRUE.equals(p.logprobs()) || (p.topLogprobs() != null && p.topLogprobs() > 0)) {
      s.logprobs++;
    }
    if (p.maxTokens() != null && p.maxTokens() >= LONG_OUTPUT) {
      s.maxTokens++;
    }
    if (p.seed() != null) {
      s.seeded++;
    }
    if (p.temperature() != null && e.promptSha256() != null) {
      long key = e.promptSha256().hashCode() * 0x9E3779B97F4A7C15L + e.promptChars();
      for (int i = 0; i < RING; i++) {
        if (s.promptKeys[i] == key && s.temperatures[i] != p.temperature()) {
          s.sweeps++;
          break;
        }
      }
      s.promptKeys[s.next] = key;
      s.temperatures[s.next] = p.temperature();
      s.next = (s.next + 1) % RING;
    }
  }

  @Override
  public Signal evaluate(State s) {
    if (s.requests < 10) {
      return Signal.none(NAME, s.requests);
    }
    double n = s.requests;
    double strongest = Math.max(Math.max(s.multiSample / n, s.logprobs / n), Math.max(s.sweeps / n,
        0.5 * Math.max(s.maxTokens / n, s.seeded / n)));
    double v = Suspicion.withEvidence(Suspicion.ramp(strongest, 0.2, 0.7), s.requests, 10, 50);
    return new Signal(NAME, v, s.requests, "of " + s.requests + " requests: n>1 " + Suspicion.percent(s.multiSample / n)
        + ", logprobs " + Suspicion.percent(s.logprobs / n) + ", max_tokens>=" + LONG_OUTPUT + " "
        + Suspicion.percent(s.maxTokens / n) + ", fixed seed " + Suspicion.percent(s.seeded / n)
        + ", temperature sweeps " + Suspicion.percent(s.sweeps / n));
  }
}
