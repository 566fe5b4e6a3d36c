package io.distillguard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings} with {@link PseudoEmbeddings} (hashing, not a model). Supports
 * {@code input} as a string or array of strings, {@code dimensions}, and
 * {@code encoding_format} {@code "float"} or {@code "base64"} (little-endian float32, which
 * OpenAI's SDKs request by default).
 */
final class Embeddings {
  private final Settings settings;

  Embeddings(Settings settings) {
    this.settings = settings;
  }

  Reply handle(JsonNode body) {
    String model = Fields.requiredString(body, "model");
    List<String> inputs = inputs(Fields.get(body, "input"));
    int dimensions = Fields.optionalInt(body, "dimensions", 1, PseudoEmbeddings.DIMENSIONS,
        PseudoEmbeddings.DIMENSIONS);
    JsonNode format = Fields.get(body, "encoding_format");
    boolean base64 = false;
    if (format != null) {
      if (!format.isTextual() || !(format.asText().equals("float")
          || format.asText().equals("base64"))) {
        throw ApiError.invalid("Invalid 'encoding_format': expected 'float' or 'base64'.",
            "encoding_format", "invalid_value");
      }
      base64 = format.asText().equals("base64");
    }
    if (!settings.servesModel(model)) {
      throw ApiError.modelNotFound(model);
    }
    ObjectNode root = Json.MAPPER.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String input = inputs.get(i);
      tokens += Tokenizer.count(input);
      float[] vector = PseudoEmbeddings.embed(input, dimensions);
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : vector) {
          bytes.putFloat(f);
        }
        item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float f : vector) {
          values.add(f);
        }
      }
    }
    root.put("model", model);
    root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return new Reply.JsonBody(200, root.toString());
  }

  private static List<String> inputs(JsonNode input) {
    if (input == null) {
      throw ApiError.missing("input");
    }
    return Fields.stringOrStrings(input, "input");
  }
}
