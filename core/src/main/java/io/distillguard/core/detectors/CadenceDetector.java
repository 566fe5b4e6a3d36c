package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;

/**
 * Cadence: how evenly spaced an account's requests are, as the spread (standard deviation) of the logarithm of the
 * gaps between them. A script working through a list at a set pace, even with jitter, keeps the spread well under
 * 1; people, and products serving people, are bursty: a reply in seconds, the next question an hour later (spread 1
 * and more; 2 to 3 for busy customers). {@link TimingDetector} folds regularity into one value with sleeplessness;
 * this is regularity alone, so a learned combination can weigh it on its own.
 *
 * <p>State: the last event time and running mean and variance of the log gaps (Welford).
 */
public final class CadenceDetector implements Detector<CadenceDetector.State> {
  public static final String NAME = "cadence";
  /** Spread of log gaps at or below which the cadence counts as fully machine-like, and where it stops counting. */
  static final double EVEN = 0.6;
  static final double BURSTY = 0.9;

  public static final class State {
    long lastMicros = Long.MIN_VALUE;
    long gaps;
    double mean;
    double m2;
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
    long micros = e.eventTime().getEpochSecond() * 1_000_000L + e.eventTime().getNano() / 1_000;
    if (s.lastMicros != Long.MIN_VALUE && micros > s.lastMicros) {
      double g = Math.log((micros - s.lastMicros) / 1e6 + 0.001);
      s.gaps++;
      double d = g - s.mean;
      s.mean += d / s.gaps;
      s.m2 += d * (g - s.mean);
    }
    s.lastMicros = Math.max(s.lastMicros, micros);
  }

  private static double spread(State s) {
    return s.gaps > 1 ? Math.sqrt(s.m2 / (s.gaps - 1)) : 0;
  }

  @Override
  public double suspicion(State s) {
    if (s.gaps < 30) {
      return 0;
    }
    return Suspicion.withEvidence(1 - Suspicion.ramp(spread(s), EVEN, BURSTY), s.gaps, 30, 100);
  }

  @Override
  public Signal evaluate(State s) {
    if (s.gaps < 30) {
      return Signal.none(NAME, s.gaps);
    }
    double sd = spread(s);
    return new Signal(NAME, suspicion(s), s.gaps, "spread of log gaps between requests " + Math.round(sd * 100) / 100.0
        + " over " + s.gaps + " gaps (people: 1 and more; a paced script: under 0.6); median gap "
        + Math.round(Math.exp(s.mean) * 10) / 10.0 + " s");
  }
}
