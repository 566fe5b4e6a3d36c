package io.distillguard.provenance.detect;

import io.distillguard.provenance.watermark.WatermarkKey;

/**
 * One key's test result on a set of events.
 *
 * @param key       the key tested
 * @param events    informative (context, set) pairs the key selects (at the detector's strength)
 * @param hits      of those, pairs that favour the key's preferred variant (use it more than the set does overall)
 * @param expected  hits expected without the key
 * @param variance  their variance without the key
 * @param z         the test statistic (summed tilts towards the preferred variants) standardized by its null mean
 *                  and variance; 0 when there are no events
 * @param log10P    log10 of the one-sided p-value P(statistic at least this large | no key), from the statistic's
 *                  exact null distribution given the text (kept as a logarithm: strong evidence underflows a double)
 * @param log10PAdjusted log10 of the p-value after correction for the number of keys tested (Holm), or
 *                  {@code log10P} for a single key
 * @param log10MidP log10 of the mid-p-value (the statistic's point probability counted half), closer to uniform
 *                  under the null than {@code log10P} when a text has few events; for calibration, not evidence
 */
public record KeyScore(WatermarkKey key, int events, int hits, double expected, double variance, double z,
    double log10P, double log10PAdjusted, double log10MidP) {

  public KeyScore(WatermarkKey key, int events, int hits, double expected, double variance, double z,
      double log10P, double log10PAdjusted) {
    this(key, events, hits, expected, variance, z, log10P, log10PAdjusted, log10P);
  }

  public double midP() {
    return Math.pow(10, log10MidP);
  }

  public double p() {
    return Math.pow(10, log10P);
  }

  public double pAdjusted() {
    return Math.pow(10, log10PAdjusted);
  }

  public double hitRate() {
    return events == 0 ? 0 : (double) hits / events;
  }

  public double nullRate() {
    return events == 0 ? 0 : expected / events;
  }

  KeyScore adjusted(double log10Adj) {
    return new KeyScore(key, events, hits, expected, variance, z, log10P, log10Adj, log10MidP);
  }
}
