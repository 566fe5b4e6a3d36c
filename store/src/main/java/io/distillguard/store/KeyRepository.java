package io.distillguard.store;

import io.distillguard.core.ApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API keys, stored by id with only a hash of the secret. */
public interface KeyRepository {

  /**
   * Inserts a key.
   *
   * @throws DuplicateException when the key id exists
   * @throws NotFoundException  when the account does not exist
   */
  void create(ApiKey key);

  Optional<ApiKey> find(String keyId);

  List<ApiKey> forAccount(String accountId);

  /** Every key, revoked ones included, for warming the gateway's key cache at start. */
  List<ApiKey> all();

  /** Keys revoked at or after {@code since}, so nodes sharing the store learn of revocations made elsewhere. */
  List<ApiKey> revokedSince(Instant since);

  /**
   * Marks a key revoked. Revoking a revoked key keeps the first revocation time.
   *
   * @return the key as stored after the call, or empty when there is no such key
   */
  Optional<ApiKey> revoke(String keyId, Instant at);
}
