package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import java.time.Duration;

/**
 * Pace right after a new model appears (a pivot): campaigns are reported to redirect much of their traffic to a
 * newly released model within hours, to harvest it before anyone reacts. Counts the account's requests over the last
 * 24 hours (event time) to models that were released less than {@link #NEW_FOR} before the request, and rises on a
 * log scale above a reference pace, like {@link PaceDetector}: trying a new model is what everyone does; sending it
 * thousands of requests on its first day is not.
 *
 * <p>Release times come from a {@link ModelCatalog} shared by the engine's accounts; per account the state is two
 * 24-slot hourly rings and a few numbers.
 */
public final class PivotDetector implements Detector<PivotDetector.State> {
  public static final String NAME = "pivot";
  /** How long after its release a model counts as new. */
  public static final Duration NEW_FOR = Duration.ofHours(72);
  /** Models served within this much of the first exchange an engine sees were there before it started. */
  public static final Duration WARMUP = Duration.ofHours(24);

  private final ModelCatalog catalog;
  private final double referenceRequestsPerDay;

  /**
   * @param catalog                 release times, shared by every account of one engine
   * @param referenceRequestsPerDay requests per day to new models at which suspicion starts to rise
   */
  public PivotDetector(ModelCatalog catalog, double referenceRequestsPerDay) {
    this.catalog = catalog;
    this.referenceRequestsPerDay = referenceRequestsPerDay;
  }

  /** A detector with its own catalog that learns release times from the traffic it sees. */
  public PivotDetector(double referenceRequestsPerDay) {
    this(new ModelCatalog(WARMUP), referenceRequestsPerDay);
  }

  public static final class State {
    final int[] onNew = new int[24];
    final int[] all = new int[24];
    long currentHour = Long.MIN_VALUE;
    long total;
    /** Least seconds between a model's release and this account's first request to it; -1 while none. */
    long fastestLag = -1;
    long lastNewRelease = Long.MIN_VALUE;
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
    long release = catalog.observe(e);
    long t = e.eventTime().getEpochSecond();
    long hour = Math.floorDiv(t, 3600);
    if (s.currentHour == Long.MIN_VALUE) {
      s.currentHour = hour;
    }
    if (hour > s.currentHour) {
      long gap = Math.min(24, hour - s.currentHour);
      for (long h = 1; h <= gap; h++) {
        int i = (int) Math.floorMod(s.currentHour + h, 24L);
        s.onNew[i] = 0;
        s.all[i] = 0;
      }
      s.currentHour = hour;
    }
    s.total++;
    if (hour <= s.currentHour - 24) {
      return; // older than the window (out-of-order event)
    }
    int i = (int) Math.floorMod(hour, 24L);
    s.all[i]++;
    if (release != ModelCatalog.ESTABLISHED && t - release >= 0 && t - release < NEW_FOR.toSeconds()) {
      s.onNew[i]++;
      if (release != s.lastNewRelease) {
        s.lastNewRelease = release;
        long lag = t - release;
        s.fastestLag = s.fastestLag < 0 ? lag : Math.min(s.fastestLag, lag);
      }
    }
  }

  @Override
  public double suspicion(State s) {
    return suspicion(onNew(s));
  }

  private double suspicion(long onNew) {
    if (onNew == 0) {
      return 0;
    }
    return Suspicion.ramp(Math.log(onNew / referenceRequestsPerDay) / Math.log(2), 0, 3);
  }

  private static long onNew(State s) {
    long n = 0;
    for (int v : s.onNew) {
      n += v;
    }
    return n;
  }

  @Override
  public Signal evaluate(State s) {
    long n = onNew(s);
    long all = 0;
    for (int v : s.all) {
      all += v;
    }
    if (n == 0) {
      return new Signal(NAME, 0, s.total, "no requests to a newly released model in the last 24 h");
    }
    return new Signal(NAME, suspicion(n), s.total, n + " of " + all + " requests in the last 24 h went to a model "
        + "released less than " + NEW_FOR.toHours() + " h before; first request " + lag(s.fastestLag)
        + " after its release");
  }

  private static String lag(long seconds) {
    if (seconds < 3600) {
      return Math.max(1, seconds / 60) + " min";
    }
    return seconds / 3600 + " h";
  }
}
