package io.distillguard.store;

import io.distillguard.core.AuditEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The append-only, hash-chained audit log: every change of an account's status, every key created or revoked,
 * every analyst action.
 */
public interface AuditLog {

  /** Appends an entry, chaining it to the previous one. */
  AuditEntry append(Instant at, String actor, String action, String subject, Map<String, String> details);

  /**
   * Entries newest first.
   *
   * @param subject only this subject's, or all when null
   */
  List<AuditEntry> list(String subject, int limit);

  /**
   * Recomputes the chain from the first entry.
   *
   * @return the sequence number of the first entry whose hash does not verify, or -1 when the chain is intact
   */
  long verify();
}
