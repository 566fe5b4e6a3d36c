package io.distillguard.store;

import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accounts' scores over time and their latest readable risk. Detection lives in the gateway's memory; this is what
 * survives it, for the dashboard's charts and for case files written while no gateway runs.
 */
public interface RiskHistory {

  /** One point of an account's score, at the event time of the exchange that moved it. */
  record Point(String accountId, Instant at, double score, RiskLevel level, long evidence) {}

  /** An account's latest risk with its reasons, largest contribution first. */
  record Snapshot(String accountId, Instant at, double score, RiskLevel level, long evidence, List<Reason> reasons) {
    public Snapshot {
      reasons = List.copyOf(reasons == null ? List.of() : reasons);
    }
  }

  /**
   * Appends points and replaces snapshots in one transaction, then drops the oldest points of each account named in
   * {@code points} beyond {@code keepPerAccount}: history is bounded however long an account lives.
   */
  void record(List<Point> points, List<Snapshot> snapshots, int keepPerAccount);

  /** An account's points, oldest first; the newest {@code limit} when there are more. */
  List<Point> history(String accountId, int limit);

  Optional<Snapshot> snapshot(String accountId);

  /** Every account's snapshot, by account id. */
  Map<String, Snapshot> snapshots();
}
