package io.distillguard.core;

import java.util.Locale;

/**
 * The enforcement level of an account, from least to most restrictive. The gateway reads it on every request;
 * detection and analysts change it.
 */
public enum AccountStatus {
  /** Served normally. */
  ACTIVE,
  /** Served normally, but under closer observation (expensive signals, stronger watermark). */
  WATCH,
  /** Served under the tighter "throttled" limits. */
  THROTTLED,
  /** Served, but reasoning-rich content is reduced. */
  DEGRADED,
  /** Refused with 403 {@code account_blocked}. */
  BLOCKED;

  /** The lower-case name used in the API and the store. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name.
   *
   * @throws IllegalArgumentException naming the accepted values when {@code value} is not one of them
   */
  public static AccountStatus parse(String value) {
    if (value != null) {
      for (AccountStatus s : values()) {
        if (s.wireName().equals(value)) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException(
        "status must be one of active, watch, throttled, degraded, blocked");
  }
}
