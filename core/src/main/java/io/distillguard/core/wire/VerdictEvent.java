package io.distillguard.core.wire;

import io.distillguard.core.AccountStatus;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Verdict;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One account's enforcement state as decided by detection, linkage or an analyst: the record of the compacted
 * verdict topic, keyed by {@link #accountId}. The latest record of an account is its whole current state, so a node
 * that reads the topic from the beginning ends with every account's status.
 *
 * <p>A cluster ruling is published as one record per member (with {@link #clusterId} set), not as one record keyed by
 * the cluster: compaction then keeps exactly one state per account, a member that leaves a cluster is simply given a
 * new record of its own, and every record of an account stays in one partition, in order.
 *
 * @param accountId the account, also the record key; never null
 * @param clusterId the linkage cluster the ruling concerns, null for an account's own verdict
 * @param status    the enforcement status every gateway node applies
 * @param level     the risk level detection computed, null when an analyst set the status
 * @param score     the risk score in [0, 1], null when an analyst set the status
 * @param evidence  the number of exchanges the score rests on (0 when not known)
 * @param reasons   the explanation, largest contribution first (empty when none)
 * @param at        when the decision was taken (event time for detection)
 * @param source    who decided
 * @param version   strictly increasing per account across every producer (see {@link #nextVersion}); a consumer
 *                  ignores a record whose version is not above the last one it applied for that account
 * @param note      free text (an analyst's reason), null when none
 */
public record VerdictEvent(
    String accountId,
    String clusterId,
    AccountStatus status,
    RiskLevel level,
    Double score,
    long evidence,
    List<Reason> reasons,
    Instant at,
    Source source,
    long version,
    String note) {

  /** Who took the decision. */
  public enum Source {
    DETECTION, LINKAGE, ANALYST;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; null for an unknown one. */
    static Source parse(String s) {
      for (Source v : values()) {
        if (v.wireName().equals(s)) {
          return v;
        }
      }
      return null;
    }
  }

  public VerdictEvent {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(source, "source");
    if (accountId.isEmpty()) {
      throw new IllegalArgumentException("accountId must not be empty");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1");
    }
    if (evidence < 0) {
      throw new IllegalArgumentException("evidence must not be negative");
    }
    if (score != null && !(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("score must be in [0, 1]");
    }
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
  }

  /** The record for a detection verdict on an account. */
  public static VerdictEvent of(Verdict v, long version) {
    return new VerdictEvent(v.accountId(), null, v.level().status(), v.level(), v.risk().score(),
        v.risk().evidence(), v.risk().reasons(), v.at(), Source.DETECTION, version, null);
  }

  /**
   * The version a producer gives an account's next record: a hybrid logical clock in microseconds since the epoch,
   * {@code max(previous + 1, at in microseconds)}. Every producer (the detection job, analyst overrides on any
   * gateway node) uses this rule, so versions of different producers are comparable: a later decision wins, and
   * a producer that remembers the last version it saw for the account can never go backwards.
   *
   * @param previous the last version known for the account, 0 when none
   */
  public static long nextVersion(long previous, Instant at) {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
    return Math.max(previous + 1, Math.max(1, micros));
  }
}
