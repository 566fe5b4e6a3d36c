package io.distillguard.core;

import java.time.Instant;
import java.util.Map;

/**
 * One line of the audit log: who did what to which subject, and why. Entries are hash-chained: {@code hash} covers
 * the entry and {@code prevHash}, so removing or editing a line breaks the chain.
 *
 * @param actor   {@code admin}, {@code analyst:NAME} or {@code detector:NAME}
 * @param subject what the action applies to, e.g. {@code account:acme-1} or {@code key:k_ab12}
 */
public record AuditEntry(
    long seq,
    Instant at,
    String actor,
    String action,
    String subject,
    Map<String, String> details,
    String prevHash,
    String hash) {

  public AuditEntry {
    details = Map.copyOf(details == null ? Map.of() : details);
  }
}
