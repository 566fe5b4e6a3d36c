package io.distillguard.flink;

import io.distillguard.core.detect.StateIo;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A large state written as a sequence of bounded byte arrays (list-state elements) and read back as one stream: no
 * single array near the 2 GB limit, and no second copy of the whole state in one piece.
 */
final class ChunkedStreams {
  private ChunkedStreams() {}

  /** Receives each full chunk (and the last, partial one on close). */
  interface Sink {
    void accept(byte[] chunk) throws Exception;
  }

  /** Writes into chunks of a fixed size and hands each to the sink as it fills. */
  static final class Output extends OutputStream {
    private final Sink sink;
    private final byte[] buffer;
    private final DataOutputStream data;
    private int used;
    private boolean closed;

    Output(int chunkSize, Sink sink) {
      if (chunkSize < 1) {
        throw new IllegalArgumentException("chunk size must be positive");
      }
      this.sink = Objects.requireNonNull(sink, "sink");
      this.buffer = new byte[chunkSize];
      this.data = new DataOutputStream(this);
    }

    /** The stream to write through. */
    DataOutputStream data() {
      return data;
    }

    @Override
    public void write(int b) throws IOException {
      if (used == buffer.length) {
        emit();
      }
      buffer[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      while (len > 0) {
        if (used == buffer.length) {
          emit();
        }
        int n = Math.min(len, buffer.length - used);
        System.arraycopy(b, off, buffer, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    private void emit() throws IOException {
      byte[] chunk = java.util.Arrays.copyOf(buffer, used);
      used = 0;
      try {
        sink.accept(chunk);
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException("could not store a state chunk", e);
      }
    }

    /** Hands over the last chunk. */
    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      data.flush();
      if (used > 0) {
        emit();
      }
    }
  }

  /** The chunks, in order, as one stream. */
  static DataInputStream input(Iterable<byte[]> chunks) {
    List<InputStream> parts = new ArrayList<>();
    for (byte[] c : chunks) {
      parts.add(new ByteArrayInputStream(c));
    }
    return new DataInputStream(new SequenceInputStream(Collections.enumeration(parts)));
  }

  /** A string of any length (writeUTF stops at 64 KB), in {@link StateIo}'s form: length, then UTF-8; null as -1. */
  static void writeString(java.io.DataOutput out, String s) throws IOException {
    StateIo.writeString(out, s);
  }

  static String readString(java.io.DataInput in) throws IOException {
    return StateIo.readString(in, 16 << 20, "corrupt state: string length");
  }
}
