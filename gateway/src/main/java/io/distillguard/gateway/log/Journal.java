package io.distillguard.gateway.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only journal of records in numbered segment files ({@code journal-<first seq>.log}). Each record is
 * {@code [int length][int crc32c][long seq][payload]}; the checksum covers sequence number and payload, so a record
 * torn by a crash is recognized and cut off when the journal is opened again.
 *
 * <p>An append is one {@code write} into the page cache: it survives the death of the process, not of the machine,
 * unless {@code fsync} is on. Thread-safe; appends are serialized.
 */
public final class Journal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final int HEADER = 16;
  static final int MAX_RECORD = 64 << 20;

  private final Path dir;
  private final long segmentBytes;
  private final boolean fsync;
  private final List<Segment> segments = new ArrayList<>();
  private FileChannel active;
  private long activeSize;
  private long lastSeq;

  /** A journal record read back. */
  public record Entry(long seq, byte[] payload) {}

  private record Segment(long firstSeq, Path path) {}

  /**
   * Opens the journal in {@code dir}, cutting any torn record off the end of the newest segment.
   *
   * @param floorSeq sequence numbers continue above this even if the journal is empty (the store's checkpoint)
   */
  public Journal(Path dir, long segmentBytes, boolean fsync, long floorSeq) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    try {
      Files.createDirectories(dir);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "journal-*.log")) {
        for (Path p : files) {
          String name = p.getFileName().toString();
          segments.add(new Segment(Long.parseLong(name.substring(8, name.length() - 4)), p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the exchange journal in " + dir, e);
    }
    segments.sort((a, b) -> Long.compare(a.firstSeq, b.firstSeq));
    lastSeq = floorSeq;
    for (Segment s : new ArrayList<>(segments)) {
      lastSeq = Math.max(lastSeq, scan(s, true));
      try {
        if (Files.size(s.path) == 0) {
          Files.delete(s.path); // created just before a crash; its name would clash with the next segment
          segments.remove(s);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot inspect journal segment " + s.path, e);
      }
    }
  }

  /** Appends a record and returns its sequence number. */
  public synchronized long append(byte[] payload) {
    if (payload.length > MAX_RECORD) {
      throw new IllegalArgumentException("journal record of " + payload.length + " bytes is too large");
    }
    long seq = lastSeq + 1;
    try {
      if (active == null || activeSize >= segmentBytes) {
        roll(seq);
      }
      ByteBuffer buf = ByteBuffer.allocate(HEADER + payload.length);
      buf.putInt(payload.length);
      buf.putInt(0);
      buf.putLong(seq);
      buf.put(payload);
      CRC32C crc = new CRC32C();
      crc.update(buf.array(), 8, 8 + payload.length);
      buf.putInt(4, (int) crc.getValue());
      buf.flip();
      while (buf.hasRemaining()) {
        active.write(buf);
      }
      if (fsync) {
        active.force(false);
      }
      activeSize += HEADER + payload.length;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the exchange journal", e);
    }
    lastSeq = seq;
    return seq;
  }

  public synchronized long lastSeq() {
    return lastSeq;
  }

  /** Reads every intact record with {@code from < seq <= to}, in order. */
  public List<Entry> read(long from, long to) {
    List<Segment> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(segments);
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < snapshot.size(); i++) {
      Segment s = snapshot.get(i);
      long nextFirst = i + 1 < snapshot.size() ? snapshot.get(i + 1).firstSeq : Long.MAX_VALUE;
      if (nextFirst <= from + 1 || s.firstSeq > to) {
        continue;
      }
      readSegment(s, seq -> seq > from && seq <= to, out);
    }
    return out;
  }

  /** Deletes segments whose records are all at or below {@code committedSeq}; the active segment stays. */
  public synchronized void release(long committedSeq) {
    while (segments.size() > 1 && segments.get(1).firstSeq <= committedSeq + 1) {
      Segment s = segments.remove(0);
      try {
        Files.deleteIfExists(s.path);
      } catch (IOException e) {
        LOG.warn("cannot delete journal segment {}", s.path, e);
      }
    }
  }

  /** Number of segment files, for tests and metrics. */
  public synchronized int segmentCount() {
    return segments.size();
  }

  @Override
  public synchronized void close() {
    if (active != null) {
      try {
        active.force(false);
        active.close();
      } catch (IOException e) {
        LOG.warn("closing the exchange journal failed", e);
      }
      active = null;
    }
  }

  private void roll(long firstSeq) throws IOException {
    if (active != null) {
      active.close();
    }
    Path p = dir.resolve(String.format("journal-%020d.log", firstSeq));
    active = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    activeSize = active.size();
    segments.add(new Segment(firstSeq, p));
  }

  /** Scans a segment; with {@code repair}, truncates it after its last intact record. Returns the last seq. */
  private long scan(Segment s, boolean repair) {
    List<Entry> entries = new ArrayList<>();
    long goodEnd = readSegment(s, seq -> true, entries);
    if (repair) {
      try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.WRITE)) {
        if (ch.size() > goodEnd) {
          LOG.warn("journal segment {} ends with a torn record; cutting {} bytes", s.path, ch.size() - goodEnd);
          ch.truncate(goodEnd);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot repair journal segment " + s.path, e);
      }
    }
    return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).seq();
  }

  /** Reads intact records in order until the first torn or corrupt one; returns the byte offset after the last. */
  private static long readSegment(Segment s, LongPredicate wanted, List<Entry> out) {
    long pos = 0;
    try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      while (pos + HEADER <= size) {
        header.clear();
        readFully(ch, header, pos);
        header.flip();
        int len = header.getInt();
        int crc = header.getInt();
        long seq = header.getLong();
        if (len < 0 || len > MAX_RECORD || pos + HEADER + len > size) {
          break;
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        readFully(ch, payload, pos + HEADER);
        CRC32C check = new CRC32C();
        ByteBuffer seqBytes = ByteBuffer.allocate(8).putLong(0, seq);
        check.update(seqBytes.array());
        check.update(payload.array());
        if ((int) check.getValue() != crc) {
          break;
        }
        if (wanted.test(seq)) {
          out.add(new Entry(seq, payload.array()));
        }
        pos += HEADER + len;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read journal segment " + s.path, e);
    }
    return pos;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    long p = pos;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, p);
      if (n < 0) {
        throw new IOException("unexpected end of journal segment");
      }
      p += n;
    }
  }
}
