package io.distillguard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads question/answer pairs from the public datasets kept in the project's {@code shared/data}
 * folder (each folder's SOURCE.txt names origin and license):
 *
 * <ul>
 *   <li>{@code benign/hh-rlhf-helpful/helpful-base_test.jsonl.gz}: field {@code chosen}, a
 *       {@code \n\nHuman: ...\n\nAssistant: ...} transcript; first Human turn is the question,
 *       first Assistant turn the answer.
 *   <li>{@code attack/code-alpaca-2k/code_alpaca_2k.json.gz}: array of
 *       {@code {instruction,input,output}}; question is the instruction plus the input if any.
 *   <li>{@code attack/gsm8k/train.jsonl.gz}: {@code {question,answer}} with the
 *       {@code <<calc>>} annotations removed from the answer.
 *   <li>{@code benign/sharegpt-first-turn/ShareGPT_V3_filtered_1000.json.gz}: array of
 *       {@code {conversations:[{from:human,value},{from:gpt,value}]}}.
 *   <li>{@code attack/flan-v2-cot/*.tsv.gz}: {@code question \t answer \t rationale} with
 *       literal {@code \n} escapes; answer becomes {@code rationale + " So the answer is " +
 *       answer}.
 * </ul>
 *
 * <p>Missing files and malformed rows are skipped; every source is capped at
 * {@value #CAP_PER_SOURCE} pairs (FLAN's files share that cap) so start-up stays around a
 * second. Big JSON arrays are read element by element rather than as one tree.
 */
final class CorpusLoader {
  static final int CAP_PER_SOURCE = 5000;
  private static final Logger LOG = LoggerFactory.getLogger(CorpusLoader.class);
  private static final Pattern CALC_ANNOTATION = Pattern.compile("<<[^>]*>>");
  private static final String HUMAN = "\n\nHuman:";
  private static final String ASSISTANT = "\n\nAssistant:";

  record Result(List<QaPair> pairs, String description) {}

  private CorpusLoader() {}

  static Result load(Path dataDir) {
    List<QaPair> all = new ArrayList<>();
    StringBuilder description = new StringBuilder();
    if (dataDir == null || !Files.isDirectory(dataDir)) {
      return new Result(all, "");
    }
    addSource(all, description, "hh-rlhf-helpful",
        hhRlhf(dataDir.resolve("benign/hh-rlhf-helpful/helpful-base_test.jsonl.gz")));
    addSource(all, description, "code-alpaca-2k",
        codeAlpaca(dataDir.resolve("attack/code-alpaca-2k/code_alpaca_2k.json.gz")));
    addSource(all, description, "gsm8k", gsm8k(dataDir.resolve("attack/gsm8k/train.jsonl.gz")));
    addSource(all, description, "sharegpt",
        shareGpt(dataDir.resolve(
            "benign/sharegpt-first-turn/ShareGPT_V3_filtered_1000.json.gz")));
    addSource(all, description, "flan-v2-cot", flanCot(dataDir.resolve("attack/flan-v2-cot")));
    return new Result(all, description.toString());
  }

  private static void addSource(
      List<QaPair> all, StringBuilder description, String name, List<QaPair> pairs) {
    if (pairs.isEmpty()) {
      return;
    }
    all.addAll(pairs);
    if (description.length() > 0) {
      description.append(", ");
    }
    description.append(name).append('=').append(pairs.size());
    LOG.debug("loaded {} pairs from {}", pairs.size(), name);
  }

  static List<QaPair> hhRlhf(Path file) {
    List<QaPair> out = new ArrayList<>();
    forEachLine(file, CAP_PER_SOURCE, out, line -> {
      JsonNode chosen = Json.MAPPER.readTree(line).get("chosen");
      return chosen == null || !chosen.isTextual() ? null : firstHhTurn(chosen.asText());
    });
    return out;
  }

  /** First Human turn and the Assistant turn right after it, or null. */
  static QaPair firstHhTurn(String transcript) {
    int h = transcript.indexOf(HUMAN);
    if (h < 0) {
      return null;
    }
    int a = transcript.indexOf(ASSISTANT, h);
    if (a < 0) {
      return null;
    }
    // Not HUMAN: some transcripts carry a stray "\n\nHuman" line with no colon before the next turn.
    int end = transcript.indexOf("\n\nHuman", a);
    return pair(
        transcript.substring(h + HUMAN.length(), a),
        transcript.substring(a + ASSISTANT.length(), end < 0 ? transcript.length() : end));
  }

  static List<QaPair> codeAlpaca(Path file) {
    List<QaPair> out = new ArrayList<>();
    forEachArrayElement(file, CAP_PER_SOURCE, out, node -> {
      String instruction = text(node, "instruction");
      String input = text(node, "input");
      String output = text(node, "output");
      if (instruction == null || output == null) {
        return null;
      }
      String question =
          input == null || input.isBlank() ? instruction : instruction + "\n\n" + input;
      return pair(question, output);
    });
    return out;
  }

  static List<QaPair> gsm8k(Path file) {
    List<QaPair> out = new ArrayList<>();
    forEachLine(file, CAP_PER_SOURCE, out, line -> {
      JsonNode node = Json.MAPPER.readTree(line);
      String q = text(node, "question");
      String a = text(node, "answer");
      return q == null || a == null ? null : pair(q, CALC_ANNOTATION.matcher(a).replaceAll(""));
    });
    return out;
  }

  static List<QaPair> shareGpt(Path file) {
    List<QaPair> out = new ArrayList<>();
    forEachArrayElement(file, CAP_PER_SOURCE, out, node -> {
      JsonNode turns = node.get("conversations");
      if (turns == null || !turns.isArray()) {
        return null;
      }
      String question = null;
      for (JsonNode turn : turns) {
        String from = text(turn, "from");
        String value = text(turn, "value");
        if (question == null && "human".equals(from)) {
          question = value;
        } else if (question != null && "gpt".equals(from)) {
          return value == null ? null : pair(question, value);
        }
      }
      return null;
    });
    return out;
  }

  static List<QaPair> flanCot(Path dir) {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.tsv.gz")) {
        stream.forEach(files::add);
      } catch (IOException e) {
        LOG.debug("cannot list {}: {}", dir, e.toString());
      }
    }
    files.sort(null); // directory order is not stable; load order decides tie-breaks
    List<QaPair> out = new ArrayList<>();
    if (files.isEmpty()) {
      return out;
    }
    int capPerFile = CAP_PER_SOURCE / files.size(); // so every FLAN task is represented
    for (Path file : files) {
      List<QaPair> part = new ArrayList<>();
      forEachLine(file, capPerFile, part, line -> {
        String[] cols = line.split("\t", -1);
        if (cols.length < 3) {
          return null;
        }
        String answer = unescape(cols[1]).strip();
        String rationale = unescape(cols[2]).strip();
        if (answer.isEmpty() || rationale.isEmpty()) {
          return null;
        }
        return pair(unescape(cols[0]), rationale + " So the answer is " + answer + ".");
      });
      out.addAll(part);
    }
    return out;
  }

  /** FLAN's TSVs spell newlines and tabs as backslash escapes. */
  static String unescape(String s) {
    return s.indexOf('\\') < 0 ? s : s.replace("\\n", "\n").replace("\\t", "\t");
  }

  private static QaPair pair(String question, String answer) {
    String q = question.strip();
    String a = answer.strip();
    return q.isEmpty() || a.isEmpty() ? null : new QaPair(q, a);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private interface RowParser<T> {
    /** The pair for one row, or null to skip it; exceptions also skip the row. */
    QaPair parse(T row) throws Exception;
  }

  private static void forEachLine(Path file, int cap, List<QaPair> out, RowParser<String> p) {
    if (!Files.isRegularFile(file)) {
      return;
    }
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(gunzip(file), StandardCharsets.UTF_8))) {
      for (String line; out.size() < cap && (line = reader.readLine()) != null; ) {
        addRow(out, p, line);
      }
    } catch (IOException e) {
      LOG.warn("stopped reading {} after {} pairs: {}", file, out.size(), e.toString());
    }
  }

  private static void forEachArrayElement(
      Path file, int cap, List<QaPair> out, RowParser<JsonNode> p) {
    if (!Files.isRegularFile(file)) {
      return;
    }
    // readValues over a root-level array yields its elements one at a time.
    try (MappingIterator<JsonNode> it =
        Json.MAPPER.readerFor(JsonNode.class).readValues(gunzip(file))) {
      while (out.size() < cap && it.hasNextValue()) {
        addRow(out, p, it.nextValue());
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("stopped reading {} after {} pairs: {}", file, out.size(), e.toString());
    }
  }

  private static <T> void addRow(List<QaPair> out, RowParser<T> p, T row) {
    if (row == null) {
      return;
    }
    try {
      QaPair pair = p.parse(row);
      if (pair != null) {
        out.add(pair);
      }
    } catch (Exception malformed) {
      // A malformed row says nothing about the rest of the file: skip it.
    }
  }

  private static InputStream gunzip(Path file) throws IOException {
    return new GZIPInputStream(Files.newInputStream(file), 64 * 1024);
  }
}
