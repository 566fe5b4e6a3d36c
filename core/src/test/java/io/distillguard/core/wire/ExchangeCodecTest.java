package io.distillguard.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written encoder must write exactly what the data-binding form of an exchange holds, and read back; the
 * event form is the journal form with the version first; the decoder refuses other versions and malformed records
 * with messages that never quote the record.
 */
class ExchangeCodecTest {

  private static Exchange full() {
    List<ChatMessage> msgs = List.of(new ChatMessage("system", "be \"terse\"\n\t</script>"),
        new ChatMessage("user", "Explain step by step: 𝔁² — ünïcödé, \u0000 control, \u2028 separator"),
        new ChatMessage("assistant", null));
    return new Exchange("ex_1", Instant.parse("2026-11-22T17:14:59.123456789Z"), "acc_1", "key1", "203.0.113.9",
        "python-requests/2.31 {\"x\":1}", "00ff00ff00ff00ff", "/v1/chat/completions", "gpt-x",
        new SamplingParams(0.7, 0.95, 4, 4096, true, 5, -42L, 2), true, msgs, "answer with \\ backslash",
        Exchange.promptDigest(msgs), Exchange.promptLength(msgs), Exchange.textDigest("a"), 1, 12, 34, 200,
        Outcome.OK, null, 1234, 1000, 200);
  }

  private static Exchange minimal() {
    return new Exchange("ex_2", Instant.EPOCH, null, null, null, null, null, "/v1/models", null, null, false, null,
        null, null, 0, null, 0, 0, 0, 401, Outcome.REJECTED, "invalid_api_key", 5, 0, 0);
  }

  @Test
  void writesWhatTheBeanSerializerWould() throws Exception {
    for (Exchange e : List.of(full(), minimal(), full().redacted())) {
      byte[] fast = ExchangeCodec.encode(e);
      assertThat(ExchangeCodec.MAPPER.readTree(fast))
          .isEqualTo(ExchangeCodec.MAPPER.readTree(ExchangeCodec.MAPPER.writeValueAsBytes(e)));
      assertThat(ExchangeCodec.decode(fast)).isEqualTo(e);
    }
  }

  @Test
  void theAccountTierTravelsWhenKnownAndIsLeftOutOtherwise() throws Exception {
    String hostile = "gold \"vip\"\n</script>\u2028";
    Exchange tiered = full().withAccountTier(hostile);
    byte[] event = ExchangeCodec.encodeEvent(tiered);
    assertThat(ExchangeCodec.MAPPER.readTree(event).get("accountTier").asText()).isEqualTo(hostile);
    assertThat(ExchangeCodec.decode(event)).isEqualTo(tiered);
    assertThat(ExchangeCodec.decode(ExchangeCodec.encodeEvent(tiered.redacted())).accountTier())
        .as("a redacted event keeps it").isEqualTo(hostile);
    assertThat(ExchangeCodec.MAPPER.readTree(ExchangeCodec.encodeEvent(full())).has("accountTier")).isFalse();
    assertThat(ExchangeCodec.decode(ExchangeCodec.encodeEvent(full())).accountTier()).isNull();
    assertThat(ExchangeCodec.decode(ExchangeCodec.encode(tiered))).isEqualTo(tiered);
  }

  @Test
  void everyOutcomeAndPartialParamsRoundTrip() {
    for (Outcome o : Outcome.values()) {
      Exchange e = new Exchange("ex_" + o, Instant.parse("2026-01-01T00:00:00Z"), "a", "k", "::1", "ua", "f",
          "/v1/completions", "m", new SamplingParams(null, 1.0, null, 16, null, null, null, 0), false,
          List.of(new ChatMessage("prompt", "x".repeat(10_000))), "", null, 10_000, null, 0, 1, 0, 500, o, "e",
          1, 0, 0);
      assertThat(ExchangeCodec.decode(ExchangeCodec.encode(e))).isEqualTo(e);
    }
  }

  @Test
  void encodedBytesAreValidUtf8Json() throws Exception {
    byte[] bytes = ExchangeCodec.encode(full());
    String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text).startsWith("{\"id\":\"ex_1\"").contains("\\u0000").doesNotContain("\u0000");
    assertThat(Arrays.equals(bytes, text.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isTrue();
  }

  @Test
  void eventFormIsTheJournalFormWithTheVersionFirst() throws Exception {
    for (Exchange e : List.of(full(), minimal(), full().redacted())) {
      byte[] journal = ExchangeCodec.encode(e);
      byte[] event = ExchangeCodec.encodeEvent(e);
      String expected = "{\"v\":1," + new String(journal, java.nio.charset.StandardCharsets.UTF_8).substring(1);
      assertThat(new String(event, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(expected);
      assertThat(ExchangeCodec.decode(event)).isEqualTo(e);
    }
  }

  @Test
  void journalFormIsPinned() {
    // the journal's bytes must never change: journals written by earlier builds are read back by this one
    assertThat(new String(ExchangeCodec.encode(minimal()), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(
        "{\"id\":\"ex_2\",\"eventTime\":\"1970-01-01T00:00:00Z\",\"endpoint\":\"/v1/models\",\"params\":{\"tools\":0},"
            + "\"stream\":false,\"messages\":[],\"promptChars\":0,\"responseChars\":0,\"promptTokens\":0,"
            + "\"completionTokens\":0,\"status\":401,\"outcome\":\"REJECTED\",\"errorCode\":\"invalid_api_key\","
            + "\"latencyMicros\":5,\"upstreamMicros\":0,\"firstByteMicros\":0}");
  }

  @Test
  void otherVersionsAndMalformedRecordsAreRefusedWithoutQuotingThem() {
    String body = new String(ExchangeCodec.encode(minimal()), java.nio.charset.StandardCharsets.UTF_8).substring(1);
    for (String bad : List.of("{\"v\":2," + body, "{\"v\":\"1\"," + body, "{\"v\":1.5," + body)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ExchangeCodec.decode(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .isInstanceOf(WireFormatException.class).hasMessageContaining("this build reads version 1");
    }
    String hostile = "SECRET\u0007\n<script>";
    for (String bad : List.of("[1,2]", "not json " + hostile, "{\"id\":\"x\"}",
        "{\"id\":\"x\",\"eventTime\":\"" + hostile + "\",\"endpoint\":\"/v1\",\"outcome\":\"OK\"}",
        "{\"id\":\"x\",\"eventTime\":\"1970-01-01T00:00:00Z\",\"endpoint\":\"/v1\",\"outcome\":\"" + hostile + "\"}",
        "{\"id\":7,\"eventTime\":\"1970-01-01T00:00:00Z\",\"endpoint\":\"/v1\",\"outcome\":\"OK\",\"status\":{}}", "")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ExchangeCodec.decode(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .isInstanceOf(WireFormatException.class)
          .satisfies(t -> assertThat(t.getMessage()).doesNotContain("SECRET").doesNotContain("script")
              .doesNotContainPattern("\\p{Cntrl}"));
    }
  }

  @Test
  void absentVersionReadsAsVersionOne() {
    byte[] journal = ExchangeCodec.encode(full());
    assertThat(ExchangeCodec.decode(journal)).isEqualTo(full());
  }
}
