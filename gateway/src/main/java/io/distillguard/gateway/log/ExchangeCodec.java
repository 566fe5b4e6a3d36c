package io.distillguard.gateway.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of an exchange in the journal (and in exports): the record's components, times in ISO-8601, nulls
 * left out. Encoding runs on the event loop for every request, so it writes the fields with a streaming generator
 * rather than through the bean serializer (which cost about three times as much); decoding, which only recovery and
 * exports need, stays with the data-binding mapper, which also tolerates fields of older and newer versions.
 */
public final class ExchangeCodec {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private ExchangeCodec() {}

  public static byte[] encode(Exchange e) {
    ByteArrayBuilder out = new ByteArrayBuilder(512);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
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

  public static Exchange decode(byte[] bytes) {
    try {
      return MAPPER.readValue(bytes, Exchange.class);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
