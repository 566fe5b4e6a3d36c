package io.distillguard.core;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A customer account. Attributes are free-form strings (payment fingerprint, signup IP, email domain, country,
 * tier, ...); linkage and limits read the ones they know.
 */
public record Account(
    String id, String name, Map<String, String> attributes, AccountStatus status, Instant createdAt) {

  /** Attribute naming the limits tier of the account. */
  public static final String TIER = "tier";
  /** The tier used when an account names none. */
  public static final String DEFAULT_TIER = "default";

  public Account {
    Objects.requireNonNull(id, "id");
    attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public String tier() {
    return attributes.getOrDefault(TIER, DEFAULT_TIER);
  }

  public Account withStatus(AccountStatus newStatus) {
    return new Account(id, name, attributes, newStatus, createdAt);
  }
}
