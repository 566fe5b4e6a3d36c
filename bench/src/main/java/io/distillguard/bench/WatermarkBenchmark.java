package io.distillguard.bench;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.nio.charset.StandardCharsets;
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
 * What the watermark adds to a stream. {@code firstChunk}: opening a session (one HMAC key schedule) and pushing the
 * first token of an answer, the work between the upstream's first token and the client's. {@code wholeStream}: a
 * 120-word answer pushed one token per chunk, the total CPU per streamed answer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WatermarkBenchmark {
  private Watermarker marker;
  private List<String> chunks;

  @Setup
  public void setUp() {
    marker = new Watermarker(Lexicon.standard(), WatermarkKey.account(
        "benchmark-master-secret-0123456789".getBytes(StandardCharsets.UTF_8), "acct-1"), 1.0);
    String answer = ("Sure. The recipe is fairly simple and famous in the city: first, probably the most important "
        + "step is to slowly heat the butter, then add the flour. Perhaps the student often asks why the salary "
        + "of a farmer was relatively low; the answer is mostly about the market. ").repeat(3);
    chunks = new ArrayList<>();
    for (String w : answer.split("(?= )")) {
      chunks.add(w);
    }
  }

  @Benchmark
  public String firstChunk() {
    return marker.session().push(chunks.get(0));
  }

  @Benchmark
  public int wholeStream() {
    Watermarker.Session s = marker.session();
    int n = 0;
    for (String c : chunks) {
      n += s.push(c).length();
    }
    return n + s.finish().length();
  }
}
