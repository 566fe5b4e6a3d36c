package io.distillguard.ui.cases;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An account's most repeated prompt shapes: each prompt with numbers, quoted strings and the words after a colon
 * placeholder-ed, so "Explain photosynthesis for lesson 3" and "... lesson 4" are one template. The analyst sees the
 * shape, how often it came, and one real example.
 */
public final class TemplateShapes {
  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
  private static final Pattern QUOTED = Pattern.compile("\"[^\"]{0,200}\"|'[^']{0,200}'|«[^»]{0,200}»");
  private static final Pattern SPACE = Pattern.compile("\\s+");
  static final int SHAPE_CHARS = 160;

  public record Template(String shape, int count, String example) {}

  private TemplateShapes() {}

  public static String promptOf(Exchange e) {
    List<ChatMessage> m = e.messages();
    for (int i = m.size() - 1; i >= 0; i--) {
      if ("user".equals(m.get(i).role()) && m.get(i).content() != null) {
        return m.get(i).content();
      }
    }
    return m.isEmpty() || m.get(m.size() - 1).content() == null ? "" : m.get(m.size() - 1).content();
  }

  public static String shape(String prompt) {
    String s = QUOTED.matcher(prompt).replaceAll("\"…\"");
    s = NUMBER.matcher(s).replaceAll("#");
    s = SPACE.matcher(s).replaceAll(" ").strip();
    return s.length() > SHAPE_CHARS ? s.substring(0, SHAPE_CHARS) + "…" : s;
  }

  public static List<Template> top(List<Exchange> exchanges, int n) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    Map<String, String> examples = new LinkedHashMap<>();
    for (Exchange e : exchanges) {
      String p = promptOf(e);
      if (p.isEmpty()) {
        continue;
      }
      String s = shape(p);
      counts.computeIfAbsent(s, k -> new int[1])[0]++;
      examples.putIfAbsent(s, p.length() > 400 ? p.substring(0, 400) + "…" : p);
    }
    List<Template> out = new ArrayList<>();
    counts.forEach((s, c) -> out.add(new Template(s, c[0], examples.get(s))));
    out.sort(Comparator.comparingInt(Template::count).reversed());
    return out.subList(0, Math.min(n, out.size()));
  }
}
