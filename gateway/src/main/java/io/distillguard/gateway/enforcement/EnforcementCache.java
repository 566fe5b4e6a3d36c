package io.distillguard.gateway.enforcement;

import io.distillguard.core.AccountStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The enforcement status of every account as this node knows it, read on every request. Analysts' overrides and
 * (later) detection verdicts write it; the store holds the durable copy.
 */
public final class EnforcementCache {
  private final Map<String, AccountStatus> statuses = new ConcurrentHashMap<>();

  /** The account's status; {@code active} for accounts never set. */
  public AccountStatus statusOf(String accountId) {
    AccountStatus s = statuses.get(accountId);
    return s == null ? AccountStatus.ACTIVE : s;
  }

  public void set(String accountId, AccountStatus status) {
    if (status == AccountStatus.ACTIVE) {
      statuses.remove(accountId);
    } else {
      statuses.put(accountId, status);
    }
  }

  /** Number of accounts at the given status (other than active). */
  public long count(AccountStatus status) {
    return statuses.values().stream().filter(s -> s == status).count();
  }

  /** Number of accounts at a status other than active. */
  public int restrictedCount() {
    return statuses.size();
  }
}
