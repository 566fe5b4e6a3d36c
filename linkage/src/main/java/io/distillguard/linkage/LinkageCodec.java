package io.distillguard.linkage;

import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.StateIo;
import io.distillguard.core.detect.RiskScore;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of linkage's parts, for {@link LinkageEngine#writeState} and {@link LinkageEngine#readState}:
 * every field written as a number, strings as UTF-8 with their length, nothing by class name. Reading checks counts
 * and indexes against the bounds they must respect and fails with an {@link IOException} on anything outside them,
 * never with a state that would break later.
 */
final class LinkageCodec {
  private static final RiskLevel[] LEVELS = RiskLevel.values();
  private static final int MAX_STRING = 16 << 20;

  private LinkageCodec() {}

  /** The sizes this build writes profiles and buckets with; equal strings mean readable bytes. */
  static String layout(LinkageConfig config) {
    StringBuilder sb = new StringBuilder("profile: sketch=").append(AccountProfile.SKETCH)
        .append(" keys=").append(AccountProfile.MAX_KEYS).append(" neighbors=").append(AccountProfile.MAX_NEIGHBORS);
    AccountProfile p = new AccountProfile(0, "");
    sb.append(" tops=").append(p.subnets.slots()).append(',').append(p.clients.slots()).append(',')
        .append(p.systems.slots()).append(',').append(p.templates.slots()).append(',').append(p.timing.slots());
    sb.append("; buckets: recent=").append(config.recent()).append(" sampled=").append(config.sampled());
    sb.append("; levels=");
    for (RiskLevel l : LEVELS) {
      sb.append(l.name()).append(l.ordinal() == LEVELS.length - 1 ? "" : ",");
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------ profiles

  static void writeProfile(DataOutput out, AccountProfile p) throws IOException {
    writeString(out, p.id);
    out.writeLong(p.createdAt);
    out.writeLong(p.payment);
    out.writeLong(p.emailDomain);
    out.writeLong(p.signupSubnet);
    for (TopCounts t : tops(p)) {
      out.writeLong(t.total);
      for (int i = 0; i < t.slots(); i++) {
        out.writeLong(t.keys[i]);
        out.writeInt(t.counts[i]);
      }
    }
    out.writeLong(p.templated);
    out.writeInt(p.sketchSize);
    for (int i = 0; i < p.sketchSize; i++) {
      out.writeLong(p.sketch[i]);
    }
    out.writeLong(p.prompts);
    out.writeLong(p.repeats);
    out.writeLong(p.exchanges);
    out.writeLong(p.firstSeen);
    out.writeLong(p.lastSeen);
    out.writeInt(p.keyCount);
    for (int i = 0; i < p.keyCount; i++) {
      out.writeLong(p.keys[i]);
    }
    out.writeInt(p.neighborCount);
    for (int i = 0; i < p.neighborCount; i++) {
      out.writeInt(p.neighbors[i]);
    }
    writeString(out, p.cluster);
  }

  /** A profile; its neighbours are checked against {@code accounts} (the number of profiles). */
  static AccountProfile readProfile(DataInput in, int index, int accounts) throws IOException {
    String id = readString(in);
    if (id == null) {
      throw new IOException("corrupt linkage state: profile " + index + " has no account id");
    }
    AccountProfile p = new AccountProfile(index, id);
    p.createdAt = in.readLong();
    p.payment = in.readLong();
    p.emailDomain = in.readLong();
    p.signupSubnet = in.readLong();
    for (TopCounts t : tops(p)) {
      t.total = in.readLong();
      for (int i = 0; i < t.slots(); i++) {
        t.keys[i] = in.readLong();
        t.counts[i] = in.readInt();
      }
      t.recount();
    }
    p.templated = in.readLong();
    p.sketchSize = count(in, AccountProfile.SKETCH, "prompt sketch");
    for (int i = 0; i < p.sketchSize; i++) {
      p.sketch[i] = in.readLong();
    }
    p.prompts = in.readLong();
    p.repeats = in.readLong();
    p.exchanges = in.readLong();
    p.firstSeen = in.readLong();
    p.lastSeen = in.readLong();
    p.keyCount = count(in, AccountProfile.MAX_KEYS, "keys");
    for (int i = 0; i < p.keyCount; i++) {
      p.keys[i] = in.readLong();
    }
    p.neighborCount = count(in, AccountProfile.MAX_NEIGHBORS, "neighbours");
    for (int i = 0; i < p.neighborCount; i++) {
      p.neighbors[i] = index(in, accounts);
    }
    p.cluster = readString(in);
    return p;
  }

  private static TopCounts[] tops(AccountProfile p) {
    return new TopCounts[] {p.subnets, p.clients, p.systems, p.templates, p.timing};
  }

  // ------------------------------------------------------------------------------------------ key index

  static void writeBucket(DataOutput out, long key, KeyIndex.Bucket b) throws IOException {
    out.writeLong(key);
    out.writeInt(b.accounts);
    out.writeInt(b.recentNext);
    out.writeDouble(b.coherence);
    out.writeInt(b.coherenceAt);
    int recent = Math.min(b.accounts, b.recent.length);
    for (int i = 0; i < recent; i++) {
      out.writeInt(b.recent[i]);
    }
    int sampled = Math.min(b.accounts, b.sample.length);
    for (int i = 0; i < sampled; i++) {
      out.writeInt(b.sample[i]);
    }
  }

  /** Reads one bucket into {@code index}; returns its key. */
  static long readBucket(DataInput in, KeyIndex index, LinkageConfig config, int accounts) throws IOException {
    long key = in.readLong();
    if (key == 0) {
      throw new IOException("corrupt linkage state: key 0");
    }
    KeyIndex.Bucket b = new KeyIndex.Bucket(config.recent(), config.sampled());
    b.accounts = in.readInt();
    if (b.accounts < 1) {
      throw new IOException("corrupt linkage state: a key with " + b.accounts + " accounts");
    }
    b.recentNext = in.readInt();
    if (b.recentNext < 0 || b.recentNext >= b.recent.length) {
      throw new IOException("corrupt linkage state: recent position " + b.recentNext);
    }
    b.coherence = in.readDouble();
    b.coherenceAt = in.readInt();
    int recent = Math.min(b.accounts, b.recent.length);
    for (int i = 0; i < recent; i++) {
      b.recent[i] = index(in, accounts);
    }
    int sampled = Math.min(b.accounts, b.sample.length);
    for (int i = 0; i < sampled; i++) {
      b.sample[i] = index(in, accounts);
    }
    index.restore(key, b);
    return key;
  }

  // ------------------------------------------------------------------------------------------ clusters

  static void writeRisk(DataOutput out, RiskScore r) throws IOException {
    out.writeDouble(r.score());
    writeLevel(out, r.level());
    out.writeLong(r.evidence());
    out.writeInt(r.reasons().size());
    for (Reason reason : r.reasons()) {
      writeString(out, reason.signal());
      out.writeDouble(reason.value());
      out.writeDouble(reason.contribution());
      writeString(out, reason.explanation());
    }
  }

  static RiskScore readRisk(DataInput in) throws IOException {
    double score = in.readDouble();
    RiskLevel level = readLevel(in);
    long evidence = in.readLong();
    int n = count(in, 1 << 16, "reasons");
    List<Reason> reasons = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      reasons.add(new Reason(readString(in), in.readDouble(), in.readDouble(), readString(in)));
    }
    return new RiskScore(score, level, evidence, reasons);
  }

  static void writeFeatures(DataOutput out, ClusterFeatures f) throws IOException {
    out.writeBoolean(f != null);
    if (f == null) {
      return;
    }
    out.writeInt(f.members());
    out.writeLong(f.exchanges());
    out.writeDouble(f.burstShare());
    out.writeDouble(f.templateShare());
    out.writeDouble(f.shardShare());
    out.writeDouble(f.latticeShare());
    out.writeInt(f.subnets());
    out.writeLong(f.dominantTemplate());
    out.writeLong(f.dominantLattice());
  }

  static ClusterFeatures readFeatures(DataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new ClusterFeatures(in.readInt(), in.readLong(), in.readDouble(), in.readDouble(), in.readDouble(),
        in.readDouble(), in.readInt(), in.readLong(), in.readLong());
  }

  static void writeLevel(DataOutput out, RiskLevel level) throws IOException {
    out.writeByte(level.ordinal());
  }

  static RiskLevel readLevel(DataInput in) throws IOException {
    int l = in.readUnsignedByte();
    if (l >= LEVELS.length) {
      throw new IOException("corrupt linkage state: risk level " + l);
    }
    return LEVELS[l];
  }

  // ------------------------------------------------------------------------------------------ primitives

  static void writeString(DataOutput out, String s) throws IOException {
    StateIo.writeString(out, s);
  }

  static String readString(DataInput in) throws IOException {
    return StateIo.readString(in, MAX_STRING, "corrupt linkage state: a string of this many bytes:");
  }

  /** A count in [0, max]. */
  static int count(DataInput in, int max, String what) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("corrupt linkage state: " + n + " " + what + " (at most " + max + ")");
    }
    return n;
  }

  /** A profile index in [0, accounts). */
  static int index(DataInput in, int accounts) throws IOException {
    int i = in.readInt();
    if (i < 0 || i >= accounts) {
      throw new IOException("corrupt linkage state: account index " + i + " of " + accounts);
    }
    return i;
  }
}
