package io.distillguard.core.detect;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Length-prefixed UTF-8 strings (null allowed, no 64 KB limit as in {@link DataOutput#writeUTF}), the string form of
 * every checkpointed state: detection's here, linkage's in its codec.
 */
public final class StateIo {
  /** Largest string or variable array a state may hold; bounds what a corrupt checkpoint can make us allocate. */
  static final int MAX_ARRAY = 1 << 24;

  private StateIo() {}

  public static void writeString(DataOutput out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInput in) throws IOException {
    return readString(in, MAX_ARRAY, "implausible string length");
  }

  /**
   * Reads what {@link #writeString} wrote.
   *
   * @param max  the longest string (in bytes) a sound state holds; longer means corrupt input
   * @param what the start of the exception's message when the length is implausible
   */
  public static String readString(DataInput in, int max, String what) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (n > max) {
      throw new IOException(what + " " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
