package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;

/**
 * The naive baseline every report compares against: an account is suspicious when its requests in the last 24 hours
 * (event time) exceed a fixed threshold. State: 24 hourly counters.
 */
public final class VolumeThresholdDetector implements Detector<VolumeThresholdDetector.State> {
  public static final String NAME = "volume-threshold";
  private final long requestsPerDay;

  public VolumeThresholdDetector(long requestsPerDay) {
    if (requestsPerDay < 1) {
      throw new IllegalArgumentException("requestsPerDay must be positive");
    }
    this.requestsPerDay = requestsPerDay;
  }

  /** Hourly request counts in a ring, keyed by the hour of the latest exchange. */
  public static final class State {
    final int[] hours = new int[24];
    long currentHour = Long.MIN_VALUE;
    long exchanges;

    long lastDay() {
      long sum = 0;
      for (int h : hours) {
        sum += h;
      }
      return sum;
    }
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
        s.hours[(int) Math.floorMod(s.currentHour + h, 24L)] = 0;
      }
      s.currentHour = hour;
    }
    s.hours[(int) Math.floorMod(Math.max(hour, s.currentHour - 23), 24L)]++;
    s.exchanges++;
  }

  @Override
  public Signal evaluate(State s) {
    long day = s.lastDay();
    if (day <= requestsPerDay) {
      return new Signal(NAME, 0, s.exchanges, day + " requests in the last 24 h (threshold " + requestsPerDay + ")");
    }
    return new Signal(NAME, 1, s.exchanges,
        day + " requests in the last 24 h, over the threshold of " + requestsPerDay);
  }
}
