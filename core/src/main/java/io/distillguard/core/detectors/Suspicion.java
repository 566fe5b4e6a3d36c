package io.distillguard.core.detectors;

/** Shared shaping of raw statistics into suspicion values. */
final class Suspicion {
  private Suspicion() {}

  /** A smooth step from 0 (at or below {@code low}) to 1 (at or above {@code high}). */
  static double ramp(double x, double low, double high) {
    if (x <= low) {
      return 0;
    }
    if (x >= high) {
      return 1;
    }
    double t = (x - low) / (high - low);
    return t * t * (3 - 2 * t);
  }

  /** Discounts a value until {@code evidence} reaches {@code full}: few exchanges prove little. */
  static double withEvidence(double value, long evidence, long minimum, long full) {
    if (evidence < minimum) {
      return 0;
    }
    return value * Math.min(1.0, (double) evidence / full);
  }

  static String percent(double share) {
    return Math.round(share * 100) + "%";
  }
}
