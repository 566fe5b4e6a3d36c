package io.distillguard.linkage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * One linkage key's members by account id, as a stream job's stage keyed by linkage key keeps them: the bucket of
 * {@link KeyIndex} (how many accounts were filed, the few most recent, a uniform sample), making the same choices
 * ({@link Sampling}), so filing the same accounts in the same order gives the same candidates as a single engine.
 * Not thread-safe; one per key.
 */
public final class KeyMembers {
  private final LinkageConfig config;
  /** Accounts filed; the next recent slot is {@code accounts % recent.length}. */
  private int accounts;
  private final String[] recent;
  private final String[] sample;

  public KeyMembers(LinkageConfig config) {
    this.config = config;
    this.recent = new String[config.recent()];
    this.sample = new String[config.sampled()];
  }

  /** Accounts ever filed under the key. */
  public int accounts() {
    return accounts;
  }

  /**
   * Files the account under the key and answers with the members it is to be compared with (recent ones and a few
   * sampled, each once, never itself), and with the bucket when the profiles' engine mirrors it.
   */
  public FilingAnswer file(Filing f) {
    Sampling.Plan plan = new Sampling.Plan(config).of(f.key(), accounts);
    String[] out = new String[plan.inRecent + plan.draws];
    int n = 0;
    for (int i = 0; i < plan.inRecent; i++) {
      out[n++] = recent[i];
    }
    for (int k = 0; k < plan.draws; k++) {
      String m = sample[plan.positions[k]];
      if (!contains(out, n, m)) {
        out[n++] = m;
      }
    }
    recent[accounts % recent.length] = f.account();
    if (plan.slot >= 0) {
      sample[plan.slot] = f.account();
    }
    accounts++;
    String[] candidates = Arrays.copyOf(out, n);
    if (!KeyIndex.mirrored(f.key(), accounts, config)) {
      return new FilingAnswer(f.account(), f.sequence(), f.key(), candidates, accounts, false, -1, null, null);
    }
    boolean whole = accounts == 1 || !KeyIndex.mirrored(f.key(), accounts - 1, config)
        || accounts % FilingAnswer.RESYNC == 0;
    return new FilingAnswer(f.account(), f.sequence(), f.key(), candidates, accounts, true, plan.slot,
        whole ? Arrays.copyOf(recent, Math.min(accounts, recent.length)) : null,
        whole ? Arrays.copyOf(sample, Math.min(accounts, sample.length)) : null);
  }

  private static boolean contains(String[] a, int n, String v) {
    for (int i = 0; i < n; i++) {
      if (a[i].equals(v)) {
        return true;
      }
    }
    return false;
  }

  public void write(DataOutput out) throws IOException {
    out.writeInt(accounts);
    for (int i = 0, r = Math.min(accounts, recent.length); i < r; i++) {
      LinkageCodec.writeString(out, recent[i]);
    }
    for (int i = 0, s = Math.min(accounts, sample.length); i < s; i++) {
      LinkageCodec.writeString(out, sample[i]);
    }
  }

  /** Reads what {@link #write} wrote, for buckets of {@code config}'s sizes; anything else is refused. */
  public static KeyMembers read(DataInput in, LinkageConfig config) throws IOException {
    KeyMembers m = new KeyMembers(config);
    m.accounts = in.readInt();
    if (m.accounts < 1) {
      throw new IOException("corrupt key members: " + m.accounts + " accounts");
    }
    for (int i = 0, r = Math.min(m.accounts, m.recent.length); i < r; i++) {
      m.recent[i] = member(in);
    }
    for (int i = 0, s = Math.min(m.accounts, m.sample.length); i < s; i++) {
      m.sample[i] = member(in);
    }
    return m;
  }

  private static String member(DataInput in) throws IOException {
    String s = LinkageCodec.readString(in);
    if (s == null) {
      throw new IOException("corrupt key members: a missing account");
    }
    return s;
  }
}
