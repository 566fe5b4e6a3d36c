package io.distillguard.sim.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.core.detect.Verdict;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Offline analysis of existing gateway or proxy logs: reads JSONL (gzipped or not), maps each line to an
 * {@link Exchange} through a {@link FieldMapping}, runs the detection core over all of them in timestamp order and
 * reports the accounts it flags. Malformed lines are counted and listed (with line numbers), never fatal; a mapped
 * required field that no line has is an error naming the field.
 *
 * <p>All lines are held in memory for sorting (logs of a few million lines fit in a few GB).
 */
public final class LogAnalyzer {
  /** Malformed lines listed individually in the report (all are counted). */
  public static final int MAX_LISTED = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> REQUIRED = List.of("account", "timestamp");

  private final FieldMapping mapping;
  private final DetectorSet detectors;

  public LogAnalyzer(FieldMapping mapping, DetectorSet detectors) {
    this.mapping = mapping;
    this.detectors = detectors;
  }

  /** One problem line. */
  public record Malformed(long line, String reason) {}

  private record Row(long line, Exchange exchange) {}

  /**
   * Reads and analyzes a log.
   *
   * @throws IllegalArgumentException when the file is missing, or a required mapped field is absent from every line
   */
  public AnalysisReport analyze(Path logs) {
    if (!Files.isRegularFile(logs)) {
      throw new IllegalArgumentException("log file not found: " + logs);
    }
    List<Row> rows = new ArrayList<>();
    List<Malformed> malformed = new ArrayList<>();
    long malformedCount = 0;
    long lines = 0;
    long jsonLines = 0;
    Map<String, Long> missing = new LinkedHashMap<>();
    Map<String, Long> firstMissingLine = new HashMap<>();
    try (BufferedReader r = open(logs)) {
      for (String line; (line = r.readLine()) != null; ) {
        lines++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = JSON.readTree(line);
        } catch (IOException e) {
          n = null;
        }
        if (n == null || !n.isObject()) {
          malformedCount++;
          add(malformed, lines, "not a JSON object");
          continue;
        }
        jsonLines++;
        for (String f : mapping.fields()) {
          if (mapping.path(f).find(n) == null) {
            missing.merge(f, 1L, Long::sum);
            firstMissingLine.putIfAbsent(f, lines);
          }
        }
        try {
          rows.add(new Row(lines, toExchange(n, lines)));
        } catch (BadLine e) {
          malformedCount++;
          add(malformed, lines, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + logs + ": " + e.getMessage(), e);
    }
    if (jsonLines > 0) {
      List<String> required = new ArrayList<>(REQUIRED);
      if (mapping.path("messages") == null) {
        required.add("prompt");
      } else if (mapping.path("prompt") == null) {
        required.add("messages");
      }
      for (String f : required) {
        if (missing.getOrDefault(f, 0L) == jsonLines) {
          throw new IllegalArgumentException("mapped field '" + f + "' (path '" + mapping.path(f) + "' in "
              + mapping.source() + ") is absent from every one of the " + jsonLines + " JSON lines of " + logs
              + "; check the mapping against a log line");
        }
      }
      if (mapping.path("messages") != null && mapping.path("prompt") != null
          && missing.getOrDefault("messages", 0L) == jsonLines && missing.getOrDefault("prompt", 0L) == jsonLines) {
        throw new IllegalArgumentException("neither mapped field 'messages' (path '" + mapping.path("messages")
            + "') nor 'prompt' (path '" + mapping.path("prompt") + "') is present in any of the " + jsonLines
            + " JSON lines of " + logs);
      }
    }
    List<String> warnings = new ArrayList<>();
    for (String f : mapping.fields()) {
      long m = missing.getOrDefault(f, 0L);
      if (m > 0 && !REQUIRED.contains(f)) {
        warnings.add("mapped field '" + f + "' (path '" + mapping.path(f) + "') is absent from " + m + " of "
            + jsonLines + " JSON lines (first: line " + firstMissingLine.get(f) + ")");
      }
    }
    rows.sort(Comparator.comparing((Row x) -> x.exchange.eventTime()).thenComparingLong(Row::line));
    return detect(logs, rows, malformed, malformedCount, lines, warnings);
  }

  private AnalysisReport detect(Path logs, List<Row> rows, List<Malformed> malformed, long malformedCount,
      long lines, List<String> warnings) {
    DetectionEngine engine = detectors.newEngine();
    Map<String, AnalysisReport.AccountStats> accounts = new LinkedHashMap<>();
    Instant first = null;
    Instant last = null;
    for (Row row : rows) {
      Exchange e = row.exchange;
      if (first == null) {
        first = e.eventTime();
      }
      last = e.eventTime();
      AnalysisReport.AccountStats a = accounts.computeIfAbsent(e.accountId(), AnalysisReport.AccountStats::new);
      a.observe(e);
      Verdict v = engine.accept(e);
      if (v != null) {
        a.levels.putIfAbsent(v.level(), v.at());
      }
    }
    for (AnalysisReport.AccountStats a : accounts.values()) {
      RiskScore risk = engine.risk(a.account);
      a.risk = risk;
      a.level = engine.level(a.account);
    }
    return new AnalysisReport(logs.toString(), mapping.source(), detectors.name(), detectors.description(),
        detectors.detectorNames(), lines, rows.size(), malformedCount, List.copyOf(malformed), warnings, first,
        last, new ArrayList<>(accounts.values()));
  }

  private static void add(List<Malformed> list, long line, String reason) {
    if (list.size() < MAX_LISTED) {
      list.add(new Malformed(line, reason));
    }
  }

  private static final class BadLine extends Exception {
    private static final long serialVersionUID = 1L;

    BadLine(String message) {
      super(message, null, false, false);
    }
  }

  private Exchange toExchange(JsonNode n, long line) throws BadLine {
    String account = scalar(n, "account", true);
    Instant time = time(n);
    List<ChatMessage> messages = messages(n);
    if (messages.isEmpty()) {
      throw new BadLine(mapping.path("prompt") != null && mapping.path("messages") != null
          ? "no 'messages' (" + mapping.path("messages") + ") or 'prompt' (" + mapping.path("prompt") + ")"
          : mapping.path("messages") != null ? missingText("messages") : missingText("prompt"));
    }
    String response = scalar(n, "response", false);
    String endpoint = scalar(n, "endpoint", false);
    int status = integer(n, "status", 200);
    int promptChars = Exchange.promptLength(messages);
    int responseChars = response == null ? 0 : response.length();
    int promptTokens = integer(n, "prompt_tokens", Math.max(1, promptChars / 4));
    int completionTokens = integer(n, "completion_tokens", responseChars / 4);
    Outcome outcome = status >= 200 && status < 300 ? Outcome.OK
        : status >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.REJECTED;
    return new Exchange("line-" + line, time, account, null, scalar(n, "client_ip", false),
        scalar(n, "user_agent", false), null, endpoint == null ? "/v1/chat/completions" : endpoint,
        scalar(n, "model", false), SamplingParams.NONE, false, messages, response,
        Exchange.promptDigest(messages), promptChars, Exchange.textDigest(response), responseChars, promptTokens,
        completionTokens, status, outcome, null, 0, 0, 0);
  }

  private String missingText(String field) {
    return "no '" + field + "' (" + mapping.path(field) + ")";
  }

  private String scalar(JsonNode root, String field, boolean required) throws BadLine {
    JsonPath p = mapping.path(field);
    JsonNode v = p == null ? null : p.find(root);
    if (v == null || (v.isTextual() && v.asText().isEmpty())) {
      if (required) {
        throw new BadLine(missingText(field));
      }
      return null;
    }
    if (!v.isValueNode()) {
      if (required) {
        throw new BadLine("'" + field + "' (" + p + ") is not a string or number");
      }
      return v.toString();
    }
    return v.asText();
  }

  private int integer(JsonNode root, String field, int dflt) {
    JsonPath p = mapping.path(field);
    JsonNode v = p == null ? null : p.find(root);
    if (v == null) {
      return dflt;
    }
    if (v.canConvertToInt()) {
      return v.asInt();
    }
    try {
      return Integer.parseInt(v.asText().trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  private Instant time(JsonNode root) throws BadLine {
    JsonPath p = mapping.path("timestamp");
    JsonNode v = p.find(root);
    if (v == null) {
      throw new BadLine(missingText("timestamp"));
    }
    String s = v.asText().trim();
    try {
      switch (mapping.timeFormat()) {
        case EPOCH_SECONDS -> {
          BigDecimal secs = new BigDecimal(s);
          return Instant.ofEpochSecond(secs.longValue(),
              secs.remainder(BigDecimal.ONE).movePointRight(9).intValue());
        }
        case EPOCH_MILLIS -> {
          BigDecimal ms = new BigDecimal(s);
          return Instant.ofEpochMilli(ms.longValue());
        }
        default -> {
          return iso(s);
        }
      }
    } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
      throw new BadLine("timestamp '" + Escape.terminal(s.length() > 40 ? s.substring(0, 40) + "…" : s)
          + "' is not " + (mapping.timeFormat() == FieldMapping.TimeFormat.ISO8601 ? "an ISO-8601 time"
          : "a number (" + mapping.timeFormat().wireName() + ")"));
    }
  }

  /** ISO-8601 with an offset or Z; a time without one (also with a space for the T) is taken as UTC. */
  static Instant iso(String s) {
    String t = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + "T" + s.substring(11) : s;
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeException e) {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    }
  }

  private List<ChatMessage> messages(JsonNode root) {
    List<ChatMessage> out = new ArrayList<>();
    JsonPath mp = mapping.path("messages");
    JsonNode arr = mp == null ? null : mp.find(root);
    if (arr != null && arr.isArray()) {
      for (JsonNode m : arr) {
        String role = m.path("role").asText("user");
        String content = content(m.get("content"));
        if (content != null) {
          out.add(new ChatMessage(role, content));
        }
      }
    } else if (arr != null && arr.isTextual()) {
      out.add(new ChatMessage("user", arr.asText()));
    }
    if (out.isEmpty()) {
      JsonPath pp = mapping.path("prompt");
      JsonNode p = pp == null ? null : pp.find(root);
      String text = content(p);
      if (text != null && !text.isEmpty()) {
        out.add(new ChatMessage("user", text));
      }
    }
    return out;
  }

  /** A string, or the text parts of an OpenAI content array joined. */
  private static String content(JsonNode c) {
    if (c == null || c.isNull()) {
      return null;
    }
    if (c.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : c) {
        String t = part.isTextual() ? part.asText() : part.path("text").asText(null);
        if (t != null) {
          sb.append(sb.length() == 0 ? "" : "\n").append(t);
        }
      }
      return sb.toString();
    }
    return c.isValueNode() ? c.asText() : c.toString();
  }

  private static BufferedReader open(Path p) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(p));
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }

  /** Levels in report order (highest first). */
  static List<RiskLevel> levelsDescending() {
    List<RiskLevel> l = new ArrayList<>(List.of(RiskLevel.values()));
    java.util.Collections.reverse(l);
    return l;
  }

  static Map<RiskLevel, Integer> emptyCounts() {
    Map<RiskLevel, Integer> m = new EnumMap<>(RiskLevel.class);
    for (RiskLevel l : RiskLevel.values()) {
      m.put(l, 0);
    }
    return m;
  }
}
