package io.distillguard.store;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Accounts and their enforcement status. */
public interface AccountRepository {

  /**
   * Inserts a new account.
   *
   * @throws DuplicateException when an account with that id exists
   */
  Account create(Account account);

  Optional<Account> find(String id);

  /**
   * Accounts ordered by id.
   *
   * @param status  only accounts with this status, or all when null
   * @param afterId only ids greater than this (keyset pagination), or from the start when null
   */
  List<Account> list(AccountStatus status, String afterId, int limit);

  /** Every account, for warming the gateway's caches at start. */
  List<Account> all();

  /**
   * Sets the status.
   *
   * @return the updated account, or empty when there is no such account
   */
  Optional<Account> updateStatus(String id, AccountStatus status, Instant at);
}
