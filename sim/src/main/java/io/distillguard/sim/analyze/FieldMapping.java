package io.distillguard.sim.analyze;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which JSON path of a log line holds what: read from a small YAML file, strictly (unknown keys, missing required
 * keys and malformed paths are errors naming the key).
 *
 * <pre>
 * account: user.id                       # required
 * timestamp: ts                          # required
 * timestamp_format: iso8601              # iso8601 (default) | epoch_seconds | epoch_millis
 * messages: request.messages             # an array of {role, content}; or:
 * prompt: request.messages[-1].content   # one of messages / prompt is required
 * response: response.choices[0].message.content
 * client_ip: client.ip
 * user_agent: headers["user-agent"]
 * model: request.model
 * endpoint: path                         # default /v1/chat/completions
 * status: response.status                # default 200
 * prompt_tokens: response.usage.prompt_tokens
 * completion_tokens: response.usage.completion_tokens
 * </pre>
 */
public final class FieldMapping {
  /** How timestamps are written. */
  public enum TimeFormat {
    ISO8601, EPOCH_SECONDS, EPOCH_MILLIS;

    static TimeFormat parse(String s) {
      return switch (s.strip().toLowerCase(Locale.ROOT).replace('-', '_')) {
        case "iso8601", "iso_8601", "iso" -> ISO8601;
        case "epoch_seconds", "epoch_s", "unix", "seconds" -> EPOCH_SECONDS;
        case "epoch_millis", "epoch_ms", "millis" -> EPOCH_MILLIS;
        default -> null;
      };
    }

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The path fields, in the order they are documented; the first two are always required. */
  public static final List<String> PATH_FIELDS = List.of("account", "timestamp", "messages", "prompt", "response",
      "client_ip", "user_agent", "model", "endpoint", "status", "prompt_tokens", "completion_tokens");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Map<String, JsonPath> paths;
  private final TimeFormat timeFormat;
  private final String source;

  private FieldMapping(Map<String, JsonPath> paths, TimeFormat timeFormat, String source) {
    this.paths = paths;
    this.timeFormat = timeFormat;
    this.source = source;
  }

  /**
   * Reads a mapping file.
   *
   * @throws IllegalArgumentException naming the file and the key that is wrong
   */
  public static FieldMapping load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("mapping file not found: " + file);
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read mapping file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.getFileName().toString());
  }

  /** Parses mapping YAML; {@code source} names it in errors. */
  public static FieldMapping parse(String yaml, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid YAML: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": expected a mapping of field names to JSON paths, e.g. "
          + "'account: user.id'");
    }
    Map<String, JsonPath> paths = new LinkedHashMap<>();
    TimeFormat format = TimeFormat.ISO8601;
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String key = e.getKey();
      JsonNode v = e.getValue();
      if (key.equals("timestamp_format")) {
        TimeFormat f = v.isTextual() ? TimeFormat.parse(v.asText()) : null;
        if (f == null) {
          throw new IllegalArgumentException(source + ": timestamp_format: expected iso8601, epoch_seconds or "
              + "epoch_millis, got '" + v.asText() + "'");
        }
        format = f;
        continue;
      }
      if (!PATH_FIELDS.contains(key)) {
        throw new IllegalArgumentException(source + ": unknown field '" + key + "' (known: "
            + String.join(", ", PATH_FIELDS) + ", timestamp_format)");
      }
      if (v == null || v.isNull()) {
        continue;
      }
      if (!v.isTextual()) {
        throw new IllegalArgumentException(source + ": " + key + ": expected a JSON path such as "
            + "'request.messages[-1].content'");
      }
      try {
        paths.put(key, JsonPath.parse(v.asText()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(source + ": " + key + ": " + ex.getMessage());
      }
    }
    for (String required : List.of("account", "timestamp")) {
      if (!paths.containsKey(required)) {
        throw new IllegalArgumentException(source + ": '" + required + "' is required: the JSON path of the "
            + (required.equals("account") ? "account (or user, or API key) id" : "request time"));
      }
    }
    if (!paths.containsKey("messages") && !paths.containsKey("prompt")) {
      throw new IllegalArgumentException(source + ": 'messages' or 'prompt' is required: the JSON path of the "
          + "request's messages array or of its prompt text");
    }
    return new FieldMapping(Map.copyOf(paths), format, source);
  }

  /** The path mapped to a field, or null when the mapping does not name it. */
  public JsonPath path(String field) {
    return paths.get(field);
  }

  public TimeFormat timeFormat() {
    return timeFormat;
  }

  /** The mapped fields in documented order. */
  public List<String> fields() {
    return PATH_FIELDS.stream().filter(paths::containsKey).toList();
  }

  public String source() {
    return source;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
