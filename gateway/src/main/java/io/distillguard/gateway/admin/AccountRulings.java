package io.distillguard.gateway.admin;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.detection.DetectionService;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.store.NotFoundException;
import io.distillguard.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * An analyst's or operator's change of one account's status, as the admin API's
 * {@code POST /admin/v1/accounts/{id}/status} and the dashboard's review actions make it: the store is changed and
 * the change audited first ({@link #record}, on a worker thread), then the gateway's caches and detection are told
 * ({@link #apply}), so a failure never leaves a cache ahead of the store and detection does not undo the ruling.
 * Each caller names its own audit actor and source.
 */
public final class AccountRulings {
  /** The longest reason the audit log takes. */
  public static final int MAX_REASON = 2000;

  private final Store store;
  private final AccountDirectory directory;
  private final EnforcementCache enforcement;
  private final DetectionService detection;
  private final Clock clock;

  /** @param detection the detection service, or null when detection is off */
  public AccountRulings(Store store, AccountDirectory directory, EnforcementCache enforcement,
      DetectionService detection, Clock clock) {
    this.store = store;
    this.directory = directory;
    this.enforcement = enforcement;
    this.detection = detection;
    this.clock = clock;
  }

  /** The account before and after a change. */
  public record Change(Account before, Account after) {
    public AccountStatus to() {
      return after.status();
    }
  }

  /**
   * Why {@code reason} cannot go into the audit log, or null when it can: it must be given, not blank, and at most
   * {@value #MAX_REASON} characters.
   */
  public static String reasonProblem(String reason) {
    return reason == null || reason.isBlank() || reason.length() > MAX_REASON
        ? "'reason' is required: say why (at most " + MAX_REASON + " characters); it goes into the audit log"
        : null;
  }

  /**
   * Sets the status in the store and appends the {@code account.status} audit entry; blocking.
   *
   * @param source the audit entry's {@code source} detail, e.g. {@code manual} or {@code review}
   * @throws NotFoundException for an unknown account
   */
  public Change record(String id, AccountStatus to, String actor, String reason, String source) {
    Account before = store.accounts().find(id).orElseThrow(() -> new NotFoundException("no account " + id));
    Instant now = clock.instant();
    Account after = store.accounts().updateStatus(id, to, now)
        .orElseThrow(() -> new NotFoundException("no account " + id));
    store.audit().append(now, actor, "account.status", "account:" + id,
        Map.of("from", before.status().wireName(), "to", to.wireName(), "reason", reason, "source", source));
    return new Change(before, after);
  }

  /** Brings the account directory, the enforcement cache and detection up to a recorded change. */
  public void apply(Change c) {
    String id = c.after().id();
    directory.put(c.after());
    enforcement.override(id, c.to());
    if (detection != null) {
      detection.analystDecision(id, c.to());
    }
  }

  /** {@link #record} then {@link #apply}, on the calling (worker) thread. */
  public Change change(String id, AccountStatus to, String actor, String reason, String source) {
    Change c = record(id, to, actor, reason, source);
    apply(c);
    return c;
  }
}
