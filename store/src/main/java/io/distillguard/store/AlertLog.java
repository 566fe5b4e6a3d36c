package io.distillguard.store;

import io.distillguard.core.Alert;
import io.distillguard.core.detect.RiskLevel;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The alerts feed: one entry per automatic escalation of an account, append-only, newest first when listed. */
public interface AlertLog {

  /**
   * Which alerts to list, newest first. Every filter is optional (null or empty: no filter).
   *
   * @param accountId only this account's
   * @param levels    only escalations to one of these levels
   * @param beforeId  only alerts older than this id (the paging cursor: the last id of the previous page)
   * @param sinceId   only alerts newer than this id (a feed polling for what is new)
   * @param since     only escalations at or after this time
   * @param limit     at most this many
   */
  record Query(String accountId, Set<RiskLevel> levels, Long beforeId, Long sinceId, Instant since, int limit) {
    public Query {
      levels = levels == null ? Set.of() : Set.copyOf(levels);
    }

    public static Query latest(int limit) {
      return new Query(null, Set.of(), null, null, null, limit);
    }
  }

  /** Appends an alert; returns it with the id the store assigned (the given id is ignored). */
  Alert append(Alert alert);

  /** Alerts matching the query, newest (largest id) first. */
  List<Alert> list(Query query);
}
