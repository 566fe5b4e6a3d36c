package io.distillguard.core;

import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One automatic escalation of an account, as the alerts feed shows it: the level detection moved the account from
 * and to, the score and its top reasons at that moment.
 *
 * @param id         assigned by the store, increasing: a newer alert has a larger id
 * @param at         event time of the exchange that triggered the escalation
 * @param recordedAt when the gateway recorded it
 * @param evidence   exchanges of the account seen by detection when it escalated
 * @param reasons    the top reasons, largest contribution first; explanations may quote traffic (never trust them)
 * @param auditSeq   the audit-log entry of the same status change, or 0 when none was written
 */
public record Alert(long id, Instant at, Instant recordedAt, String accountId, RiskLevel from, RiskLevel to,
    double score, long evidence, List<Reason> reasons, long auditSeq) {

  public Alert {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    reasons = List.copyOf(reasons == null ? List.of() : reasons);
  }

  /** The same alert with the id the store gave it. */
  public Alert withId(long newId) {
    return new Alert(newId, at, recordedAt, accountId, from, to, score, evidence, reasons, auditSeq);
  }
}
