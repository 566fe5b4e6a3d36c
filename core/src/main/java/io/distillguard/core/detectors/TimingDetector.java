package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;

/**
 * Timing: people pause (they sleep, they read the answer); scripts do not. Measures the hours of the day an account
 * was active over the last days and the regularity of its inter-arrival times (coefficient of variation of the log
 * gaps; a metronome is near zero).
 */
public final class TimingDetector implements Detector<TimingDetector.State> {
  public static final String NAME = "timing";
  private static final int DAYS = 7;

  public static final class State {
    final int[] activeHours = new int[DAYS];
    long currentDay = Long.MIN_VALUE;
    long lastMicros = Long.MIN_VALUE;
    long gaps;
    double meanLog;
    double m2Log;
    long requests;
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
    long day = Math.floorDiv(e.eventTime().getEpochSecond(), 86_400);
    int hour = (int) Math.floorMod(e.eventTime().getEpochSecond() / 3600, 24L);
    if (s.currentDay == Long.MIN_VALUE) {
      s.currentDay = day;
    }
    if (day > s.currentDay) {
      long shift = Math.min(DAYS, day - s.currentDay);
      for (long d = 1; d <= shift; d++) {
        s.activeHours[(int) Math.floorMod(s.currentDay + d, (long) DAYS)] = 0;
      }
      s.currentDay = day;
    }
    if (day == s.currentDay) {
      s.activeHours[(int) Math.floorMod(day, (long) DAYS)] |= 1 << hour;
    }
    if (s.lastMicros != Long.MIN_VALUE && micros > s.lastMicros) {
      double g = Math.log((micros - s.lastMicros) / 1e6 + 0.001);
      s.gaps++;
      double d = g - s.meanLog;
      s.meanLog += d / s.gaps;
      s.m2Log += d * (g - s.meanLog);
    }
    s.lastMicros = Math.max(s.lastMicros, micros);
    s.requests++;
  }

  @Override
  public Signal evaluate(State s) {
    if (s.requests < 30) {
      return Signal.none(NAME, s.requests);
    }
    int maxHours = 0;
    int busyDays = 0;
    for (int h : s.activeHours) {
      int n = Integer.bitCount(h);
      maxHours = Math.max(maxHours, n);
      if (n >= 20) {
        busyDays++;
      }
    }
    double sd = s.gaps > 1 ? Math.sqrt(s.m2Log / (s.gaps - 1)) : 0;
    double regular = 1 - Suspicion.ramp(sd, 0.15, 0.6);
    double sleepless = Suspicion.ramp(maxHours, 18, 23) * (busyDays >= 2 ? 1 : 0.5);
    double v = Suspicion.withEvidence(Math.max(sleepless, 0.7 * regular), s.requests, 30, 200);
    return new Signal(NAME, v, s.requests, "active " + maxHours + " hours of a day (" + busyDays
        + " days with 20 or more); spread of log inter-arrival " + Math.round(sd * 100) / 100.0);
  }
}
