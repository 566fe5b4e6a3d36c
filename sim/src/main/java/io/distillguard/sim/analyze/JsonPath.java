package io.distillguard.sim.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A path into a JSON document: dotted field names with array indexes, e.g. {@code request.messages[-1].content}
 * (negative indexes count from the end), and quoted keys for names with dots or brackets:
 * {@code headers["user-agent"]}, {@code meta['a.b']}.
 */
public final class JsonPath {
  private final String text;
  private final List<Object> steps;

  private JsonPath(String text, List<Object> steps) {
    this.text = text;
    this.steps = steps;
  }

  /**
   * Parses a path.
   *
   * @throws IllegalArgumentException saying where the path is malformed
   */
  public static JsonPath parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty path");
    }
    String s = text.strip();
    List<Object> steps = new ArrayList<>();
    int i = 0;
    int n = s.length();
    boolean expectName = true;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '[') {
        int close;
        char q = i + 1 < n ? s.charAt(i + 1) : 0;
        if (q == '"' || q == '\'') {
          StringBuilder key = new StringBuilder();
          int j = i + 2;
          while (j < n && s.charAt(j) != q) {
            if (s.charAt(j) == '\\' && j + 1 < n) {
              j++;
            }
            key.append(s.charAt(j));
            j++;
          }
          if (j + 1 >= n || s.charAt(j + 1) != ']') {
            throw bad(s, i, "unclosed quoted key");
          }
          steps.add(key.toString());
          close = j + 1;
        } else {
          close = s.indexOf(']', i);
          if (close < 0) {
            throw bad(s, i, "missing ']'");
          }
          String idx = s.substring(i + 1, close).strip();
          try {
            steps.add(Integer.parseInt(idx));
          } catch (NumberFormatException e) {
            throw bad(s, i, "an index must be an integer or a quoted key, got '" + idx + "'");
          }
        }
        i = close + 1;
        expectName = false;
        if (i < n && s.charAt(i) == '.') {
          i++;
          expectName = true;
          if (i == n) {
            throw bad(s, i, "ends with '.'");
          }
        }
      } else {
        int j = i;
        while (j < n && s.charAt(j) != '.' && s.charAt(j) != '[') {
          j++;
        }
        String name = s.substring(i, j);
        if (!expectName) {
          throw bad(s, i, "expected '.' or '[' after ']'");
        }
        if (name.isEmpty()) {
          throw bad(s, i, "empty field name");
        }
        steps.add(name);
        i = j;
        if (i < n && s.charAt(i) == '.') {
          i++;
          if (i == n) {
            throw bad(s, i, "ends with '.'");
          }
          expectName = true;
        } else {
          expectName = false;
        }
      }
    }
    return new JsonPath(s, List.copyOf(steps));
  }

  private static IllegalArgumentException bad(String s, int at, String why) {
    return new IllegalArgumentException("bad path '" + s + "' at character " + (at + 1) + ": " + why);
  }

  /** The node at this path, or null when some step is absent (or JSON null). */
  public JsonNode find(JsonNode root) {
    JsonNode cur = root;
    for (Object step : steps) {
      if (cur == null || cur.isNull() || cur.isMissingNode()) {
        return null;
      }
      if (step instanceof Integer idx) {
        if (!cur.isArray()) {
          return null;
        }
        int k = idx < 0 ? cur.size() + idx : idx;
        cur = k >= 0 && k < cur.size() ? cur.get(k) : null;
      } else {
        cur = cur.isObject() ? cur.get((String) step) : null;
      }
    }
    return cur == null || cur.isNull() || cur.isMissingNode() ? null : cur;
  }

  @Override
  public String toString() {
    return text;
  }
}
