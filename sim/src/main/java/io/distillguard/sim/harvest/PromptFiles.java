package io.distillguard.sim.harvest;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.http.OpenAiWire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads prompt sets: a JSONL file (one object a line with a {@code prompt} field; {@code instruction} plus optional
 * {@code input}, or the first user message of a {@code messages} array, are accepted too), a plain text file (one
 * prompt a line), either optionally gzipped, or a dataset of {@link DataSets} by name.
 */
public final class PromptFiles {
  private PromptFiles() {}

  /**
   * The prompts of a file, in file order.
   *
   * @throws IllegalArgumentException for a missing file, or a JSONL line that is not JSON or has no prompt (naming
   *                                  the line)
   */
  public static List<String> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("prompt file not found: " + file);
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    boolean gz = name.endsWith(".gz");
    List<String> lines = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = gz ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("prompt file not found: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read prompt file " + file + ": " + e.getMessage(), e);
    }
    boolean jsonl = name.endsWith(".jsonl") || name.endsWith(".jsonl.gz") || name.endsWith(".ndjson")
        || firstNonBlankStartsWithBrace(lines);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      if (!jsonl) {
        out.add(line.strip());
        continue;
      }
      JsonNode n = OpenAiWire.tree(line);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a JSON object");
      }
      String p = promptOf(n);
      if (p == null || p.isBlank()) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": no 'prompt' field (nor 'instruction' or a "
            + "user message in 'messages')");
      }
      out.add(p);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("prompt file " + file + " holds no prompts");
    }
    return out;
  }

  /** The prompts of a dataset (text and input joined, as a user would paste them). */
  public static List<String> dataset(DataSets data, String name) {
    List<String> out = new ArrayList<>();
    for (Prompt p : data.pool(name).prompts()) {
      out.add(p.full());
    }
    return out;
  }

  private static String promptOf(JsonNode n) {
    JsonNode p = n.get("prompt");
    if (p != null && p.isTextual()) {
      return p.asText();
    }
    JsonNode ins = n.get("instruction");
    if (ins != null && ins.isTextual()) {
      String input = n.path("input").asText("");
      return input.isBlank() ? ins.asText() : ins.asText() + "\n\n" + input;
    }
    for (JsonNode m : n.path("messages")) {
      if ("user".equals(m.path("role").asText()) && m.path("content").isTextual()) {
        return m.path("content").asText();
      }
    }
    return null;
  }

  private static boolean firstNonBlankStartsWithBrace(List<String> lines) {
    for (String l : lines) {
      if (!l.isBlank()) {
        return l.stripLeading().startsWith("{");
      }
    }
    return false;
  }
}
