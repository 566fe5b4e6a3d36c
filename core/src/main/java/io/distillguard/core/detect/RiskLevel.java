package io.distillguard.core.detect;

import io.distillguard.core.AccountStatus;
import java.util.Locale;

/** The action a risk score calls for, in increasing order. */
public enum RiskLevel {
  NONE(AccountStatus.ACTIVE),
  WATCH(AccountStatus.WATCH),
  THROTTLE(AccountStatus.THROTTLED),
  DEGRADE(AccountStatus.DEGRADED),
  BLOCK(AccountStatus.BLOCKED);

  private final AccountStatus status;

  RiskLevel(AccountStatus status) {
    this.status = status;
  }

  /** The level whose status is {@code s}: the inverse of {@link #status()}. */
  public static RiskLevel of(AccountStatus s) {
    for (RiskLevel l : values()) {
      if (l.status == s) {
        return l;
      }
    }
    return NONE;
  }

  /** The enforcement status this level maps to. */
  public AccountStatus status() {
    return status;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean atLeast(RiskLevel other) {
    return compareTo(other) >= 0;
  }
}
