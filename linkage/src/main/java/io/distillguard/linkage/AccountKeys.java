package io.distillguard.linkage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Which linkage keys an account is filed under, as a stream job's stage keyed by account works it out: it folds each
 * of the account's exchanges into a profile of its own (the same fold {@link LinkageEngine} does) and says which keys
 * the exchange files the account under for the first time. The engine that keeps the profiles for scoring folds the
 * same observations in, so the two agree on every key without the engine's profile leaving it.
 *
 * <p>Not thread-safe; one per account.
 */
public final class AccountKeys {
  private final AccountProfile profile;
  private final LongBuffer fresh = new LongBuffer();

  public AccountKeys(String accountId) {
    this(new AccountProfile(0, accountId));
  }

  private AccountKeys(AccountProfile profile) {
    this.profile = profile;
  }

  /**
   * Folds an exchange's observation in.
   *
   * @return the keys to file the account under now, in the order the engine files them (often none)
   */
  public long[] observe(Observation o) {
    fresh.clear();
    profile.observe(o, fresh);
    profile.sketchSize = 0; // the prompt sketch decides no key: kept out of this stage's state
    long[] keys = new long[fresh.size];
    int n = 0;
    for (int i = 0; i < fresh.size; i++) {
      if (profile.fileUnder(fresh.values[i])) {
        keys[n++] = fresh.values[i];
      }
    }
    return n == keys.length ? keys : Arrays.copyOf(keys, n);
  }

  /** How many exchanges were folded in: the number of the last one, from 1. */
  public long exchanges() {
    return profile.exchanges;
  }

  public String account() {
    return profile.id;
  }

  public void write(DataOutput out) throws IOException {
    LinkageCodec.writeProfile(out, profile);
  }

  /** Reads what {@link #write} wrote; anything else is refused. */
  public static AccountKeys read(DataInput in) throws IOException {
    AccountProfile p = LinkageCodec.readProfile(in, 0, 0);
    return new AccountKeys(p);
  }
}
