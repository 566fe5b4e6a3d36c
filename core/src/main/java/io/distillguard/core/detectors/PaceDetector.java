package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;

/**
 * Volume and pace against a reference: requests and output tokens over the last 24 hours (event time) compared with
 * what a busy ordinary account sends. Unlike the baseline's hard threshold it rises smoothly, on a log scale, and
 * counts output tokens too (a harvest wants long answers).
 */
public final class PaceDetector implements Detector<PaceDetector.State> {
  public static final String NAME = "pace";
  private final double referenceRequestsPerDay;
  private final double referenceTokensPerDay;

  /**
   * @param referenceRequestsPerDay requests per day at which suspicion starts to rise (a heavy ordinary account)
   * @param referenceTokensPerDay   output tokens per day likewise
   */
  public PaceDetector(double referenceRequestsPerDay, double referenceTokensPerDay) {
    this.referenceRequestsPerDay = referenceRequestsPerDay;
    this.referenceTokensPerDay = referenceTokensPerDay;
  }

  public static final class State {
    final int[] requests = new int[24];
    final long[] tokens = new long[24];
    long currentHour = Long.MIN_VALUE;
    long total;
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
    long hour = Math.floorDiv(e.eventTime().getEpochSecond(), 3600);
    if (s.currentHour == Long.MIN_VALUE) {
      s.currentHour = hour;
    }
    if (hour > s.currentHour) {
      long gap = Math.min(24, hour - s.currentHour);
      for (long h = 1; h <= gap; h++) {
        int i = (int) Math.floorMod(s.currentHour + h, 24L);
        s.requests[i] = 0;
        s.tokens[i] = 0;
      }
      s.currentHour = hour;
    }
    if (hour > s.currentHour - 24) {
      int i = (int) Math.floorMod(hour, 24L);
      s.requests[i]++;
      s.tokens[i] += e.completionTokens();
    }
    s.total++;
  }

  @Override
  public Signal evaluate(State s) {
    long req = 0;
    long tok = 0;
    for (int i = 0; i < 24; i++) {
      req += s.requests[i];
      tok += s.tokens[i];
    }
    double r = Math.log(Math.max(1, req) / referenceRequestsPerDay) / Math.log(2);
    double t = Math.log(Math.max(1, tok) / referenceTokensPerDay) / Math.log(2);
    double v = Suspicion.ramp(Math.max(r, t), 0, 3);
    return new Signal(NAME, v, s.total, req + " requests and " + tok + " output tokens in the last 24 h");
  }
}
