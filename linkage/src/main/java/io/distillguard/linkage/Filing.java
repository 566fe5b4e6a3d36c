package io.distillguard.linkage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * An account to be filed under a linkage key, sent by a stream job's stage keyed by account ({@link AccountKeys})
 * to the stage keyed by linkage key ({@link KeyMembers}).
 *
 * @param key      the linkage key (never 0)
 * @param account  the account
 * @param sequence which of the account's exchanges first showed the key (1 for its first): with the account, it
 *                 names the exchange the answer belongs to
 */
public record Filing(long key, String account, long sequence) {

  public Filing {
    Objects.requireNonNull(account, "account");
    if (key == 0) {
      throw new IllegalArgumentException("key 0 is no linkage key");
    }
  }

  public void write(DataOutput out) throws IOException {
    out.writeLong(key);
    LinkageCodec.writeString(out, account);
    out.writeLong(sequence);
  }

  public static Filing read(DataInput in) throws IOException {
    long key = in.readLong();
    String account = LinkageCodec.readString(in);
    long sequence = in.readLong();
    if (key == 0 || account == null) {
      throw new IOException("corrupt filing: " + (key == 0 ? "key 0" : "no account"));
    }
    return new Filing(key, account, sequence);
  }
}
