package io.distillguard.provenance.detect;

import io.distillguard.provenance.watermark.WatermarkKey;

/**
 * One key's test result on a set of events.
 *
 * @param key       the key tested
 * @param events    distinct events the key selects (at the detector's strength)
 * @param hits      of those, events whose variant is the key's preferred one
 * @param expected  hits expected without the key: the sum of 1/|set|
 * @param variance  their variance without the key: the sum of p(1 - p)
 * @param z         (hits - expected) / sqrt(variance); 0 when there are no events
 * @param log10P    log10 of the one-sided p-value P(hits at least this many | no key), from the exact
 *                  Poisson-binomial tail (kept as a logarithm: strong evidence underflows a double)
 * @param log10PAdjusted log10 of the p-value after correction for the number of keys tested (Holm), or
 *                  {@code log10P} for a single key
 */
public record KeyScore(WatermarkKey key, int events, int hits, double expected, double variance, double z,
    double log10P, double log10PAdjusted) {

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
    return new KeyScore(key, events, hits, expected, variance, z, log10P, log10Adj);
  }
}
