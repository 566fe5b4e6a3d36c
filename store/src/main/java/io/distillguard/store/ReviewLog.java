package io.distillguard.store;

import io.distillguard.core.Alert;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Analysts' decisions on alerts, append-only. An alert is open until it has a deciding review. */
public interface ReviewLog {

  /** What an analyst did with an alert. Annotating does not close it; the others do. */
  enum Decision {
    APPROVE, REVERT, ESCALATE, ANNOTATE;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public boolean decides() {
      return this != ANNOTATE;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Decision parse(String s) {
      for (Decision d : values()) {
        if (d.wireName().equals(s)) {
          return d;
        }
      }
      throw new IllegalArgumentException("decision must be one of approve, revert, escalate, annotate");
    }
  }

  /** @param auditSeq the audit-log entry of the same action */
  record Review(long id, long alertId, String accountId, Decision decision, String actor, Instant at, String note,
      long auditSeq) {}

  /** Appends a review; returns it with the id the store assigned. */
  Review append(Review review);

  /** Reviews of these alerts, oldest first within each alert. */
  Map<Long, List<Review>> forAlerts(Collection<Long> alertIds);

  /** An account's reviews, newest first. */
  List<Review> forAccount(String accountId, int limit);

  /** Alerts without a deciding review, newest first; {@code beforeId} pages like the alerts feed. */
  List<Alert> openAlerts(Long beforeId, int limit);

  /** How many alerts have no deciding review. */
  long openCount();
}
