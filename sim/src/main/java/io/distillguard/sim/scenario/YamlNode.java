package io.distillguard.sim.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A YAML mapping being read strictly: every read records the key, {@link #finish()} rejects keys nobody read, and
 * every error names the source and the field path ({@code campaigns[2].params.rate}).
 */
final class YamlNode {
  private final JsonNode node;
  private final String path;
  private final String source;
  private final Set<String> read = new HashSet<>();

  YamlNode(JsonNode node, String path, String source) {
    this.node = node;
    this.path = path;
    this.source = source;
    if (node != null && !node.isObject()) {
      throw error(path, "expected a mapping of keys to values, got " + kind(node));
    }
  }

  String path() {
    return path;
  }

  String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  IllegalArgumentException error(String fieldPath, String message) {
    return new IllegalArgumentException(source + ": " + (fieldPath.isEmpty() ? "(root)" : fieldPath) + ": "
        + message);
  }

  boolean has(String key) {
    read.add(key);
    JsonNode v = node == null ? null : node.get(key);
    return v != null && !v.isNull();
  }

  JsonNode raw(String key) {
    read.add(key);
    JsonNode v = node == null ? null : node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  String string(String key, String def) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (!v.isValueNode()) {
      throw error(child(key), "expected a text value, got " + kind(v));
    }
    return v.asText();
  }

  String requiredString(String key) {
    String s = string(key, null);
    if (s == null || s.isBlank()) {
      throw error(child(key), "required");
    }
    return s;
  }

  long longValue(String key, Long def) {
    JsonNode v = raw(key);
    if (v == null) {
      if (def == null) {
        throw error(child(key), "required");
      }
      return def;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw error(child(key), "expected a whole number, got " + describe(v));
    }
    return v.asLong();
  }

  int integer(String key, int def, int min, int max) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error(child(key), "expected a whole number, got " + describe(v));
    }
    int i = v.asInt();
    if (i < min || i > max) {
      throw error(child(key), "must be between " + min + " and " + max + ", got " + i);
    }
    return i;
  }

  double number(String key, double def, double min, double max) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (!v.isNumber()) {
      throw error(child(key), "expected a number, got " + describe(v));
    }
    double d = v.asDouble();
    if (!(d >= min && d <= max)) {
      throw error(child(key), "must be between " + min + " and " + max + ", got " + d);
    }
    return d;
  }

  Duration duration(String key, Duration def) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (!v.isValueNode()) {
      throw error(child(key), "expected a duration like 7d, 36h, 90m, 500ms, got " + kind(v));
    }
    try {
      return Durations.parse(v.asText());
    } catch (IllegalArgumentException e) {
      throw error(child(key), e.getMessage());
    }
  }

  List<String> strings(String key) {
    JsonNode v = raw(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v.isValueNode()) {
      out.add(v.asText());
      return out;
    }
    if (!v.isArray()) {
      throw error(child(key), "expected a list of texts, got " + kind(v));
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isValueNode() || e.isNull()) {
        throw error(child(key) + "[" + i + "]", "expected a text value, got " + kind(e));
      }
      out.add(e.asText());
    }
    return out;
  }

  YamlNode object(String key) {
    JsonNode v = raw(key);
    return new YamlNode(v, child(key), source);
  }

  List<YamlNode> objects(String key) {
    JsonNode v = raw(key);
    List<YamlNode> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      throw error(child(key), "expected a list, got " + kind(v));
    }
    for (int i = 0; i < v.size(); i++) {
      out.add(new YamlNode(v.get(i), child(key) + "[" + i + "]", source));
    }
    return out;
  }

  /** Field names in file order (for free-form mappings such as params and models); marks all read. */
  List<String> keys() {
    List<String> out = new ArrayList<>();
    if (node != null) {
      Iterator<String> it = node.fieldNames();
      while (it.hasNext()) {
        String k = it.next();
        out.add(k);
        read.add(k);
      }
    }
    return out;
  }

  boolean present() {
    return node != null;
  }

  /** Rejects keys nobody asked for. */
  void finish() {
    if (node == null) {
      return;
    }
    Iterator<String> it = node.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (!read.contains(k)) {
        throw error(child(k), "unknown key");
      }
    }
  }

  static String kind(JsonNode v) {
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isNull()) {
      return "nothing";
    }
    return "'" + v.asText() + "'";
  }

  static String describe(JsonNode v) {
    return kind(v);
  }
}
