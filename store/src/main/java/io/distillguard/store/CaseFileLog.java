package io.distillguard.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The evidence bundles exported; each one's hash is also in the audit log. */
public interface CaseFileLog {

  /**
   * @param subject  {@code account:ID} or {@code cluster:ID}
   * @param sha256   hex SHA-256 of the bundle's manifest, which lists every file's own hash
   * @param path     the bundle's directory
   * @param auditSeq the audit-log entry recording the hash
   */
  record CaseFile(String id, String subject, Instant createdAt, String actor, String sha256, String path,
      long auditSeq) {}

  void append(CaseFile caseFile);

  Optional<CaseFile> find(String id);

  /** Newest first; all subjects when {@code subject} is null. */
  List<CaseFile> list(String subject, int limit);
}
