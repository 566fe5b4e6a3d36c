package io.distillguard.gateway.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.distillguard.core.Exchange;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON form of an exchange in the journal (and in exports): the record's components, times in ISO-8601. */
public final class ExchangeCodec {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private ExchangeCodec() {}

  public static byte[] encode(Exchange e) {
    try {
      return MAPPER.writeValueAsBytes(e);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
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
