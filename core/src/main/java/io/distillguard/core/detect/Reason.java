package io.distillguard.core.detect;

/**
 * One line of a risk score's explanation.
 *
 * @param contribution how much of the final score this signal accounts for
 */
public record Reason(String signal, double value, double contribution, String explanation) {}
