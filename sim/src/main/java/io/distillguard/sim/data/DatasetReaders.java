package io.distillguard.sim.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Readers for the public datasets in the layout of {@code ../shared/data} (see each folder's SOURCE.txt). Each
 * reader reads whichever of the dataset's files are present, in sorted file-name order, so the result is
 * deterministic. Called once per dataset; nothing here runs per request.
 */
final class DatasetReaders {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Longer prompts are cut here (ShareGPT holds a few pasted documents of 100 KB). */
  static final int MAX_CHARS = 12_000;

  private DatasetReaders() {}

  /** Reads a dataset; returns null when its folder holds none of the expected files. */
  static PromptPool read(Path dataDir, DatasetInfo info) {
    Path folder = dataDir.resolve(info.folder());
    if (!Files.isDirectory(folder)) {
      return null;
    }
    List<Path> files = new ArrayList<>();
    List<Prompt> prompts;
    try {
      switch (info.name()) {
        case "sharegpt-first-turn":
          prompts = shareGpt(folder, files);
          break;
        case "hh-rlhf-helpful":
          prompts = hhRlhf(folder, files);
          break;
        case "awesome-chatgpt-prompts":
          prompts = awesome(folder, files);
          break;
        case "openassistant-eval-prompts":
          prompts = openAssistant(folder, files);
          break;
        case "fastchat-mtbench-vicuna":
          prompts = mtBench(folder, files);
          break;
        case "self-instruct":
        case "stanford-alpaca-seed":
          prompts = selfInstruct(folder, files, info.name());
          break;
        case "code-alpaca-2k":
          prompts = codeAlpaca(folder, files);
          break;
        case "gsm8k":
          prompts = gsm8k(folder, files);
          break;
        case "mgsm":
          prompts = mgsm(folder, files);
          break;
        case "flan-v2-cot":
          prompts = flanCot(folder, files);
          break;
        case "flan-v2-templates":
          prompts = flanTemplates(folder, files);
          break;
        case "t0-templates-sample":
          prompts = t0(folder, files);
          break;
        default:
          throw new IllegalArgumentException("no reader for " + info.name());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dataset " + info.name() + " in " + folder + ": " + e.getMessage(),
          e);
    }
    if (prompts.isEmpty()) {
      return null;
    }
    StringBuilder origin = new StringBuilder();
    for (Path f : files) {
      if (origin.length() > 0) {
        origin.append(", ");
      }
      origin.append(dataDir.relativize(f));
    }
    return new PromptPool(info, dedupe(prompts), true, origin.toString());
  }

  /** The Alpaca mass-generation prompt, or null when absent. */
  static String alpacaGenerationPrompt(Path dataDir) {
    Path f = dataDir.resolve("attack/stanford-alpaca-seed/generation_prompt.txt");
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return Files.readString(f, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------- readers

  private static List<Prompt> shareGpt(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".json", ".json.gz")) {
      files.add(f);
      JsonNode root = readJson(f);
      for (JsonNode item : root) {
        JsonNode conv = item.path("conversations");
        for (JsonNode turn : conv) {
          if ("human".equals(turn.path("from").asText())) {
            String text = clean(turn.path("value").asText());
            if (!text.isEmpty()) {
              out.add(new Prompt("sharegpt:" + item.path("id").asText(String.valueOf(out.size())), text, null,
                  null, null, "en", ""));
            }
            break;
          }
        }
      }
    }
    return out;
  }

  private static List<Prompt> hhRlhf(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".jsonl", ".jsonl.gz")) {
      files.add(f);
      String stem = f.getFileName().toString().replaceAll("[._].*$", "");
      int line = 0;
      for (String l : lines(f)) {
        line++;
        if (l.isBlank()) {
          continue;
        }
        String chosen = JSON.readTree(l).path("chosen").asText("");
        List<String> humans = humanTurns(chosen);
        if (humans.isEmpty()) {
          continue;
        }
        out.add(new Prompt("hh:" + stem + ":" + line, humans.get(0), null, null,
            humans.subList(1, humans.size()), "en", stem));
      }
    }
    return out;
  }

  /** The Human turns of an HH transcript ("\n\nHuman: ...\n\nAssistant: ..."), without regex. */
  static List<String> humanTurns(String transcript) {
    List<String> out = new ArrayList<>();
    String h = "\n\nHuman: ";
    String a = "\n\nAssistant:";
    int i = transcript.indexOf(h);
    while (i >= 0) {
      int start = i + h.length();
      int endA = transcript.indexOf(a, start);
      int nextH = transcript.indexOf(h, start);
      int end = endA < 0 ? (nextH < 0 ? transcript.length() : nextH) : (nextH >= 0 && nextH < endA ? nextH : endA);
      String turn = clean(transcript.substring(start, end));
      if (!turn.isEmpty()) {
        out.add(turn);
      }
      i = nextH;
    }
    return out;
  }

  private static List<Prompt> awesome(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".csv", ".csv.gz")) {
      files.add(f);
      List<List<String>> rows = Csv.parse(readText(f));
      if (rows.isEmpty()) {
        continue;
      }
      List<String> header = rows.get(0);
      int act = header.indexOf("act");
      int prompt = header.indexOf("prompt");
      int type = header.indexOf("type");
      if (prompt < 0) {
        continue;
      }
      for (int i = 1; i < rows.size(); i++) {
        List<String> r = rows.get(i);
        if (r.size() <= prompt) {
          continue;
        }
        if (type >= 0 && r.size() > type && !r.get(type).isEmpty() && !"TEXT".equals(r.get(type))) {
          continue;
        }
        String text = clean(r.get(prompt));
        if (!text.isEmpty()) {
          out.add(new Prompt("awesome:" + out.size(), text, null, null, null, "en",
              act >= 0 && r.size() > act ? r.get(act) : ""));
        }
      }
    }
    return out;
  }

  private static List<Prompt> openAssistant(Path folder, List<Path> files) throws IOException {
    // Follow-ups come from the message trees: the first prompter reply below the first assistant answer, and so on.
    Map<String, List<String>> followUps = new HashMap<>();
    for (Path f : list(folder, "_tree.jsonl", "_tree.jsonl.gz")) {
      files.add(f);
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode prompt = JSON.readTree(l).path("prompt");
        String first = clean(prompt.path("text").asText(""));
        List<String> turns = new ArrayList<>();
        JsonNode node = prompt;
        while (turns.size() < 6) {
          JsonNode assistant = firstReply(node, "assistant");
          JsonNode prompter = assistant == null ? null : firstReply(assistant, "prompter");
          if (prompter == null) {
            break;
          }
          turns.add(clean(prompter.path("text").asText("")));
          node = prompter;
        }
        if (!first.isEmpty() && !turns.isEmpty()) {
          followUps.put(first, turns);
        }
      }
    }
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, "_text.jsonl")) {
      files.add(f);
      String stem = f.getFileName().toString().replace("_text.jsonl", "");
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        String text = clean(JSON.readTree(l).asText(""));
        if (!text.isEmpty()) {
          out.add(new Prompt("oasst:" + stem + ":" + out.size(), text, null, null, followUps.get(text), "en", stem));
        }
      }
    }
    return out;
  }

  private static JsonNode firstReply(JsonNode node, String role) {
    for (JsonNode r : node.path("replies")) {
      if (role.equals(r.path("role").asText()) && !r.path("deleted").asBoolean(false)) {
        return r;
      }
    }
    return null;
  }

  private static List<Prompt> mtBench(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, "_question.jsonl")) {
      files.add(f);
      String bench = f.getFileName().toString().startsWith("mt_bench") ? "mtbench" : "vicuna";
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode q = JSON.readTree(l);
        JsonNode turns = q.path("turns");
        if (turns.size() == 0) {
          continue;
        }
        List<String> follow = new ArrayList<>();
        for (int i = 1; i < turns.size(); i++) {
          follow.add(clean(turns.get(i).asText()));
        }
        out.add(new Prompt(bench + ":" + q.path("question_id").asText(), clean(turns.get(0).asText()), null,
            q.path("reference").size() > 0 ? q.path("reference").get(0).asText() : null, follow, "en",
            q.path("category").asText("")));
      }
    }
    return out;
  }

  private static List<Prompt> selfInstruct(Path folder, List<Path> files, String name) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".jsonl")) {
      files.add(f);
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode t = JSON.readTree(l);
        String instruction = clean(t.path("instruction").asText(""));
        String group = t.has("motivation_app") ? t.path("motivation_app").asText() : t.path("name").asText("");
        JsonNode instances = t.path("instances");
        if (instances.size() == 0) {
          out.add(new Prompt(name + ":" + t.path("id").asText(), instruction, null, null, null, "en", group));
        }
        for (int i = 0; i < instances.size(); i++) {
          JsonNode in = instances.get(i);
          String input = clean(in.path("input").asText(""));
          if ("<noinput>".equals(input)) {
            input = "";
          }
          out.add(new Prompt(name + ":" + t.path("id").asText() + ":" + i, instruction, input,
              clean(in.path("output").asText("")), null, "en", group));
        }
      }
    }
    return out;
  }

  private static List<Prompt> codeAlpaca(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".json", ".json.gz")) {
      files.add(f);
      for (JsonNode t : readJson(f)) {
        String instruction = clean(t.path("instruction").asText(""));
        if (!instruction.isEmpty()) {
          out.add(new Prompt("code-alpaca:" + out.size(), instruction, clean(t.path("input").asText("")),
              clean(t.path("output").asText("")), null, "en", "code"));
        }
      }
    }
    return out;
  }

  private static List<Prompt> gsm8k(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".jsonl", ".jsonl.gz")) {
      String fn = f.getFileName().toString();
      if (fn.contains("socratic")) {
        continue;
      }
      files.add(f);
      String split = fn.startsWith("test") ? "test" : "train";
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode q = JSON.readTree(l);
        String answer = stripCalculatorNotes(q.path("answer").asText(""));
        out.add(new Prompt("gsm8k:" + split + ":" + out.size(), clean(q.path("question").asText("")), null,
            answer, null, "en", split));
      }
    }
    return out;
  }

  /** GSM8K solutions annotate arithmetic as {@code <<48/2=24>>}; a human-looking solution drops those. */
  static String stripCalculatorNotes(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int open = s.indexOf("<<", i);
      if (open < 0) {
        sb.append(s, i, s.length());
        break;
      }
      int close = s.indexOf(">>", open);
      if (close < 0) {
        sb.append(s, i, s.length());
        break;
      }
      sb.append(s, i, open);
      i = close + 2;
    }
    return sb.toString().replace("#### ", "The answer is ").strip();
  }

  private static List<Prompt> mgsm(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".tsv")) {
      files.add(f);
      String fn = f.getFileName().toString();
      String lang = fn.substring(fn.indexOf('_') + 1, fn.indexOf('.'));
      int idx = 0;
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        int tab = l.lastIndexOf('\t');
        String q = clean(tab > 0 ? l.substring(0, tab) : l);
        String a = tab > 0 ? l.substring(tab + 1).strip() : "";
        out.add(new Prompt("mgsm:" + lang + ":" + idx, q, null, a, null, lang, String.valueOf(idx)));
        idx++;
      }
    }
    return out;
  }

  private static List<Prompt> flanCot(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".tsv", ".tsv.gz")) {
      files.add(f);
      String task = f.getFileName().toString().replaceAll("_train.*$", "");
      int n = 0;
      for (String l : lines(f)) {
        String[] cols = l.split("\t", -1);
        if (cols.length < 2) {
          continue;
        }
        String q = clean(unescape(cols[0]));
        String a = unescape(cols[1]).strip();
        String rationale = cols.length > 2 ? unescape(cols[2]).strip() : "";
        String answer = rationale.isEmpty() ? a : rationale + " So the answer is " + a + ".";
        out.add(new Prompt("flan-cot:" + task + ":" + n++, q, null, answer, null, "en", task));
      }
    }
    return out;
  }

  private static List<Prompt> flanTemplates(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".jsonl", ".jsonl.gz")) {
      files.add(f);
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode t = JSON.readTree(l);
        String template = t.path("input_template").asText("");
        out.add(new Prompt("flan-template:" + t.path("task").asText() + ":" + t.path("template_index").asText(),
            template, null, t.path("target_template").asText(""), null, "en", t.path("task").asText("")));
      }
    }
    return out;
  }

  private static List<Prompt> t0(Path folder, List<Path> files) throws IOException {
    List<Prompt> out = new ArrayList<>();
    for (Path f : list(folder, ".jsonl", ".jsonl.gz")) {
      files.add(f);
      for (String l : lines(f)) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode t = JSON.readTree(l);
        String completion = t.path("completion").asText("").replace("<|endoftext|>", "").strip();
        out.add(new Prompt("t0:" + out.size(), clean(t.path("prompt").asText("")), null, completion, null, "en",
            t.path("template").asText("")));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** Drops exact duplicates (same text and input), keeping the first; stanford-alpaca-seed repeats self-instruct. */
  private static List<Prompt> dedupe(List<Prompt> prompts) {
    Set<String> seen = new HashSet<>();
    List<Prompt> out = new ArrayList<>(prompts.size());
    for (Prompt p : prompts) {
      if (seen.add(p.lang() + "\u0000" + p.full())) {
        out.add(p);
      }
    }
    return out;
  }

  static String clean(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    if (t.length() > MAX_CHARS) {
      t = t.substring(0, MAX_CHARS);
    }
    return t;
  }

  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(i + 1);
        if (n == 'n') {
          sb.append('\n');
          i++;
          continue;
        }
        if (n == 't') {
          sb.append('\t');
          i++;
          continue;
        }
      }
      sb.append(c);
    }
    return sb.toString();
  }

  static List<Path> list(Path folder, String... suffixes) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(folder)) {
      s.filter(Files::isRegularFile).forEach(p -> {
        String n = p.getFileName().toString();
        for (String suf : suffixes) {
          if (n.endsWith(suf)) {
            out.add(p);
            return;
          }
        }
      });
    }
    out.sort(null);
    return out;
  }

  static InputStream open(Path f) throws IOException {
    InputStream in = Files.newInputStream(f);
    return f.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
  }

  static String readText(Path f) throws IOException {
    try (InputStream in = open(f)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static JsonNode readJson(Path f) throws IOException {
    try (InputStream in = open(f)) {
      return JSON.readTree(in);
    }
  }

  static List<String> lines(Path f) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(open(f), StandardCharsets.UTF_8), 1 << 16)) {
      String l;
      while ((l = r.readLine()) != null) {
        out.add(l);
      }
    }
    return out;
  }

  /** Minimal RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. */
  static final class Csv {
    private Csv() {}

    static List<List<String>> parse(String text) {
      List<List<String>> rows = new ArrayList<>();
      List<String> row = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      int i = 0;
      int n = text.length();
      while (i < n) {
        char c = text.charAt(i);
        if (quoted) {
          if (c == '"') {
            if (i + 1 < n && text.charAt(i + 1) == '"') {
              field.append('"');
              i += 2;
              continue;
            }
            quoted = false;
          } else {
            field.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          row.add(field.toString());
          field.setLength(0);
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
            i++;
          }
          row.add(field.toString());
          field.setLength(0);
          if (!(row.size() == 1 && row.get(0).isEmpty())) {
            rows.add(row);
          }
          row = new ArrayList<>();
        } else {
          field.append(c);
        }
        i++;
      }
      if (field.length() > 0 || !row.isEmpty()) {
        row.add(field.toString());
        rows.add(row);
      }
      return rows;
    }
  }

  /** Keeps insertion order; used by fixtures. */
  static <K, V> Map<K, V> ordered() {
    return new LinkedHashMap<>();
  }
}
