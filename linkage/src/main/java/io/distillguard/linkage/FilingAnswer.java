package io.distillguard.linkage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What filing an account under a key gave ({@link KeyMembers#file}): the members it is to be compared with, and,
 * when the engine keeping the profiles mirrors the key's bucket ({@link KeyIndex#mirrored}), the bucket as it stands
 * after the filing. Members are account ids: the stage keyed by linkage key does not know the engine's profile
 * indexes.
 */
public final class FilingAnswer {
  final String account;
  final long sequence;
  final long key;
  final String[] candidates;
  /** Accounts filed under the key, this one included. */
  final int accounts;
  /** The bucket after the filing, or null (recent and sample) when the key is not mirrored. */
  final String[] recent;
  final String[] sample;
  final int recentNext;

  FilingAnswer(String account, long sequence, long key, String[] candidates, int accounts, String[] recent,
      String[] sample, int recentNext) {
    this.account = Objects.requireNonNull(account);
    this.sequence = sequence;
    this.key = key;
    this.candidates = candidates;
    this.accounts = accounts;
    this.recent = recent;
    this.sample = sample;
    this.recentNext = recentNext;
  }

  public String account() {
    return account;
  }

  public long sequence() {
    return sequence;
  }

  public long key() {
    return key;
  }

  /** The members the account is to be compared with, a copy. */
  public String[] candidates() {
    return candidates.clone();
  }

  /** Whether it carries the key's bucket for the mirror. */
  public boolean mirrored() {
    return recent != null;
  }

  public void write(DataOutput out) throws IOException {
    LinkageCodec.writeString(out, account);
    out.writeLong(sequence);
    out.writeLong(key);
    out.writeInt(accounts);
    strings(out, candidates);
    out.writeBoolean(recent != null);
    if (recent != null) {
      out.writeInt(recentNext);
      strings(out, recent);
      strings(out, sample);
    }
  }

  /**
   * Reads what {@link #write} wrote; counts beyond what {@code config}'s buckets hold, missing strings and a bucket
   * that does not fit its account count are refused.
   */
  public static FilingAnswer read(DataInput in, LinkageConfig config) throws IOException {
    String account = LinkageCodec.readString(in);
    long sequence = in.readLong();
    long key = in.readLong();
    int accounts = in.readInt();
    if (account == null || key == 0 || accounts < 1) {
      throw new IOException("corrupt filing answer: " + (account == null ? "no account"
          : key == 0 ? "key 0" : accounts + " accounts"));
    }
    String[] candidates = strings(in, config.recent() + config.fromSample(), "candidates");
    String[] recent = null;
    String[] sample = null;
    int recentNext = 0;
    if (in.readBoolean()) {
      recentNext = in.readInt();
      recent = strings(in, config.recent(), "recent members");
      sample = strings(in, config.sampled(), "sampled members");
      if (recentNext < 0 || recentNext >= config.recent() || recent.length != Math.min(accounts, config.recent())
          || sample.length != Math.min(accounts, config.sampled())) {
        throw new IOException("corrupt filing answer: a bucket that does not fit " + accounts + " accounts");
      }
    }
    return new FilingAnswer(account, sequence, key, candidates, accounts, recent, sample, recentNext);
  }

  private static void strings(DataOutput out, String[] s) throws IOException {
    out.writeInt(s.length);
    for (String x : s) {
      LinkageCodec.writeString(out, x);
    }
  }

  private static String[] strings(DataInput in, int max, String what) throws IOException {
    int n = LinkageCodec.count(in, max, what);
    String[] s = new String[n];
    for (int i = 0; i < n; i++) {
      s[i] = LinkageCodec.readString(in);
      if (s[i] == null) {
        throw new IOException("corrupt filing answer: a missing account among " + what);
      }
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FilingAnswer a && a.account.equals(account) && a.sequence == sequence && a.key == key
        && a.accounts == accounts && Arrays.equals(a.candidates, candidates) && Arrays.equals(a.recent, recent)
        && Arrays.equals(a.sample, sample) && a.recentNext == recentNext;
  }

  @Override
  public int hashCode() {
    return Objects.hash(account, sequence, key, accounts);
  }

  @Override
  public String toString() {
    return "FilingAnswer[" + key + " for " + sequence + ", " + candidates.length + " candidates"
        + (recent != null ? ", mirrored" : "") + "]";
  }
}
