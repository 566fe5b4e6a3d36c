package io.distillguard.linkage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A {@link ClusterTies} snapshot as it travels from the detection job's linkage to the gateway nodes that check new
 * accounts against it (the compacted ties topic, docs/scale.md). Binary, versioned, and read by DistillGuard only:
 * the keys are linkage's own hashes of subnets, cards, templates and clients, which a node of the same build derives
 * from a request the same way.
 *
 * <p>Layout, big-endian: the magic {@code DGTS} (4 bytes), the format ({@value #FORMAT}, int), the event time the
 * snapshot was built at (epoch millis, long), then the snapshot as {@code ClusterTies} writes it into a checkpoint:
 * the acted-on clusters (count, then id as length-prefixed UTF-8 and level ordinal each) and the tying keys in
 * ascending order (count, then key, its clusters' count, and each cluster's index and member count). A change to
 * how keys are derived must raise the format, so that a node never matches requests against keys it derives
 * otherwise.
 *
 * @param builtAtMillis event time of the recomputation (or ruling) the snapshot was built after
 * @param ties          the snapshot
 */
public record TiesSnapshot(long builtAtMillis, ClusterTies ties) {
  static final int MAGIC = 0x44475453; // "DGTS"
  /** Raise when the layout or the derivation of linkage keys changes. */
  public static final int FORMAT = 1;
  /** Bytes before the ties themselves: magic, format and built-at time. */
  public static final int HEADER_BYTES = 16;
  /** Largest encoded snapshot a reader accepts (a snapshot is a few bytes per tying key). */
  public static final int MAX_BYTES = 64 << 20;

  public TiesSnapshot {
    Objects.requireNonNull(ties, "ties");
  }

  /** The bytes of the layout above. Equal snapshots built at the same time give equal bytes. */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 32 * ties.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeLong(builtAtMillis);
      ties.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from a byte array
    }
    return bytes.toByteArray();
  }

  /**
   * Reads what {@link #encode} wrote.
   *
   * @throws IOException with a message that quotes none of the bytes, when they are not such a snapshot, are of
   *     another format, are cut short, or run on past its end
   */
  public static TiesSnapshot decode(byte[] bytes) throws IOException {
    if (bytes == null || bytes.length < HEADER_BYTES) {
      throw new IOException("not a cluster-ties snapshot: " + (bytes == null ? "no bytes" : bytes.length + " bytes"));
    }
    if (bytes.length > MAX_BYTES) {
      throw new IOException("cluster-ties snapshot of " + bytes.length + " bytes is over the " + MAX_BYTES
          + "-byte limit");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a cluster-ties snapshot: wrong magic");
    }
    int format = in.readInt();
    if (format != FORMAT) {
      throw new IOException("cluster-ties snapshot format " + format + " is not this build's " + FORMAT);
    }
    long at = in.readLong();
    ClusterTies ties;
    try {
      // a cluster takes at least 5 bytes (empty id, level) and a key at least 12
      ties = ClusterTies.read(in, Integer.MAX_VALUE - 8, bytes.length / 5, bytes.length / 12);
    } catch (java.io.EOFException e) {
      throw new IOException("cluster-ties snapshot is cut short", e);
    }
    if (in.read() != -1) {
      throw new IOException("cluster-ties snapshot has bytes after its end");
    }
    return new TiesSnapshot(at, ties);
  }
}
