package io.distillguard.core;

import java.util.Locale;

/** How an exchange ended, from the gateway's point of view. */
public enum Outcome {
  /** The upstream answered and the whole answer reached the client. */
  OK,
  /** The gateway refused the request itself (bad key, limits, blocked account, malformed input). */
  REJECTED,
  /** The upstream answered with an error status. */
  UPSTREAM_ERROR,
  /** The upstream could not be reached. */
  UPSTREAM_UNAVAILABLE,
  /** The upstream did not answer in time (first byte or between chunks). */
  UPSTREAM_TIMEOUT,
  /** The upstream dropped the connection after the answer had started. */
  UPSTREAM_RESET,
  /** The client went away before the answer was complete. */
  CLIENT_CANCELLED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Outcome parse(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
