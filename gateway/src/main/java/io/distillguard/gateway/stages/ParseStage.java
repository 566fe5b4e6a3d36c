package io.distillguard.gateway.stages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.gateway.pipeline.Stage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and checks the request body of the endpoint: valid UTF-8, a JSON object, the required fields with the
 * right types. Extracts what the exchange log and the detectors need (model, messages, sampling parameters).
 * Value ranges are left to the model server; only what the gateway itself relies on is enforced here.
 */
public final class ParseStage implements Stage {
  private static final int MAX_N = 128;
  /** Strict: {@code {...} trailing} is not JSON, and must not reach the model server as if it were. */
  private static final ObjectReader READER =
      Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @Override
  public void process(Call call, Chain chain) {
    Endpoint endpoint = call.endpoint();
    if (endpoint == Endpoint.MODELS) {
      chain.proceed(call);
      return;
    }
    ApiError error = parse(call);
    if (error != null) {
      call.reject(error);
    } else {
      chain.proceed(call);
    }
  }

  ApiError parse(Call call) {
    byte[] bytes = call.body == null ? new byte[0] : call.body.getBytes();
    if (bytes.length == 0) {
      return ApiError.badRequest("invalid_json", "The request body is empty; expected a JSON object.", null);
    }
    // Most bodies are ASCII (clients often escape the rest): those need no decoding into a char buffer to check.
    if (!isAscii(bytes)) {
      try {
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes));
      } catch (CharacterCodingException e) {
        return ApiError.badRequest("invalid_encoding", "The request body is not valid UTF-8.", null);
      }
    }
    JsonNode root;
    try {
      root = READER.readTree(bytes);
    } catch (JsonProcessingException e) {
      return ApiError.badRequest("invalid_json",
          "The request body is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr() + ").", null);
    } catch (IOException e) {
      return ApiError.badRequest("invalid_json", "The request body could not be read as JSON.", null);
    }
    if (!(root instanceof ObjectNode obj)) {
      return ApiError.badRequest("invalid_json", "The request body must be a JSON object.", null);
    }
    call.json = obj;
    try {
      call.model = requiredString(obj, "model");
      switch (call.endpoint()) {
        case CHAT_COMPLETIONS -> call.messages = chatMessages(obj);
        case COMPLETIONS -> call.messages = texts(obj, "prompt", "prompt");
        case EMBEDDINGS -> call.messages = texts(obj, "input", "input");
        default -> throw new IllegalStateException("no body expected for " + call.endpoint());
      }
      if (call.endpoint().generates()) {
        call.stream = optionalBoolean(obj, "stream", false);
        JsonNode so = obj.get("stream_options");
        if (so != null && !so.isNull()) {
          if (!so.isObject()) {
            throw new Invalid("stream_options", "must be an object");
          }
          JsonNode iu = so.get("include_usage");
          if (iu != null && !iu.isNull() && !iu.isBoolean()) {
            throw new Invalid("stream_options.include_usage", "must be a boolean");
          }
          call.clientWantsUsage = iu != null && iu.asBoolean();
        }
        call.params = sampling(obj);
      }
    } catch (Invalid e) {
      return ApiError.badRequest(e.code, e.getMessage(), e.param);
    }
    return null;
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static List<ChatMessage> chatMessages(ObjectNode obj) {
    JsonNode msgs = obj.get("messages");
    if (msgs == null || msgs.isNull()) {
      throw new Invalid("messages", "missing_required_parameter", "Missing required parameter: 'messages'.");
    }
    if (!msgs.isArray() || msgs.isEmpty()) {
      throw new Invalid("messages", "must be a non-empty array of messages");
    }
    List<ChatMessage> out = new ArrayList<>(msgs.size());
    for (int i = 0; i < msgs.size(); i++) {
      JsonNode m = msgs.get(i);
      String p = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new Invalid(p, "must be an object with 'role' and 'content'");
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual() || role.asText().isEmpty()) {
        throw new Invalid(p + ".role", "must be a non-empty string");
      }
      out.add(new ChatMessage(role.asText(), content(m.get("content"), p + ".content")));
    }
    return out;
  }

  /** Message content: a string, null (assistant tool calls) or an array of parts whose text parts are kept. */
  private static String content(JsonNode c, String param) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (!c.isArray()) {
      throw new Invalid(param, "must be a string or an array of content parts");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < c.size(); i++) {
      JsonNode part = c.get(i);
      if (!part.isObject() || !part.path("type").isTextual()) {
        throw new Invalid(param + "[" + i + "]", "must be an object with a 'type'");
      }
      if ("text".equals(part.get("type").asText())) {
        JsonNode text = part.get("text");
        if (text == null || !text.isTextual()) {
          throw new Invalid(param + "[" + i + "].text", "must be a string");
        }
        if (sb.length() > 0) {
          sb.append('\n');
        }
        sb.append(text.asText());
      }
    }
    return sb.toString();
  }

  /** A string or an array of strings (token arrays are accepted and kept as their JSON text). */
  private static List<ChatMessage> texts(ObjectNode obj, String field, String role) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      throw new Invalid(field, "missing_required_parameter", "Missing required parameter: '" + field + "'.");
    }
    if (v.isTextual()) {
      return List.of(new ChatMessage(role, v.asText()));
    }
    if (!v.isArray() || v.isEmpty()) {
      throw new Invalid(field, "must be a string or a non-empty array");
    }
    if (isTokenArray(v)) {
      return List.of(new ChatMessage(role, v.toString())); // one prompt given as token ids
    }
    List<ChatMessage> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode item = v.get(i);
      if (item.isTextual()) {
        out.add(new ChatMessage(role, item.asText()));
      } else if (item.isIntegralNumber() || item.isArray()) {
        out.add(new ChatMessage(role, item.toString()));
      } else {
        throw new Invalid(field + "[" + i + "]", "must be a string");
      }
    }
    return out;
  }

  private static boolean isTokenArray(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }

  private static SamplingParams sampling(ObjectNode obj) {
    Double temperature = optionalNumber(obj, "temperature");
    Double topP = optionalNumber(obj, "top_p");
    Integer n = optionalInt(obj, "n");
    if (n != null && (n < 1 || n > MAX_N)) {
      throw new Invalid("n", "must be between 1 and " + MAX_N);
    }
    Integer maxTokens = optionalInt(obj, "max_completion_tokens");
    if (maxTokens == null) {
      maxTokens = optionalInt(obj, "max_tokens");
    }
    if (maxTokens != null && maxTokens < 1) {
      throw new Invalid("max_tokens", "must be at least 1");
    }
    JsonNode lp = obj.get("logprobs");
    Boolean logprobs = null;
    if (lp != null && !lp.isNull()) {
      if (lp.isBoolean()) {
        logprobs = lp.asBoolean();
      } else if (lp.isIntegralNumber()) {
        logprobs = lp.asInt() > 0; // legacy completions: logprobs is a count
      } else {
        throw new Invalid("logprobs", "must be a boolean");
      }
    }
    Integer topLogprobs = optionalInt(obj, "top_logprobs");
    JsonNode seedNode = obj.get("seed");
    Long seed = null;
    if (seedNode != null && !seedNode.isNull()) {
      if (!seedNode.isIntegralNumber()) {
        throw new Invalid("seed", "must be an integer");
      }
      seed = seedNode.asLong();
    }
    JsonNode tools = obj.get("tools");
    int toolCount = 0;
    if (tools != null && !tools.isNull()) {
      if (!tools.isArray()) {
        throw new Invalid("tools", "must be an array");
      }
      toolCount = tools.size();
    }
    return new SamplingParams(temperature, topP, n, maxTokens, logprobs, topLogprobs, seed, toolCount);
  }

  private static String requiredString(ObjectNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      throw new Invalid(field, "missing_required_parameter", "Missing required parameter: '" + field + "'.");
    }
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw new Invalid(field, "must be a non-empty string");
    }
    return v.asText();
  }

  private static boolean optionalBoolean(ObjectNode obj, String field, boolean dflt) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new Invalid(field, "must be a boolean");
    }
    return v.asBoolean();
  }

  private static Double optionalNumber(ObjectNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new Invalid(field, "must be a number");
    }
    return v.asDouble();
  }

  private static Integer optionalInt(ObjectNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new Invalid(field, "must be an integer");
    }
    return v.asInt();
  }

  /** A field that is missing or of the wrong type. */
  private static final class Invalid extends RuntimeException {
    final String param;
    final String code;

    Invalid(String param, String problem) {
      this(param, "invalid_type", "Invalid value for '" + param + "': " + problem + ".");
    }

    Invalid(String param, String code, String message) {
      super(message, null, false, false);
      this.param = param;
      this.code = code;
    }
  }
}
