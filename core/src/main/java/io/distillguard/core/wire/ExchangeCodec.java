package io.distillguard.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of an exchange: the record's components, times in ISO-8601, nulls left out. Two encodings share it:
 *
 * <ul>
 *   <li>{@link #encode}: the journal form (and exports), unchanged since the first journal, with no version field;
 *   <li>{@link #encodeEvent}: the event form published to Kafka, the same object with {@code "v":1} written first,
 *       described by {@code schema/exchange-event.v1.schema.json}.
 * </ul>
 *
 * <p>{@link #decode} reads both: an absent {@code v} means version 1 (old journals still decode), fields it does not
 * know are ignored (additive changes stay version 1), and a {@code v} other than 1 is refused with a
 * {@link WireFormatException} rather than misread. docs/scale.md ("Event schema") states the compatibility rules.
 *
 * <p>Encoding runs on the event loop for every request, so it writes the fields with a streaming generator rather
 * than through the bean serializer (which cost about three times as much); decoding, which only recovery, exports
 * and consumers need, stays with the data-binding mapper.
 */
public final class ExchangeCodec {
  /** The version {@link #encodeEvent} writes and the only one {@link #decode} accepts. */
  public static final int VERSION = 1;

  /** The name of the version field of the event form. */
  public static final String VERSION_FIELD = "v";

  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private ExchangeCodec() {}

  /** The journal form: no version field, byte for byte what every journal so far holds. */
  public static byte[] encode(Exchange e) {
    return write(e, false);
  }

  /** The event form for Kafka: the journal form with {@code "v":1} as its first field. */
  public static byte[] encodeEvent(Exchange e) {
    return write(e, true);
  }

  private static byte[] write(Exchange e, boolean versioned) {
    ByteArrayBuilder out = new ByteArrayBuilder(512);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      if (versioned) {
        g.writeNumberField(VERSION_FIELD, VERSION);
      }
      g.writeStringField("id", e.id());
      g.writeStringField("eventTime", e.eventTime().toString());
      optional(g, "accountId", e.accountId());
      optional(g, "keyId", e.keyId());
      optional(g, "clientIp", e.clientIp());
      optional(g, "userAgent", e.userAgent());
      optional(g, "headerFingerprint", e.headerFingerprint());
      g.writeStringField("endpoint", e.endpoint());
      optional(g, "model", e.model());
      writeParams(g, e.params());
      g.writeBooleanField("stream", e.stream());
      g.writeArrayFieldStart("messages");
      for (ChatMessage m : e.messages()) {
        g.writeStartObject();
        optional(g, "role", m.role());
        optional(g, "content", m.content());
        g.writeEndObject();
      }
      g.writeEndArray();
      optional(g, "responseText", e.responseText());
      optional(g, "promptSha256", e.promptSha256());
      g.writeNumberField("promptChars", e.promptChars());
      optional(g, "responseSha256", e.responseSha256());
      g.writeNumberField("responseChars", e.responseChars());
      g.writeNumberField("promptTokens", e.promptTokens());
      g.writeNumberField("completionTokens", e.completionTokens());
      g.writeNumberField("status", e.status());
      g.writeStringField("outcome", e.outcome().name());
      optional(g, "errorCode", e.errorCode());
      g.writeNumberField("latencyMicros", e.latencyMicros());
      g.writeNumberField("upstreamMicros", e.upstreamMicros());
      g.writeNumberField("firstByteMicros", e.firstByteMicros());
      optional(g, "accountTier", e.accountTier());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  private static void writeParams(JsonGenerator g, SamplingParams p) throws IOException {
    g.writeObjectFieldStart("params");
    if (p.temperature() != null) {
      g.writeNumberField("temperature", p.temperature());
    }
    if (p.topP() != null) {
      g.writeNumberField("topP", p.topP());
    }
    if (p.n() != null) {
      g.writeNumberField("n", p.n());
    }
    if (p.maxTokens() != null) {
      g.writeNumberField("maxTokens", p.maxTokens());
    }
    if (p.logprobs() != null) {
      g.writeBooleanField("logprobs", p.logprobs());
    }
    if (p.topLogprobs() != null) {
      g.writeNumberField("topLogprobs", p.topLogprobs());
    }
    if (p.seed() != null) {
      g.writeNumberField("seed", p.seed());
    }
    g.writeNumberField("tools", p.tools());
    g.writeEndObject();
  }

  private static void optional(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  /**
   * Reads either form.
   *
   * @throws WireFormatException when the bytes are not a JSON object, lack a required field (id, eventTime,
   *     endpoint, outcome), hold a value of the wrong type, or carry a version other than {@value #VERSION}
   */
  public static Exchange decode(byte[] bytes) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (IOException ex) {
      throw new WireFormatException("exchange is not valid JSON: " + WireFormatException.summary(ex), ex);
    }
    if (tree == null || !tree.isObject()) {
      throw new WireFormatException("exchange is not a JSON object");
    }
    WireFormatException.checkVersion(tree, "exchange", VERSION);
    try {
      return MAPPER.treeToValue(tree, Exchange.class);
    } catch (IOException | IllegalArgumentException ex) {
      throw new WireFormatException("exchange does not match the schema: " + WireFormatException.summary(ex), ex);
    }
  }
}
