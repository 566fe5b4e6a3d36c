package io.distillguard.sim;

/**
 * What the gateway (real, or simulated in-process) did with a request; actors react to it as real clients would
 * (a blocked account stops getting data, a throttled one slows down, a campaign may open new accounts).
 *
 * @param status            HTTP status (200 served; 401/403 refused; 429 limited or throttled; 5xx failed)
 * @param retryAfterSeconds from {@code Retry-After}, 0 when absent
 * @param responseText      the answer served, null when none
 */
public record SimResult(int status, long retryAfterSeconds, String responseText, int promptTokens,
    int completionTokens) {

  public boolean served() {
    return status == 200;
  }
}
