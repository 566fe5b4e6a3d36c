package io.distillguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.gateway.stages.ParseStage;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * The parse stage on a typical ~1 KB chat completion body (the real {@link ParseStage}, driven through its public
 * {@code process}), and its two main parts measured alone: the UTF-8 check and Jackson's tree parse. Also the parse
 * of the upstream's answer, which the forward stage does for every non-streaming call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ParseBenchmark {
  private final ParseStage stage = new ParseStage();
  private final Chain proceed = c -> { };
  private byte[] body1kb;
  private Buffer buffer1kb;
  private Buffer bufferSmall;
  private byte[] upstreamAnswer;

  @Setup
  public void setUp() {
    body1kb = Fixtures.CHAT_1KB.getBytes(StandardCharsets.UTF_8);
    buffer1kb = Buffer.buffer(body1kb);
    bufferSmall = Buffer.buffer(Fixtures.SMALL_CHAT);
    upstreamAnswer = Fixtures.CHAT_RESPONSE.getBytes(StandardCharsets.UTF_8);
    Call check = parse(buffer1kb);
    if (check.messages.size() != 4 || check.params.maxTokens() != 256) {
      throw new IllegalStateException("the parse stage did not accept the fixture body");
    }
  }

  private Call parse(Buffer body) {
    Call call = new Call(null, null, Endpoint.CHAT_COMPLETIONS, "/v1/chat/completions", 0L, "ex_bench");
    call.body = body;
    stage.process(call, proceed);
    return call;
  }

  /** The whole parse stage: UTF-8 check, tree parse, field extraction and validation (~1 KB body). */
  @Benchmark
  public Call parseStage1kb() {
    return parse(buffer1kb);
  }

  /** The same on the load test's small body (~100 bytes). */
  @Benchmark
  public Call parseStageSmall() {
    return parse(bufferSmall);
  }

  /** Only the UTF-8 validation the stage does first (a full decode into a CharBuffer that is then dropped). */
  @Benchmark
  public CharBuffer utf8Check1kb() throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(body1kb));
  }

  /** Only Jackson's tree parse of the body. */
  @Benchmark
  public JsonNode jacksonTree1kb() throws IOException {
    return Json.MAPPER.readTree(body1kb);
  }

  /** The forward stage's parse of a non-streaming upstream answer (to read usage and the text). */
  @Benchmark
  public JsonNode upstreamAnswerTree() throws IOException {
    return Json.MAPPER.readTree(upstreamAnswer);
  }
}
