package io.distillguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.gateway.upstream.SseParser;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The streaming relay's parsing on a typical stream (a role chunk, 100 one-token chunks, a finish chunk, a usage
 * chunk, [DONE]: 104 events, ~19 KB). {@code feed*}: SseParser alone, with the stream arriving one event per network
 * chunk (a token-paced model) or in 1,460-byte segments (a fast one). {@code relay}: what UpstreamExchange does per
 * event on top: SseParser.data and a Jackson tree parse of every event. Times are per whole stream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SseBenchmark {
  private List<Buffer> perEvent;
  private List<Buffer> segments;
  private int events;

  @Setup
  public void setUp() {
    byte[] stream = Fixtures.chatStream(100);
    String text = new String(stream, java.nio.charset.StandardCharsets.UTF_8);
    perEvent = new ArrayList<>();
    for (String e : text.split("(?<=\n\n)")) {
      perEvent.add(Buffer.buffer(e));
    }
    segments = new ArrayList<>();
    for (int i = 0; i < stream.length; i += 1460) {
      segments.add(Buffer.buffer(java.util.Arrays.copyOfRange(stream, i, Math.min(stream.length, i + 1460))));
    }
    events = perEvent.size();
    if (feedPerEvent() != events || feedSegments() != events) {
      throw new IllegalStateException("the parser did not find " + events + " events");
    }
  }

  @Benchmark
  public int feedPerEvent() {
    return feed(perEvent, false);
  }

  @Benchmark
  public int feedSegments() {
    return feed(segments, false);
  }

  @Benchmark
  public int relayPerEvent() {
    return feed(perEvent, true);
  }

  private static int feed(List<Buffer> chunks, boolean relay) {
    int[] n = {0};
    SseParser p = new SseParser(event -> {
      n[0]++;
      if (relay) {
        String data = SseParser.data(event);
        if (data != null && !"[DONE]".equals(data.strip())) {
          try {
            JsonNode node = Json.MAPPER.readTree(data);
            n[0] += node.size() > 0 ? 0 : 1;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }, 4 << 20);
    for (Buffer b : chunks) {
      p.feed(b);
    }
    return n[0];
  }
}
