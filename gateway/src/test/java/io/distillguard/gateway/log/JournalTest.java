package io.distillguard.gateway.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  private static final long BIG = 1 << 20;
  @TempDir
  Path dir;

  private static byte[] rec(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(List<Journal.Entry> entries) {
    return entries.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("journal-\\d{20}\\.log")).sorted().toList();
    }
  }

  @Test
  void appendAssignsSequenceNumbersAndReadReturnsARange() {
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(j.lastSeq()).isZero();
      assertThat(j.append(rec("a"))).isEqualTo(1);
      assertThat(j.append(rec("b"))).isEqualTo(2);
      assertThat(j.append(rec(""))).isEqualTo(3);
      assertThat(j.append(rec("d"))).isEqualTo(4);
      assertThat(j.lastSeq()).isEqualTo(4);
      assertThat(texts(j.read(0, Long.MAX_VALUE))).containsExactly("a", "b", "", "d");
      assertThat(texts(j.read(1, 3))).containsExactly("b", "");
      assertThat(j.read(4, 10)).isEmpty();
      assertThat(j.read(2, 3)).extracting(Journal.Entry::seq).containsExactly(3L);
    }
  }

  @Test
  void sequenceNumbersContinueAboveTheFloor() {
    try (Journal j = new Journal(dir, BIG, false, 41)) {
      assertThat(j.append(rec("x"))).isEqualTo(42);
    }
    try (Journal j = new Journal(dir, BIG, false, 10)) {
      assertThat(j.lastSeq()).isEqualTo(42);
      assertThat(j.append(rec("y"))).isEqualTo(43);
      assertThat(texts(j.read(41, 43))).containsExactly("x", "y");
    }
  }

  @Test
  void reopeningKeepsEverything() {
    try (Journal j = new Journal(dir, BIG, true, 0)) {
      for (int i = 1; i <= 10; i++) {
        j.append(rec("r" + i));
      }
    }
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(j.lastSeq()).isEqualTo(10);
      assertThat(j.read(0, 100)).hasSize(10);
      assertThat(j.append(rec("r11"))).isEqualTo(11);
      assertThat(texts(j.read(9, 11))).containsExactly("r10", "r11");
    }
  }

  @Test
  void segmentsRollOverAtTheSizeLimitAndReadsSpanThem() throws IOException {
    byte[] payload = new byte[100];
    try (Journal j = new Journal(dir, 250, false, 0)) {
      for (int i = 0; i < 10; i++) {
        j.append(payload);
      }
      // 116 bytes a record: the third record goes past 250, so each segment holds three
      assertThat(j.segmentCount()).isEqualTo(4);
      assertThat(segments()).hasSize(4);
      assertThat(segments().get(1).getFileName().toString()).isEqualTo("journal-00000000000000000004.log");
      assertThat(j.read(0, 100)).extracting(Journal.Entry::seq)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      assertThat(j.read(2, 8)).extracting(Journal.Entry::seq).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
      assertThat(j.read(3, 6)).extracting(Journal.Entry::seq).containsExactly(4L, 5L, 6L);
    }
  }

  @Test
  void releaseDeletesOnlyFullyCommittedSegmentsAndNeverTheActiveOne() throws IOException {
    try (Journal j = new Journal(dir, 250, false, 0)) {
      for (int i = 0; i < 10; i++) {
        j.append(new byte[100]); // segments start at 1, 4, 7, 10
      }
      j.release(2);
      assertThat(j.segmentCount()).isEqualTo(4);
      j.release(3);
      assertThat(j.segmentCount()).isEqualTo(3);
      assertThat(segments().get(0).getFileName().toString()).isEqualTo("journal-00000000000000000004.log");
      assertThat(j.read(0, 100)).extracting(Journal.Entry::seq).startsWith(4L);
      j.release(10);
      assertThat(j.segmentCount()).isEqualTo(1);
      assertThat(j.read(0, 100)).extracting(Journal.Entry::seq).containsExactly(10L);
      assertThat(j.append(new byte[1])).isEqualTo(11);
    }
  }

  @Test
  void aTornTailRecordIsCutOffOnReopen() throws IOException {
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      j.append(rec("one"));
      j.append(rec("two"));
      j.append(rec("three-is-torn"));
    }
    Path seg = segments().get(0);
    long size = Files.size(seg);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(size - 5); // the crash cut the last write short
    }
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(j.lastSeq()).isEqualTo(2);
      assertThat(texts(j.read(0, 100))).containsExactly("one", "two");
      assertThat(j.append(rec("three-again"))).isEqualTo(3);
      assertThat(texts(j.read(0, 100))).containsExactly("one", "two", "three-again");
    }
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(texts(j.read(0, 100))).containsExactly("one", "two", "three-again");
    }
  }

  @Test
  void aTornHeaderIsCutOffToo() throws IOException {
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      j.append(rec("one"));
    }
    Path seg = segments().get(0);
    Files.write(seg, new byte[] {0, 0, 0}, java.nio.file.StandardOpenOption.APPEND);
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(j.lastSeq()).isEqualTo(1);
      assertThat(j.append(rec("two"))).isEqualTo(2);
      assertThat(texts(j.read(0, 10))).containsExactly("one", "two");
    }
  }

  @Test
  void aCorruptRecordStopsReading() throws IOException {
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      j.append(rec("first"));
      j.append(rec("second"));
      j.append(rec("third"));
      Path seg = segments().get(0);
      long secondPayload = 16 + 5 + 16; // header + "first" + header of the second
      try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
        f.seek(secondPayload + 2);
        f.write('X');
      }
      assertThat(texts(j.read(0, 100))).containsExactly("first");
    }
  }

  @Test
  void aRecordWithAnAbsurdLengthStopsReading() throws IOException {
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      j.append(rec("first"));
      j.append(rec("second"));
    }
    Path seg = segments().get(0);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(16 + 5);
      f.writeInt(-7);
    }
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(j.lastSeq()).isEqualTo(1);
      assertThat(texts(j.read(0, 100))).containsExactly("first");
    }
  }

  @Test
  void anEmptySegmentLeftByACrashIsRemoved() throws IOException {
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      j.append(rec("one"));
    }
    // the crash came right after the next segment file was created
    Path empty = dir.resolve("journal-00000000000000000002.log");
    Files.createFile(empty);
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(Files.exists(empty)).isFalse();
      assertThat(j.segmentCount()).isEqualTo(1);
      assertThat(j.lastSeq()).isEqualTo(1);
      assertThat(j.append(rec("two"))).isEqualTo(2);
      assertThat(texts(j.read(0, 10))).containsExactly("one", "two");
    }
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(texts(j.read(0, 10))).containsExactly("one", "two");
    }
  }

  @Test
  void anEmptyJournalDirectoryIsFine() throws IOException {
    try (Journal j = new Journal(dir.resolve("nested/journal"), BIG, false, 0)) {
      assertThat(j.read(0, 100)).isEmpty();
      assertThat(j.segmentCount()).isZero();
      j.release(100);
      assertThat(j.lastSeq()).isZero();
    }
  }

  @Test
  void otherFilesInTheDirectoryAreIgnored() throws IOException {
    Files.writeString(dir.resolve("README.txt"), "not a segment");
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThat(j.append(rec("x"))).isEqualTo(1);
    }
  }

  @Test
  void oversizedRecordsAreRefused() {
    try (Journal j = new Journal(dir, BIG, false, 0)) {
      assertThatThrownBy(() -> j.append(new byte[Journal.MAX_RECORD + 1]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(j.lastSeq()).isZero();
    }
  }

  @Test
  void concurrentAppendsGetDistinctConsecutiveSequenceNumbers() throws Exception {
    try (Journal j = new Journal(dir, 4096, false, 0)) {
      Thread[] threads = new Thread[4];
      for (int t = 0; t < threads.length; t++) {
        threads[t] = new Thread(() -> {
          for (int i = 0; i < 250; i++) {
            j.append(rec("payload"));
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join(30_000);
      }
      assertThat(j.lastSeq()).isEqualTo(1000);
      List<Journal.Entry> all = j.read(0, Long.MAX_VALUE);
      assertThat(all).hasSize(1000);
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i).seq()).isEqualTo(i + 1);
      }
    }
  }
}
