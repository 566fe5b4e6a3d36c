package io.distillguard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of request fields that answer wrong types with the 400 OpenAI gives. An absent
 * field and an explicit JSON {@code null} both count as "not set".
 */
final class Fields {
  /** The sampling parameters both completion endpoints accept, in the order they are checked. */
  private static final String[] SAMPLING = {"temperature", "top_p", "presence_penalty",
      "frequency_penalty"};

  private Fields() {}

  static JsonNode get(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? null : v;
  }

  static String requiredString(JsonNode body, String field) {
    JsonNode v = get(body, field);
    if (v == null) {
      throw ApiError.missing(field);
    }
    if (!v.isTextual()) {
      throw ApiError.wrongType(field, "a string");
    }
    return v.asText();
  }

  static boolean optionalBoolean(JsonNode body, String field, String param, boolean dflt) {
    JsonNode v = get(body, field);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw ApiError.wrongType(param, "a boolean");
    }
    return v.booleanValue();
  }

  /** An integer in {@code min..max}, or {@code dflt} when not set. */
  static Integer optionalInt(JsonNode body, String field, int min, int max, Integer dflt) {
    JsonNode v = get(body, field);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiError.wrongType(field, "an integer");
    }
    int value = v.intValue();
    if (value < min || value > max) {
      throw ApiError.invalid("Invalid '" + field + "': " + value + " is out of range; expected"
          + " a value between " + min + " and " + max + ".", field, "invalid_value");
    }
    return value;
  }

  /** Only checks the type: sampling parameters do not change canned answers. */
  static void optionalNumber(JsonNode body, String field) {
    JsonNode v = get(body, field);
    if (v != null && !v.isNumber()) {
      throw ApiError.wrongType(field, "a number");
    }
  }

  /**
   * Checks that each sampling parameter ({@code temperature}, {@code top_p},
   * {@code presence_penalty}, {@code frequency_penalty}) is a number when set, in that order.
   */
  static void samplingNumbers(JsonNode body) {
    for (String f : SAMPLING) {
      optionalNumber(body, f);
    }
  }

  /**
   * {@code v} (set: not null) as a list of strings: a string is a list of one, an array must be
   * non-empty and hold only strings. Anything else is the 400 for {@code param}; in particular
   * arrays of token ids, which would need a real tokenizer to mean anything.
   */
  static List<String> stringOrStrings(JsonNode v, String param) {
    if (v.isTextual()) {
      return List.of(v.asText());
    }
    if (!v.isArray() || v.isEmpty()) {
      throw ApiError.wrongType(param, "a string or a non-empty array of strings");
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw ApiError.wrongType(param, "a string or a non-empty array of strings");
      }
      out.add(item.asText());
    }
    return out;
  }
}
