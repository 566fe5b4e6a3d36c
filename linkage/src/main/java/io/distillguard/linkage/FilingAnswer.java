package io.distillguard.linkage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What filing an account under a key gave ({@link KeyMembers#file}): the members it is to be compared with, and,
 * when the engine keeping the profiles mirrors the key's bucket ({@link KeyIndex#mirrored}), what the filing did to
 * the bucket. Members are account ids: the stage keyed by linkage key does not know the engine's profile indexes.
 *
 * <p>What the filing did is the sample slot the account took, if any (the recent slot follows from the account count):
 * enough for a mirror that holds the bucket as it was before the filing. The whole bucket comes too on the key's first
 * mirrored filing and on every {@value #RESYNC}th, so a mirror that missed or reordered filings (several subtasks
 * keyed by account send them) is brought level again.
 */
public final class FilingAnswer {
  /** Every this many filings of a mirrored key, the answer carries the whole bucket. */
  static final int RESYNC = 8;
  private static final int NONE = 0;
  private static final int CHANGE = 1;
  private static final int BUCKET = 2;

  final String account;
  final long sequence;
  final long key;
  final String[] candidates;
  /** Accounts filed under the key, this one included. */
  final int accounts;
  /** Whether the key is mirrored; then the sample slot the account took, or -1. */
  final boolean mirrored;
  final int slot;
  /** The whole bucket after the filing, or null (recent and sample). */
  final String[] recent;
  final String[] sample;

  FilingAnswer(String account, long sequence, long key, String[] candidates, int accounts, boolean mirrored, int slot,
      String[] recent, String[] sample) {
    this.account = Objects.requireNonNull(account);
    this.sequence = sequence;
    this.key = key;
    this.candidates = candidates;
    this.accounts = accounts;
    this.mirrored = mirrored;
    this.slot = slot;
    this.recent = recent;
    this.sample = sample;
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

  /** Whether the profiles' engine mirrors the key's bucket. */
  public boolean mirrored() {
    return mirrored;
  }

  /** Whether it carries the whole bucket. */
  public boolean wholeBucket() {
    return recent != null;
  }

  public void write(DataOutput out) throws IOException {
    LinkageCodec.writeString(out, account);
    out.writeLong(sequence);
    out.writeLong(key);
    out.writeInt(accounts);
    strings(out, candidates);
    out.writeByte(!mirrored ? NONE : recent == null ? CHANGE : BUCKET);
    if (mirrored) {
      out.writeInt(slot);
    }
    if (recent != null) {
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
    int kind = in.readUnsignedByte();
    if (kind > BUCKET) {
      throw new IOException("corrupt filing answer: kind " + kind);
    }
    int slot = kind == NONE ? -1 : in.readInt();
    if (slot < -1 || slot >= config.sampled()) {
      throw new IOException("corrupt filing answer: sample slot " + slot);
    }
    String[] recent = null;
    String[] sample = null;
    if (kind == BUCKET) {
      recent = strings(in, config.recent(), "recent members");
      sample = strings(in, config.sampled(), "sampled members");
      if (recent.length != Math.min(accounts, config.recent())
          || sample.length != Math.min(accounts, config.sampled())) {
        throw new IOException("corrupt filing answer: a bucket that does not fit " + accounts + " accounts");
      }
    }
    return new FilingAnswer(account, sequence, key, candidates, accounts, kind != NONE, slot, recent, sample);
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
        && a.accounts == accounts && Arrays.equals(a.candidates, candidates) && a.mirrored == mirrored
        && a.slot == slot && Arrays.equals(a.recent, recent) && Arrays.equals(a.sample, sample);
  }

  @Override
  public int hashCode() {
    return Objects.hash(account, sequence, key, accounts);
  }

  @Override
  public String toString() {
    return "FilingAnswer[" + key + " for " + sequence + ", " + candidates.length + " candidates"
        + (recent != null ? ", bucket" : mirrored ? ", mirrored" : "") + "]";
  }
}
