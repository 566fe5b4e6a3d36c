package io.distillguard.sim.population;

/**
 * Diurnal and weekly activity profiles in the account's local time: relative intensity per hour of the week
 * (Monday 00:00 first), peak 1. The traces available span one hour, so the shapes are not fitted; they follow the
 * commonly reported pattern of interactive services: a night trough around 3-5 am at about a tenth of the peak,
 * office hours for work use with weekends at about a quarter, evenings and weekends for personal use.
 */
public enum Rhythm {
  /** Office hours on weekdays. */
  WORK(new double[] {0.04, 0.03, 0.02, 0.02, 0.02, 0.04, 0.10, 0.25, 0.55, 0.85, 1.00, 0.95, 0.75, 0.90, 1.00, 0.95,
      0.85, 0.60, 0.35, 0.25, 0.20, 0.15, 0.10, 0.06}, 0.22),
  /** Evenings and weekends. */
  PERSONAL(new double[] {0.30, 0.16, 0.08, 0.05, 0.04, 0.05, 0.10, 0.20, 0.30, 0.38, 0.42, 0.48, 0.55, 0.50, 0.48,
      0.50, 0.55, 0.62, 0.72, 0.85, 1.00, 0.95, 0.78, 0.50}, 1.15),
  /** A bit of both (students, freelancers). */
  MIXED(new double[] {0.20, 0.10, 0.05, 0.04, 0.03, 0.05, 0.10, 0.22, 0.45, 0.65, 0.75, 0.75, 0.65, 0.72, 0.78, 0.75,
      0.72, 0.62, 0.58, 0.62, 0.70, 0.65, 0.50, 0.32}, 0.70),
  /** A product's end users worldwide: always on, mild daily swing. */
  FLAT(new double[] {0.70, 0.65, 0.60, 0.58, 0.58, 0.60, 0.66, 0.74, 0.82, 0.90, 0.96, 1.00, 1.00, 0.98, 0.97, 0.96,
      0.95, 0.94, 0.93, 0.92, 0.90, 0.86, 0.80, 0.75}, 0.90),
  /** Constant (automated jobs). */
  CONSTANT(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 1.0);

  private final double[] week = new double[168];
  private final double mean;

  Rhythm(double[] day, double weekendFactor) {
    double max = 0;
    for (int d = 0; d < 7; d++) {
      boolean weekend = d >= 5;
      for (int h = 0; h < 24; h++) {
        // On weekends personal activity starts later: shift the curve by two hours.
        double v = weekend && weekendFactor > 1 ? day[Math.floorMod(h - 2, 24)] : day[h];
        week[d * 24 + h] = weekend ? v * weekendFactor : v;
        max = Math.max(max, week[d * 24 + h]);
      }
    }
    double sum = 0;
    for (int i = 0; i < 168; i++) {
      week[i] /= max;
      sum += week[i];
    }
    mean = sum / 168;
  }

  /** Local hour of the week (0 = Monday 00:00 local) of an instant. */
  public static int hourOfWeek(long epochMillis, int utcOffsetMinutes) {
    long hours = Math.floorDiv(epochMillis + utcOffsetMinutes * 60_000L, 3_600_000L);
    long day = Math.floorDiv(hours, 24);
    int dow = Math.floorMod(day + 3, 7); // 1970-01-01 was a Thursday
    return dow * 24 + Math.floorMod(hours, 24);
  }

  /** Intensity in (0, 1] at an instant for an account in the given UTC offset. */
  public double intensity(long epochMillis, int utcOffsetMinutes) {
    return week[hourOfWeek(epochMillis, utcOffsetMinutes)];
  }

  /** Intensity at a local hour of the week. */
  public double at(int hourOfWeek) {
    return week[hourOfWeek];
  }

  /** Mean intensity over the week (a rate r per hour averaged over the week needs peak rate r / mean). */
  public double mean() {
    return mean;
  }
}
