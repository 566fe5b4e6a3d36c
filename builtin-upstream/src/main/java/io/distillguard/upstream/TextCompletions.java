package io.distillguard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/completions} (the legacy text completion API): {@code prompt} is a string or an
 * array of strings; each prompt gets {@code n} choices, indexed prompt-major as OpenAI does.
 * Unlike OpenAI, an unset {@code max_tokens} means "no limit" rather than 16, so answers match
 * the chat endpoint's.
 */
final class TextCompletions {
  private final Settings settings;
  private final Answers answers;

  TextCompletions(Settings settings, Answers answers) {
    this.settings = settings;
    this.answers = answers;
  }

  Reply handle(JsonNode body) {
    String model = Fields.requiredString(body, "model");
    List<String> prompts = prompts(Fields.get(body, "prompt"));
    boolean stream = Fields.optionalBoolean(body, "stream", "stream", false);
    boolean includeUsage = ChatCompletions.includeUsage(body);
    Integer maxTokens = Fields.optionalInt(body, "max_tokens", 1, Integer.MAX_VALUE, null);
    int n = Fields.optionalInt(body, "n", 1, ChatCompletions.MAX_N, 1);
    Fields.samplingNumbers(body);
    if (!settings.servesModel(model)) {
      throw ApiError.modelNotFound(model);
    }
    int promptTokens = 0;
    List<Answers.Choice> choices = new ArrayList<>(prompts.size() * n);
    for (String prompt : prompts) {
      promptTokens += Tokenizer.count(prompt);
      choices.addAll(answers.generate(prompt, n, maxTokens));
    }
    String id = Wire.nextId("cmpl-");
    long created = Wire.nowEpochSeconds();
    return stream
        ? stream(id, created, model, choices, promptTokens, includeUsage)
        : complete(id, created, model, choices, promptTokens);
  }

  private static List<String> prompts(JsonNode prompt) {
    if (prompt == null) {
      return List.of(""); // OpenAI also accepts a missing prompt
    }
    return Fields.stringOrStrings(prompt, "prompt");
  }

  private static Reply complete(String id, long created, String model,
      List<Answers.Choice> choices, int promptTokens) {
    ObjectNode root = Wire.completion(id, "text_completion", created, model);
    ArrayNode array = root.putArray("choices");
    int completionTokens = 0;
    for (int i = 0; i < choices.size(); i++) {
      Answers.Choice c = choices.get(i);
      completionTokens += c.tokens();
      array.addObject()
          .put("text", c.text())
          .put("index", i)
          .putNull("logprobs")
          .put("finish_reason", c.finishReason());
    }
    return Wire.completionReply(root, promptTokens, completionTokens);
  }

  private Reply stream(String id, long created, String model, List<Answers.Choice> choices,
      int promptTokens, boolean includeUsage) {
    String head = Wire.chunkHead(id, "text_completion", created, model);
    String tail = Wire.chunkTail(includeUsage);
    List<Reply.Event> events = new ArrayList<>();
    int completionTokens = 0;
    for (int i = 0; i < choices.size(); i++) {
      Answers.Choice c = choices.get(i);
      completionTokens += c.tokens();
      for (String piece : Answers.pieces(c, settings.chunkTokens())) {
        events.add(new Reply.Event(head + choice(i, piece, null) + tail, true));
      }
      events.add(new Reply.Event(head + choice(i, "", c.finishReason()) + tail, false));
    }
    return Wire.endStream(events, head, includeUsage, promptTokens, completionTokens);
  }

  private static String choice(int index, String text, String finishReason) {
    return "{\"text\":" + Wire.quote(text) + ",\"index\":" + index
        + ",\"logprobs\":null,\"finish_reason\":" + Wire.finishReason(finishReason) + "}";
  }
}
