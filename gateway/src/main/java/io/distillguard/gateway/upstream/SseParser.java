package io.distillguard.gateway.upstream;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a server-sent-event byte stream into events (blocks ended by a blank line), however the bytes are chunked.
 * Handles {@code \n} and {@code \r\n} line ends. Holds at most one incomplete event.
 */
public final class SseParser {
  private final Consumer<String> onEvent;
  private final int maxEventBytes;
  private Buffer pending = Buffer.buffer();

  /**
   * @param onEvent       receives each complete event's text without the terminating blank line
   * @param maxEventBytes longest event accepted; a longer one is an upstream fault
   */
  public SseParser(Consumer<String> onEvent, int maxEventBytes) {
    this.onEvent = onEvent;
    this.maxEventBytes = maxEventBytes;
  }

  /** @throws IllegalStateException when an event grows beyond the limit */
  public void feed(Buffer chunk) {
    pending.appendBuffer(chunk);
    int start = 0;
    int len = pending.length();
    int i = 0;
    while (i < len) {
      byte b = pending.getByte(i);
      if (b == '\n') {
        int next = i + 1;
        if (next < len && pending.getByte(next) == '\n') {
          emit(start, i);
          start = next + 1;
          i = start;
          continue;
        }
        if (next + 1 < len && pending.getByte(next) == '\r' && pending.getByte(next + 1) == '\n') {
          emit(start, i > start && pending.getByte(i - 1) == '\r' ? i - 1 : i);
          start = next + 2;
          i = start;
          continue;
        }
      }
      i++;
    }
    if (start > 0) {
      pending = pending.getBuffer(start, len);
    }
    if (pending.length() > maxEventBytes) {
      throw new IllegalStateException("server-sent event larger than " + maxEventBytes + " bytes");
    }
  }

  /** What is left after the stream ended: an event without its final blank line, or empty. */
  public String remainder() {
    String rest = pending.toString(StandardCharsets.UTF_8).strip();
    pending = Buffer.buffer();
    return rest;
  }

  private void emit(int from, int to) {
    onEvent.accept(pending.getString(from, to, "UTF-8"));
  }

  /** The value of the {@code data:} field(s) of an event, joined by newlines; null when there is none. */
  public static String data(String event) {
    StringBuilder sb = null;
    int pos = 0;
    while (pos <= event.length()) {
      int nl = event.indexOf('\n', pos);
      int end = nl < 0 ? event.length() : nl;
      String line = event.substring(pos, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.startsWith("data:")) {
        String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
        if (sb == null) {
          sb = new StringBuilder(value);
        } else {
          sb.append('\n').append(value);
        }
      }
      if (nl < 0) {
        break;
      }
      pos = nl + 1;
    }
    return sb == null ? null : sb.toString();
  }
}
