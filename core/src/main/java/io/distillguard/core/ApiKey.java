package io.distillguard.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored API key. Only a hash of the secret is ever kept; the secret itself is shown once at creation.
 *
 * @param secretHash SHA-256 of the secret part of the key (keys are 256-bit random, so a fast hash is enough)
 * @param revokedAt  null while the key is usable
 */
public record ApiKey(String keyId, String accountId, byte[] secretHash, Instant createdAt, Instant revokedAt) {

  public ApiKey {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(secretHash, "secretHash");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public boolean revoked() {
    return revokedAt != null;
  }

  public ApiKey withRevokedAt(Instant at) {
    return new ApiKey(keyId, accountId, secretHash, createdAt, at);
  }
}
