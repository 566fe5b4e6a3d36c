package io.distillguard.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private static List<String> parse(int max, byte[]... chunks) {
    List<String> events = new ArrayList<>();
    SseParser p = new SseParser(events::add, max);
    for (byte[] c : chunks) {
      p.feed(Buffer.buffer(c));
    }
    String rest = p.remainder();
    if (!rest.isEmpty()) {
      events.add("REST:" + rest);
    }
    return events;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final String STREAM = "data: {\"a\":1}\n\n"
      + "data: {\"b\":\"caf\u00e9 \uD83D\uDE00\"}\r\n\r\n"
      + "event: ping\r\ndata: x\r\n\r\n"
      + ": comment\ndata: y\n\n"
      + "data: [DONE]\n\n";

  private static final List<String> EXPECTED = List.of(
      "data: {\"a\":1}",
      "data: {\"b\":\"caf\u00e9 \uD83D\uDE00\"}",
      "event: ping\r\ndata: x",
      ": comment\ndata: y",
      "data: [DONE]");

  @Test
  void wholeStreamInOneChunk() {
    assertThat(parse(1 << 20, utf8(STREAM))).isEqualTo(EXPECTED);
  }

  @Test
  void everySingleAndDoubleSplitGivesTheSameEvents() {
    byte[] all = utf8(STREAM);
    for (int i = 0; i <= all.length; i++) {
      for (int j = i; j <= all.length; j++) {
        List<String> got = parse(1 << 20, Arrays.copyOfRange(all, 0, i), Arrays.copyOfRange(all, i, j),
            Arrays.copyOfRange(all, j, all.length));
        assertThat(got).as("split at %d and %d", i, j).isEqualTo(EXPECTED);
      }
    }
  }

  @Test
  void byteByByteAndRandomChunking() {
    byte[] all = utf8(STREAM);
    byte[][] single = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      single[i] = new byte[] {all[i]};
    }
    assertThat(parse(1 << 20, single)).isEqualTo(EXPECTED);
    Random r = new Random(42);
    for (int round = 0; round < 200; round++) {
      List<byte[]> chunks = new ArrayList<>();
      int pos = 0;
      while (pos < all.length) {
        int n = Math.min(all.length - pos, 1 + r.nextInt(7));
        chunks.add(Arrays.copyOfRange(all, pos, pos + n));
        pos += n;
      }
      assertThat(parse(1 << 20, chunks.toArray(new byte[0][]))).isEqualTo(EXPECTED);
    }
  }

  @Test
  void aMultibyteCharacterSplitAcrossChunksSurvives() {
    byte[] all = utf8("data: \uD83D\uDE00\n\n");
    // the emoji is 4 bytes starting at offset 6: split inside it
    assertThat(parse(1024, Arrays.copyOfRange(all, 0, 8), Arrays.copyOfRange(all, 8, all.length)))
        .containsExactly("data: \uD83D\uDE00");
  }

  @Test
  void anUnterminatedEventIsTheRemainder() {
    assertThat(parse(1024, utf8("data: a\n\ndata: b\n"))).containsExactly("data: a", "REST:data: b");
    assertThat(parse(1024, utf8("data: a\n\n"))).containsExactly("data: a");
  }

  @Test
  void anOversizedEventIsRefused() {
    SseParser p = new SseParser(e -> {}, 100);
    p.feed(Buffer.buffer("data: " + "x".repeat(90)));
    assertThatThrownBy(() -> p.feed(Buffer.buffer("x".repeat(20))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("100");
  }

  @Test
  void manyEventsInOneChunkAreFineWhenEachIsSmall() {
    List<String> events = new ArrayList<>();
    SseParser p = new SseParser(events::add, 100);
    p.feed(Buffer.buffer(("data: " + "y".repeat(80) + "\n\n").repeat(50)));
    assertThat(events).hasSize(50);
  }

  @Test
  void dataOfAnEvent() {
    assertThat(SseParser.data("data: hello")).isEqualTo("hello");
    assertThat(SseParser.data("data:hello")).isEqualTo("hello");
    assertThat(SseParser.data("data:  two spaces")).isEqualTo(" two spaces");
    assertThat(SseParser.data("data:")).isEmpty();
    assertThat(SseParser.data("data: line one\ndata: line two")).isEqualTo("line one\nline two");
    assertThat(SseParser.data("data: a\r\ndata: b\r")).isEqualTo("a\nb");
    assertThat(SseParser.data("event: usage\nid: 7\ndata: {\"x\":1}\nretry: 10")).isEqualTo("{\"x\":1}");
    assertThat(SseParser.data(": just a comment")).isNull();
    assertThat(SseParser.data("event: ping")).isNull();
    assertThat(SseParser.data("")).isNull();
    assertThat(SseParser.data("\ndata: after a blank")).isEqualTo("after a blank");
  }
}
