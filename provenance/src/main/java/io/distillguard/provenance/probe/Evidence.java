package io.distillguard.provenance.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.provenance.detect.KeyScore;
import io.distillguard.provenance.detect.KeyedTest;
import io.distillguard.provenance.detect.ScoredEvents;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.WatermarkKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a watermark test on a body of text (a probe run, a harvested file, one text) and its evidence
 * report: method, counts, every key's z-score and p-value (Holm-corrected over all keys tested), the top keys with
 * the accounts they belong to, a null control (the same text scored under keys nobody used), sample outputs with
 * the top key's choices marked, and the exact command that reproduces the run.
 */
public final class Evidence {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String title;
  private final List<String> texts;
  private final ScoredEvents events;
  private final List<KeyScore> ranked;
  private final Map<WatermarkKey, String> clusters = new HashMap<>();
  private final NullControl nullControl;
  private final double strength;
  private final Map<String, Object> facts;
  private final String command;

  /** Scores under keys nobody used: their z should look standard normal. */
  public record NullControl(int keys, double meanZ, double sdZ, double maxZ, double fractionBelow01) {}

  /**
   * @param facts    extra facts for the report (target, model, prompts sent, failures, quality), in order
   * @param nullKeys how many unused keys to score as a control (0 for none)
   */
  public static Evidence analyze(String title, List<String> texts, List<KeyDirectory.Entry> keys, double strength,
      int nullKeys, Map<String, Object> facts, String command) {
    return new Evidence(title, texts, null, keys, strength, nullKeys, facts, command);
  }

  /**
   * As {@link #analyze(String, List, List, double, int, Map, String)}, measuring each pair against unwatermarked
   * {@code reference} texts of the teacher (see {@link ScoredEvents#against}).
   */
  public static Evidence analyze(String title, List<String> texts, List<String> reference,
      List<KeyDirectory.Entry> keys, double strength, int nullKeys, Map<String, Object> facts, String command) {
    return new Evidence(title, texts, reference, keys, strength, nullKeys, facts, command);
  }

  private Evidence(String title, List<String> texts, List<String> reference, List<KeyDirectory.Entry> keys,
      double strength, int nullKeys, Map<String, Object> facts, String command) {
    this.title = title;
    this.texts = texts;
    this.strength = strength;
    this.facts = facts;
    this.command = command;
    Lexicon lexicon = Lexicon.standard();
    this.events = ScoredEvents.of(lexicon, texts);
    if (reference != null && !reference.isEmpty()) {
      events.against(ScoredEvents.of(lexicon, reference));
    }
    KeyedTest test = new KeyedTest(strength);
    List<WatermarkKey> ks = new ArrayList<>();
    for (KeyDirectory.Entry e : keys) {
      ks.add(e.key());
      if (e.cluster() != null) {
        clusters.put(e.key(), e.cluster());
      }
    }
    this.ranked = test.scoreAll(events, ks);
    List<WatermarkKey> unused = new ArrayList<>();
    for (int i = 0; i < nullKeys; i++) {
      unused.add(WatermarkKey.random(i));
    }
    List<KeyScore> nulls = unused.parallelStream().map(k -> test.score(events, k)).toList();
    double sum = 0;
    double sum2 = 0;
    double max = Double.NEGATIVE_INFINITY;
    int below = 0;
    for (KeyScore s : nulls) {
      sum += s.z();
      sum2 += s.z() * s.z();
      max = Math.max(max, s.z());
      below += s.p() < 0.01 ? 1 : 0;
    }
    int n = nulls.size();
    this.nullControl = n == 0 ? null : new NullControl(n, sum / n, Math.sqrt(Math.max(0, sum2 / n
        - (sum / n) * (sum / n))), max, below / (double) n);
  }

  public List<KeyScore> ranked() {
    return ranked;
  }

  public KeyScore top() {
    return ranked.isEmpty() ? null : ranked.get(0);
  }

  public ScoredEvents events() {
    return events;
  }

  public NullControl nullControl() {
    return nullControl;
  }

