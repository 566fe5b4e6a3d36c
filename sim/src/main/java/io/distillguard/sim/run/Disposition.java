package io.distillguard.sim.run;

/** What the simulated gateway did with one request. */
public enum Disposition {
  /** Answered (200), whatever the account's level: active, watch, throttled within its limit, degraded. */
  SERVED(200, null),
  /** Refused with 403 {@code account_blocked}: the account is blocked. */
  BLOCKED(403, "account_blocked"),
  /** Refused with 429 {@code account_throttled}: the account is throttled and over the throttled limit. */
  THROTTLED(429, "account_throttled"),
  /** Refused with 429 {@code rate_limit_exceeded}: over the ordinary limit of the account's tier. */
  RATE_LIMITED(429, "rate_limit_exceeded");

  private final int status;
  private final String errorCode;

  Disposition(int status, String errorCode) {
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  /** The OpenAI-style error code the gateway answers with, null when served. */
  public String errorCode() {
    return errorCode;
  }

  public boolean served() {
    return this == SERVED;
  }

  /** True when the refusal is due to detection's enforcement (block or throttle), not ordinary tier limits. */
  public boolean byEnforcement() {
    return this == BLOCKED || this == THROTTLED;
  }
}
