package io.distillguard.sim.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import io.distillguard.sim.data.Split;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The campaign templates of {@code templates.yaml}, compiled once: per bank (naive, cot, grader, evasive, ...) and
 * split (tuning/holdout) a list of {@link Entry entries}; the multilingual bank is per language. Holdout templates
 * must never be used to tune detectors.
 */
public final class TemplateBank {
  /** A user template and an optional system template. */
  public record Entry(String id, Template system, Template user) {}

  private static final Map<String, List<Entry>> BANKS = load();

  private TemplateBank() {}

  /** Entries of a bank in a split; {@link IllegalArgumentException} for unknown banks. */
  public static List<Entry> get(String bank, Split split) {
    List<Entry> e = BANKS.get(bank + "/" + split.id());
    if (e == null) {
      throw new IllegalArgumentException("no template bank " + bank + "/" + split.id());
    }
    return e;
  }

  /** Multilingual entries for a language ({@code any} when the language has none). */
  public static List<Entry> language(String lang, Split split) {
    List<Entry> e = BANKS.get("multilingual/" + split.id() + "/" + lang);
    return e != null ? e : BANKS.get("multilingual/" + split.id() + "/any");
  }

  /** Every bank key ({@code bank/split} or {@code multilingual/split/lang}). */
  public static List<String> keys() {
    return new ArrayList<>(BANKS.keySet());
  }

  /** FLAN placeholders that can take any task text (others, like {answer} or {lang1}, mean something else). */
  static final java.util.Set<String> FLAN_TEXT_SLOTS = java.util.Set.of("text", "question", "sentence", "inputs",
      "input", "context", "passage", "paragraph", "query", "document", "article", "body", "goal", "problem");

  /**
   * The FLAN v2 zero-shot templates usable as wrappers: exactly one placeholder once option lists are dropped, and
   * one that takes free task text. FLAN is a tuning dataset.
   */
  public static List<Entry> flan(PromptPool pool) {
    List<Entry> out = new ArrayList<>();
    for (Prompt p : pool.prompts()) {
      String t = p.text().replace("{options_}", "").replace("{options_str}", "").strip();
      int count = 0;
      String name = null;
      int i = 0;
      while ((i = t.indexOf('{', i)) >= 0) {
        int close = t.indexOf('}', i);
        if (close < 0) {
          break;
        }
        count++;
        name = t.substring(i + 1, close);
        i = close + 1;
      }
      if (count == 1 && FLAN_TEXT_SLOTS.contains(name)) {
        out.add(new Entry(p.id(), null, Template.compile(p.id(), t)));
      }
    }
    return out;
  }

  private static Map<String, List<Entry>> load() {
    JsonNode root;
    try (InputStream in = TemplateBank.class.getResourceAsStream("templates.yaml")) {
      if (in == null) {
        throw new IllegalStateException("templates.yaml missing from the classpath");
      }
      root = new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, List<Entry>> out = new LinkedHashMap<>();
    for (Iterator<String> banks = root.fieldNames(); banks.hasNext(); ) {
      String bank = banks.next();
      JsonNode b = root.get(bank);
      for (Split split : Split.values()) {
        JsonNode list = b.get(split.id());
        if (list == null) {
          throw new IllegalStateException("templates.yaml: bank " + bank + " lacks " + split.id());
        }
        if (list.isObject()) {
          for (Iterator<String> langs = list.fieldNames(); langs.hasNext(); ) {
            String lang = langs.next();
            String key = bank + "/" + split.id() + "/" + lang;
            out.put(key, entries(key, list.get(lang)));
          }
        } else {
          String key = bank + "/" + split.id();
          out.put(key, entries(key, list));
        }
      }
    }
    Map<String, List<Entry>> frozen = new HashMap<>();
    out.forEach((k, v) -> frozen.put(k, Collections.unmodifiableList(v)));
    return Collections.unmodifiableMap(new LinkedHashMap<>(out));
  }

  private static List<Entry> entries(String key, JsonNode list) {
    List<Entry> out = new ArrayList<>();
    int i = 0;
    for (JsonNode item : list) {
      String id = key + "#" + i++;
      if (item.isTextual()) {
        out.add(new Entry(id, null, Template.compile(id, item.asText())));
      } else {
        JsonNode sys = item.get("system");
        out.add(new Entry(id, sys == null ? null : Template.compile(id + ".system", sys.asText()),
            Template.compile(id, item.get("user").asText())));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("templates.yaml: " + key + " is empty");
    }
    return List.copyOf(out);
  }
}
