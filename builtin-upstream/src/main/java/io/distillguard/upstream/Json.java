package io.distillguard.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one shared, thread-safe Jackson mapper of this module. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