  /** Writes {@code evidence.json} and {@code evidence.html} into {@code dir}. */
  public void write(Path dir, int topKeys, int samples) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("evidence.json"), JSON.writeValueAsString(json(topKeys)), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("evidence.html"), html(topKeys, samples), StandardCharsets.UTF_8);
  }

  ObjectNode json(int topKeys) {
    ObjectNode root = JSON.createObjectNode();
    root.put("title", title);
    root.put("generated_at", Instant.now().toString());
    ObjectNode method = root.putObject("method");
    method.put("watermark", "keyed lexical watermark, context-conditioned (previous token) choice among "
        + "meaning-preserving variants; HMAC-SHA256 keyed choice");
    method.put("lexicon", events.lexicon().version());
    method.put("lexicon_sets", events.lexicon().sets().size());
    method.put("strength_assumed", strength);
    method.put("test", "sum over distinct (context, set) pairs of a score of the key's variant "
        + (events.hasReference() ? "(its share at the pair minus its share at the same pair in unwatermarked "
        + "reference text of the teacher, or over the set's pairs where the reference lacks it, weighted by the "
        + "inverse of that difference's variance: sampling on both sides plus a student-teacher discrepancy)"
        : "(its share at the pair minus its share over the set's pairs, standardized)")
        + "; one-sided tail of its exact null "
        + "distribution given the text (Lugannani-Rice saddlepoint with lattice correction for large texts); "
        + "Holm correction over all keys tested");
    ObjectNode f = root.putObject("facts");
    facts.forEach((k, v) -> f.putPOJO(k, v));
    ObjectNode c = root.putObject("counts");
    c.put("texts", events.texts());
    c.put("words", events.words());
    c.put("lexicon_word_occurrences", events.occurrences());
    c.put("distinct_events", events.events().size());
    c.put("keys_tested", ranked.size());
    ArrayNode top = root.putArray("top_keys");
    for (int i = 0; i < Math.min(topKeys, ranked.size()); i++) {
      top.add(keyJson(ranked.get(i)));
    }
    if (nullControl != null) {
      root.putPOJO("null_control", nullControl);
    }
    KeyScore best = top();
    root.put("verdict", verdict(best));
    root.put("reproduce", command);
    return root;
  }

  private ObjectNode keyJson(KeyScore s) {
    ObjectNode k = JSON.createObjectNode();
    k.put("key", s.key().toString());
    k.put("scope", s.key().scope().name().toLowerCase(Locale.ROOT));
    k.put("id", s.key().id());
    String cl = clusters.get(s.key());
    if (cl != null) {
      k.put("cluster", cl);
    }
    k.put("events", s.events());
    k.put("hits", s.hits());
    k.put("hit_rate", s.hitRate());
    k.put("null_rate", s.nullRate());
    k.put("z", s.z());
    k.put("log10_p", s.log10P());
    k.put("log10_p_adjusted", s.log10PAdjusted());
    k.put("p_adjusted", s.pAdjusted());
    return k;
  }

  /** A sentence for the top of the report. */
  public String verdict(KeyScore best) {
    if (best == null || best.events() == 0) {
      return "no scored events: the text is too short or uses none of the watermark's words";
    }
    if (best.log10PAdjusted() <= -6) {
      return String.format(Locale.ROOT, "watermark of %s present: adjusted p = %s over %d keys", best.key(),
          pString(best.log10PAdjusted()), ranked.size());
    }
    if (best.log10PAdjusted() <= -2) {
      return String.format(Locale.ROOT, "weak evidence for %s: adjusted p = %s over %d keys (below the 1e-6 "
          + "standard for attribution)", best.key(), pString(best.log10PAdjusted()), ranked.size());
    }
    return String.format(Locale.ROOT, "no watermark found: smallest adjusted p = %s over %d keys",
        pString(best.log10PAdjusted()), ranked.size());
  }

  static String pString(double log10p) {
    if (log10p > -4) {
      return String.format(Locale.ROOT, "%.4f", Math.pow(10, log10p));
    }
    double e = Math.floor(log10p);
    return String.format(Locale.ROOT, "%.1fe%d", Math.pow(10, log10p - e), (long) e);
  }

  String html(int topKeys, int samples) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(Highlighter.escape(title)).append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}mark{background:#ffe066}")
        .append(".miss{text-decoration:underline dotted #c00}pre{white-space:pre-wrap;background:#f6f6f6;")
        .append("padding:8px}.sample{border-left:3px solid #ccc;padding-left:8px;margin:1em 0;white-space:pre-wrap}")
        .append("</style></head><body>");
    h.append("<h1>").append(Highlighter.escape(title)).append("</h1>");
    h.append("<p><b>").append(Highlighter.escape(verdict(top()))).append("</b></p>");
    h.append("<h2>Method</h2><p>The served text was watermarked by choosing, among meaning-preserving word variants, "
        + "the one a secret key prefers in the word's context (the token before it). Without the key, a text "
        + "has no reason to favour the key's preferred variant at a (context, word set) more than it favours that "
        + "variant elsewhere; the test adds up, over the distinct pairs (repeats counted once), how much the text "
        + "tilts towards the key's variant (a hit: it favours it), and reports the one-sided tail probability "
        + "of that sum under the key's uniform random choices, corrected with Holm's method for the number of "
        + "keys tested.</p>");
    h.append("<p>Lexicon ").append(Highlighter.escape(events.lexicon().version())).append(" (")
        .append(events.lexicon().sets().size()).append(" sets); assumed strength ").append(strength)
        .append(".</p>");
    h.append("<h2>Counts</h2><table>");
    row(h, "texts", events.texts());
    row(h, "words", events.words());
    row(h, "lexicon word occurrences", events.occurrences());
    row(h, "distinct scored events", events.events().size());
    row(h, "keys tested", ranked.size());
    facts.forEach((k, v) -> row(h, k, v));
    h.append("</table>");
    h.append("<h2>Top keys</h2><table><tr><th>key</th><th>cluster</th><th>events</th><th>hits</th>"
        + "<th>hit rate</th><th>null rate</th><th>z</th><th>p</th><th>p (Holm)</th></tr>");
    for (int i = 0; i < Math.min(topKeys, ranked.size()); i++) {
      KeyScore s = ranked.get(i);
      h.append("<tr><td>").append(Highlighter.escape(s.key().toString())).append("</td><td>")
          .append(Highlighter.escape(String.valueOf(clusters.getOrDefault(s.key(), "")))).append("</td><td>")
          .append(s.events()).append("</td><td>").append(s.hits()).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.3f", s.hitRate())).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.3f", s.nullRate())).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.2f", s.z())).append("</td><td>").append(pString(s.log10P()))
          .append("</td><td>").append(pString(s.log10PAdjusted())).append("</td></tr>");
    }
    h.append("</table>");
    if (nullControl != null) {
      h.append(String.format(Locale.ROOT, "<h2>Null control</h2><p>The same text under %d keys nobody used: "
          + "mean z %.2f, sd %.2f, max %.2f; %.1f%% had p &lt; 0.01 (expected about 1%%).</p>", nullControl.keys(),
          nullControl.meanZ(), nullControl.sdZ(), nullControl.maxZ(), 100 * nullControl.fractionBelow01()));
    }
    KeyScore best = top();
    if (best != null) {
      h.append("<h2>Sample outputs</h2><p><mark>marked</mark>: the word is the preferred variant of ")
          .append(Highlighter.escape(best.key().toString()))
          .append("; <span class=\"miss\">underlined</span>: the key scored the word, the text chose another.</p>");
      Highlighter hl = new Highlighter(events.lexicon(), best.key(), strength);
      int shown = 0;
      for (String t : texts) {
        if (shown >= samples) {
          break;
        }
        if (t.isBlank()) {
          continue;
        }
        h.append("<div class=\"sample\">").append(hl.html(t)).append("</div>");
        shown++;
      }
    }
    h.append("<h2>Reproduce</h2><pre>").append(Highlighter.escape(command)).append("</pre>");
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void row(StringBuilder h, String k, Object v) {
    h.append("<tr><td>").append(Highlighter.escape(k)).append("</td><td>")
        .append(Highlighter.escape(String.valueOf(v))).append("</td></tr>");
  }
}
