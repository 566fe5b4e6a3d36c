package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;

/**
 * Sustained work: the account's most active stretch of {@value #WINDOW} minutes within the last 24 hours (event time),
 * counted in minutes with at least one request. A harvest needs its dataset answered and keeps going minute after
 * minute; a person's session has pauses, an hourly job touches one minute an hour, and a benchmark run or an
 * experiment is a burst at many requests a second and then stops. Activity faster than {@value #FAST_FROM}-{@value
 * #FAST_TO} requests per active minute is discounted while it covers fewer than {@value #FAST_SUSTAINED_FROM}-{@value
 * #FAST_SUSTAINED_TO} minutes of the stretch: benchmark runs finish within half an hour; a fast harvest that keeps
 * going counts in full. The best stretch is remembered for a day, so an account that stops does not look innocent an
 * hour later.
 *
 * <p>State: a bit per minute of the last 64 and a request count per minute (the sliding stretch), and the best value
 * of each of the last 24 hours.
 */
public final class PersistenceDetector implements Detector<PersistenceDetector.State> {
  public static final String NAME = "persistence";
  /** Minutes in a stretch. */
  static final int WINDOW = 60;
  /**
   * Active minutes in a stretch where the signal starts and where it is full. Full at 14, not 20: a paced script's
   * other signals (cadence, one-shot prompts, templates) are complete within about 100 requests, so the time this
   * signal takes to build decided how much a naive scraper got before its first throttle (at 20, about 7.5 minutes:
   * 226 answers at 30 a minute). The benign accounts that set the thresholds reach full persistence either way; on
   * the tuning scenarios 14 kept every heavy user below throttle where 10 and 12 let a benchmark runner through.
   */
  static final int FROM_MINUTES = 2;
  static final int FULL_MINUTES = 14;
  static final double FAST_FROM = 60;
  static final double FAST_TO = 120;
  /** Active minutes of the stretch from which fast activity counts again, and where it counts in full. */
  static final int FAST_SUSTAINED_FROM = 30;
  static final int FAST_SUSTAINED_TO = 45;

  public static final class State {
    /** Bit i: the account was active i minutes before {@link #minute}. */
    long mask;
    final int[] requests = new int[64];
    long minute = Long.MIN_VALUE;
    /** Best stretch value seen in each hour of the last day, by hour of day; {@link #hour} is the latest. */
    final float[] hourBest = new float[24];
    long hour = Long.MIN_VALUE;
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
    long m = Math.floorDiv(e.eventTime().getEpochSecond(), 60);
    if (s.minute == Long.MIN_VALUE) {
      s.minute = m;
      s.hour = Math.floorDiv(m, 60);
    }
    if (m > s.minute) {
      long shift = m - s.minute;
      for (long k = 1; k <= Math.min(64, shift); k++) {
        s.requests[(int) Math.floorMod(s.minute + k, 64L)] = 0;
      }
      s.mask = shift >= 64 ? 0 : s.mask << shift;
      s.minute = m;
      long h = Math.floorDiv(m, 60);
      if (h > s.hour) {
        for (long k = 1; k <= Math.min(24, h - s.hour); k++) {
          s.hourBest[(int) Math.floorMod(s.hour + k, 24L)] = 0;
        }
        s.hour = h;
      }
    }
    long age = s.minute - m; // a late event (out of order) lands in its own minute while still in range
    if (age < 64) {
      s.mask |= 1L << age;
      s.requests[(int) Math.floorMod(m, 64L)]++;
    }
    s.total++;
    int slot = (int) Math.floorMod(s.hour, 24L);
    s.hourBest[slot] = Math.max(s.hourBest[slot], (float) stretch(activeMinutes(s), recentRequests(s)));
  }

  private static long activeMinutes(State s) {
    return Long.bitCount(s.mask & ((1L << WINDOW) - 1));
  }

  private static long recentRequests(State s) {
    long n = 0;
    for (int k = 0; k < WINDOW; k++) {
      n += s.requests[(int) Math.floorMod(s.minute - k, 64L)];
    }
    return n;
  }

  /** The value of one stretch of {@code minutes} active minutes carrying {@code requests} requests. */
  static double stretch(long minutes, long requests) {
    if (minutes == 0) {
      return 0;
    }
    double rate = (double) requests / minutes;
    double burst = Suspicion.ramp(rate, FAST_FROM, FAST_TO)
        * (1 - Suspicion.ramp(minutes, FAST_SUSTAINED_FROM, FAST_SUSTAINED_TO));
    return Suspicion.ramp(minutes, FROM_MINUTES, FULL_MINUTES) * (1 - burst);
  }

  @Override
  public double suspicion(State s) {
    if (s.total < 30) {
      return 0;
    }
    float best = 0;
    for (float v : s.hourBest) {
      best = Math.max(best, v);
    }
    return best;
  }

  @Override
  public Signal evaluate(State s) {
    if (s.total < 30) {
      return Signal.none(NAME, s.total);
    }
    long minutes = activeMinutes(s);
    long requests = recentRequests(s);
    return new Signal(NAME, suspicion(s), s.total, "most sustained hour of the last 24 h scores "
        + Math.round(100 * suspicion(s)) + "%; now active in " + minutes + " of the last " + WINDOW + " minutes at "
        + (minutes == 0 ? 0 : Math.round(10.0 * requests / minutes) / 10.0) + " requests per active minute");
  }
}
