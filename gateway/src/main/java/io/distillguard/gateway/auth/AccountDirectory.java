package io.distillguard.gateway.auth;

import io.distillguard.core.Account;
import io.distillguard.core.ApiKey;
import io.distillguard.store.Store;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's in-memory view of accounts and keys, so that authenticating a request never touches the store.
 * Warmed from the store at start and written through by the admin API, which changes the store first and then this.
 */
public final class AccountDirectory {
  private final Map<String, ApiKey> keys = new ConcurrentHashMap<>();
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();

  public static AccountDirectory load(Store store) {
    AccountDirectory d = new AccountDirectory();
    for (Account a : store.accounts().all()) {
      d.put(a);
    }
    for (ApiKey k : store.keys().all()) {
      d.put(k);
    }
    return d;
  }

  public void put(Account account) {
    accounts.put(account.id(), account);
  }

  public void put(ApiKey key) {
    keys.put(key.keyId(), key);
  }

  public ApiKey key(String keyId) {
    return keys.get(keyId);
  }

  public Account account(String id) {
    return accounts.get(id);
  }
}
