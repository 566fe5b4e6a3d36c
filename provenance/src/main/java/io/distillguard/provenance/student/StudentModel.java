package io.distillguard.provenance.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Training a student from harvested (prompt, answer) pairs and keeping it in a file. The file holds the vocabulary
 * and the tokenized examples; the n-gram tables are counted again on load (seconds), which keeps the format small
 * and independent of the smoothing code.
 */
public final class StudentModel {
  private static final int MAGIC = 0x44475354; // "DGST"
  private static final ObjectMapper JSON = new ObjectMapper();

  private StudentModel() {}

  /** One harvested exchange. */
  public record Pair(String prompt, String answer) {}

  /**
   * Reads JSONL pairs: the harvest format ({@code messages} with a user and an assistant turn), or
   * {@code prompt}/{@code response} (also {@code completion}, {@code answer}). Gzip accepted; bad lines skipped.
   */
  public static List<Pair> readPairs(Path file) throws IOException {
    List<Pair> out = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        try {
          Pair p = pair(JSON.readTree(line));
          if (p != null) {
            out.add(p);
          }
        } catch (IOException e) {
          // a torn or foreign line: skip it
        }
      }
    }
    return out;
  }

  static Pair pair(JsonNode n) {
    JsonNode msgs = n.get("messages");
    if (msgs != null && msgs.isArray()) {
      String user = null;
      String assistant = null;
      for (JsonNode m : msgs) {
        String role = m.path("role").asText();
        if ("user".equals(role) && user == null) {
          user = m.path("content").asText();
        } else if ("assistant".equals(role) && assistant == null) {
          assistant = m.path("content").asText();
        }
      }
      return user != null && assistant != null ? new Pair(user, assistant) : null;
    }
    String prompt = n.path("prompt").asText(null);
    for (String f : new String[] {"response", "completion", "answer"}) {
      if (prompt != null && n.hasNonNull(f)) {
        return new Pair(prompt, n.get(f).asText());
      }
    }
    return null;
  }

  /**
   * @param rewrite applied to every answer before training (the synonym-editing attack), or identity
   */
  public static NgramStudent train(List<Pair> pairs, UnaryOperator<String> rewrite) {
    Vocabulary v = new Vocabulary();
    int[][] prompts = new int[pairs.size()][];
    int[][] answers = new int[pairs.size()][];
    for (int i = 0; i < pairs.size(); i++) {
      prompts[i] = ids(v, WordTokens.terms(pairs.get(i).prompt()));
      answers[i] = ids(v, WordTokens.split(rewrite.apply(pairs.get(i).answer())));
    }
    return new NgramStudent(v, prompts, answers);
  }

  private static int[] ids(Vocabulary v, List<String> tokens) {
    int[] out = new int[tokens.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.add(tokens.get(i));
    }
    return out;
  }

  public static void save(NgramStudent s, Path file) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(new GZIPOutputStream(raw)))) {
      out.writeInt(MAGIC);
      List<String> words = s.vocabulary().words();
      out.writeInt(words.size());
      for (String w : words) {
        out.writeUTF(w);
      }
      writeRows(out, s.prompts());
      writeRows(out, s.answers());
    }
  }

  public static NgramStudent load(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
        new GZIPInputStream(Files.newInputStream(file))))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + " is not a student model");
      }
      Vocabulary v = new Vocabulary();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String w = in.readUTF();
        if (i >= 2) {
          v.add(w);
        }
      }
      return new NgramStudent(v, readRows(in), readRows(in));
    }
  }

  private static void writeRows(DataOutputStream out, int[][] rows) throws IOException {
    out.writeInt(rows.length);
    for (int[] r : rows) {
      out.writeInt(r.length);
      for (int x : r) {
        out.writeInt(x);
      }
    }
  }

  private static int[][] readRows(DataInputStream in) throws IOException {
    int[][] rows = new int[in.readInt()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new int[in.readInt()];
      for (int j = 0; j < rows[i].length; j++) {
        rows[i][j] = in.readInt();
      }
    }
    return rows;
  }
}
