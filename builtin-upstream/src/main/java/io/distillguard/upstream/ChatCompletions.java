package io.distillguard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}: validates the request like OpenAI does, answers the last user
 * message from the corpus, and renders either a {@code chat.completion} object or a stream of
 * {@code chat.completion.chunk} events. With {@code n > 1} the choices are streamed one after
 * another rather than interleaved as OpenAI does; each chunk carries its choice {@code index}.
 * Prompt tokens are the {@link Tokenizer} counts of all message texts (no per-message overhead).
 */
final class ChatCompletions {
  static final int MAX_N = 128;
  private final Settings settings;
  private final Answers answers;

  ChatCompletions(Settings settings, Answers answers) {
    this.settings = settings;
    this.answers = answers;
  }

  Reply handle(JsonNode body) {
    String model = Fields.requiredString(body, "model");
    JsonNode messages = Fields.get(body, "messages");
    if (messages == null) {
      throw ApiError.missing("messages");
    }
    if (!messages.isArray()) {
      throw ApiError.wrongType("messages", "an array");
    }
    if (messages.isEmpty()) {
      throw ApiError.invalid("Invalid 'messages': empty array. Expected an array with minimum"
          + " length 1, but got an empty array instead.", "messages", "empty_array");
    }
    int promptTokens = 0;
    String lastUser = null;
    String last = null;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String param = "messages[" + i + "]";
      if (!message.isObject()) {
        throw ApiError.wrongType(param, "an object");
      }
      JsonNode role = Fields.get(message, "role");
      if (role == null) {
        throw ApiError.missing(param + ".role");
      }
      if (!role.isTextual()) {
        throw ApiError.wrongType(param + ".role", "a string");
      }
      String text = contentText(Fields.get(message, "content"), param + ".content");
      promptTokens += Tokenizer.count(text);
      last = text;
      if ("user".equals(role.asText())) {
        lastUser = text;
      }
    }
    boolean stream = Fields.optionalBoolean(body, "stream", "stream", false);
    boolean includeUsage = includeUsage(body);
    Integer maxTokens = Fields.optionalInt(body, "max_completion_tokens", 1, Integer.MAX_VALUE,
        Fields.optionalInt(body, "max_tokens", 1, Integer.MAX_VALUE, null));
    int n = Fields.optionalInt(body, "n", 1, MAX_N, 1);
    Fields.samplingNumbers(body);
    if (!settings.servesModel(model)) {
      throw ApiError.modelNotFound(model);
    }
    List<Answers.Choice> choices = answers.generate(lastUser != null ? lastUser : last, n,
        maxTokens);
    String id = Wire.nextId("chatcmpl-");
    long created = Wire.nowEpochSeconds();
    return stream
        ? stream(id, created, model, choices, promptTokens, includeUsage)
        : complete(id, created, model, choices, promptTokens);
  }

  /** {@code stream_options.include_usage}, validated. */
  static boolean includeUsage(JsonNode body) {
    JsonNode options = Fields.get(body, "stream_options");
    if (options == null) {
      return false;
    }
    if (!options.isObject()) {
      throw ApiError.wrongType("stream_options", "an object");
    }
    return Fields.optionalBoolean(options, "include_usage", "stream_options.include_usage",
        false);
  }

  /** Text of a message's content: a string, an array of parts (text parts joined), or null. */
  private static String contentText(JsonNode content, String param) {
    if (content == null) {
      return ""; // e.g. an assistant message that only carried tool calls
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      throw ApiError.wrongType(param, "a string or an array of content parts");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < content.size(); i++) {
      JsonNode part = content.get(i);
      String partParam = param + "[" + i + "]";
      if (!part.isObject()) {
        throw ApiError.wrongType(partParam, "an object");
      }
      JsonNode type = Fields.get(part, "type");
      if (type == null || !type.isTextual()) {
        throw ApiError.missing(partParam + ".type");
      }
      if ("text".equals(type.asText())) {
        JsonNode t = Fields.get(part, "text");
        if (t == null || !t.isTextual()) {
          throw ApiError.wrongType(partParam + ".text", "a string");
        }
        if (text.length() > 0) {
          text.append('\n');
        }
        text.append(t.asText());
      }
      // Image, audio and file parts carry nothing a canned-answer lookup could use.
    }
    return text.toString();
  }

  private static Reply complete(String id, long created, String model,
      List<Answers.Choice> choices, int promptTokens) {
    ObjectNode root = Wire.completion(id, "chat.completion", created, model);
    ArrayNode array = root.putArray("choices");
    int completionTokens = 0;
    for (int i = 0; i < choices.size(); i++) {
      Answers.Choice c = choices.get(i);
      completionTokens += c.tokens();
      ObjectNode choice = array.addObject().put("index", i);
      choice.putObject("message")
          .put("role", "assistant")
          .put("content", c.text())
          .putNull("refusal");
      choice.putNull("logprobs");
      choice.put("finish_reason", c.finishReason());
    }
    return Wire.completionReply(root, promptTokens, completionTokens);
  }

  private Reply stream(String id, long created, String model, List<Answers.Choice> choices,
      int promptTokens, boolean includeUsage) {
    String head = Wire.chunkHead(id, "chat.completion.chunk", created, model);
    String tail = Wire.chunkTail(includeUsage);
    List<Reply.Event> events = new ArrayList<>();
    int completionTokens = 0;
    for (int i = 0; i < choices.size(); i++) {
      Answers.Choice c = choices.get(i);
      completionTokens += c.tokens();
      events.add(new Reply.Event(
          head + choice(i, "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null)
              + tail, false));
      for (String piece : Answers.pieces(c, settings.chunkTokens())) {
        events.add(new Reply.Event(
            head + choice(i, "{\"content\":" + Wire.quote(piece) + "}", null) + tail, true));
      }
      events.add(new Reply.Event(head + choice(i, "{}", c.finishReason()) + tail, false));
    }
    return Wire.endStream(events, head, includeUsage, promptTokens, completionTokens);
  }

  private static String choice(int index, String delta, String finishReason) {
    return "{\"index\":" + index + ",\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
        + Wire.finishReason(finishReason) + "}";
  }
}
