package io.distillguard.gateway.enforcement;

import io.distillguard.core.AccountStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The enforcement status of every account as this node knows it, read on every request. Analysts' overrides and
 * (later) detection verdicts write it; the store holds the durable copy.
 */
public final class EnforcementCache {
  private final Map<String, AccountStatus> statuses = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, AccountStatus>> overrideListeners = new CopyOnWriteArrayList<>();

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

  /**
   * An analyst's or operator's decision: {@link #set}, then every override listener is told (in cluster mode the
   * decision is published to the verdict topic, so every node enforces it).
   */
  public void override(String accountId, AccountStatus status) {
    set(accountId, status);
    for (BiConsumer<String, AccountStatus> l : overrideListeners) {
      l.accept(accountId, status);
    }
  }

  /** Called on the overriding thread after each {@link #override}. */
  public void onOverride(BiConsumer<String, AccountStatus> listener) {
    overrideListeners.add(listener);
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
