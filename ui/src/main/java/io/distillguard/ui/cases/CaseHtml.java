package io.distillguard.ui.cases;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The case file as one XHTML page: well-formed (the PDF renderer parses it as XML), every value escaped, characters
 * XML cannot carry replaced, no script. The same page is the bundle's HTML and the source of its PDF.
 */
final class CaseHtml {
  static final String[] SECTIONS = {"1. Summary", "2. Risk score and reasons", "3. Score over time and activity",
      "4. Top prompt templates", "5. Sample exchanges", "6. Alerts and analyst reviews", "7. Linkage evidence",
      "8. Watermark and probe results", "9. Audit trail and integrity"};

  private final StringBuilder sb = new StringBuilder(64 * 1024);

  private CaseHtml() {}

  /** @param charts image file names in the bundle, by role ({@code score}, {@code activity}) */
  static String render(JsonNode c, Map<String, String> charts) {
    return new CaseHtml().page(c, charts);
  }

  private String page(JsonNode c, Map<String, String> charts) {
    String subject = c.path("subject").path("kind").asText() + " " + c.path("subject").path("id").asText();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
    sb.append("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"UTF-8\"/>");
    sb.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' data:; "
        + "style-src 'unsafe-inline'\"/>");
    sb.append("<title>").append(esc("DistillGuard case file: " + subject)).append("</title><style>")
        .append(STYLE).append("</style></head><body>");
    sb.append("<h1>").append(esc("Case file: " + subject)).append("</h1>");
    sb.append("<p class=\"meta\">Case ").append(esc(c.path("case_id").asText())).append(" · generated ")
        .append(esc(c.path("generated_at").asText())).append(" by ").append(esc(c.path("generated_by").asText()))
        .append(" · every number here is also in case.json; the bundle's manifest hash is recorded in the "
            + "hash-chained audit log</p>");
    JsonNode first = c.path("accounts").path(0);

    h2(0);
    table(new String[][] {
        {"Subject", subject},
        {"Name", first.path("account").path("name").asText("-")},
        {"Accounts in scope", c.path("accounts_total").asText() + " (" + c.path("accounts_detailed").asText()
            + " detailed)"},
        {"Status", first.path("account").path("status").asText("-")},
        {"Risk level", first.path("risk").path("level").asText("-") + " (score "
            + first.path("risk").path("score").asText("-") + ", " + first.path("risk").path("source").asText() + ")"},
        {"Exchanges", first.path("counts").path("exchanges").asText("0") + " (rejected "
            + first.path("counts").path("rejected").asText("0") + ")"},
        {"First / last seen", first.path("counts").path("first_seen").asText("-") + " / "
            + first.path("counts").path("last_seen").asText("-")},
        {"Cluster", c.path("cluster").isObject() ? c.path("cluster").path("id").asText() + " ("
            + c.path("cluster").path("size").asText() + " members, level " + c.path("cluster").path("level").asText()
            + ")" : "none"},
    });
    if (first.path("account").path("attributes").isObject()) {
      StringBuilder attrs = new StringBuilder();
      for (Iterator<Map.Entry<String, JsonNode>> it = first.path("account").path("attributes").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        attrs.append(e.getKey()).append('=').append(e.getValue().asText()).append(it.hasNext() ? "; " : "");
      }
      sb.append("<p class=\"small\">Attributes: ").append(esc(attrs.toString())).append("</p>");
    }

    h2(1);
    for (JsonNode a : c.path("accounts")) {
      sb.append("<h3>").append(esc("Account " + a.path("account").path("id").asText())).append("</h3>");
      sb.append("<table><tr><th class=\"w15\">Signal</th><th class=\"w10\">Value</th><th class=\"w15\">Contribution</th>"
          + "<th class=\"w60\">Explanation</th></tr>");
      for (JsonNode r : a.path("risk").path("reasons")) {
        sb.append("<tr><td>").append(esc(r.path("signal").asText())).append("</td><td class=\"num\">")
            .append(num(r.path("value"))).append("</td><td class=\"num\">").append(num(r.path("contribution")))
            .append("</td><td>").append(esc(r.path("explanation").asText())).append("</td></tr>");
      }
      sb.append("</table>");
      if (c.path("subject").path("kind").asText().equals("cluster")) {
        break; // members beyond the first are summarised in section 7 and in case.json
      }
    }

    h2(2);
    for (String role : new String[] {"score", "activity"}) {
      if (charts.containsKey(role)) {
        sb.append("<p><img class=\"chart\" src=\"").append(esc(charts.get(role))).append("\" alt=\"")
            .append(role).append(" chart\"/></p>");
      }
    }
    sb.append("<p class=\"small\">").append(first.path("score_history").size())
        .append(" recorded points for the first account (one per material change of its score).</p>");

    h2(3);
    sb.append("<table><tr><th class=\"w10\">Count</th><th class=\"w45\">Template (numbers and quotes replaced)</th>"
        + "<th class=\"w45\">Example</th></tr>");
    for (JsonNode t : first.path("templates")) {
      sb.append("<tr><td class=\"num\">").append(t.path("count").asText()).append("</td><td class=\"mono\">")
          .append(esc(t.path("shape").asText())).append("</td><td class=\"mono\">")
          .append(esc(t.path("example").asText())).append("</td></tr>");
    }
    sb.append("</table><p class=\"small\">Over the ").append(first.path("templates_window").asText())
        .append(" most recent exchanges.</p>");

    h2(4);
    for (JsonNode e : first.path("sample_exchanges")) {
      sb.append("<div class=\"ex\"><p class=\"small\">").append(esc(e.path("event_time").asText() + " · "
          + e.path("endpoint").asText() + " · " + e.path("model").asText() + " · HTTP " + e.path("status").asText()
          + " · " + e.path("client_ip").asText() + " · UA " + e.path("user_agent").asText()))
          .append("</p><p class=\"mono\"><b>Prompt:</b> ").append(esc(e.path("prompt").asText()))
          .append("</p><p class=\"mono\"><b>Response:</b> ").append(esc(e.path("response").asText()))
          .append("</p><p class=\"small\">prompt sha256 ").append(esc(e.path("prompt_sha256").asText()))
          .append("</p></div>");
    }

    h2(5);
    sb.append("<table><tr><th>Alert</th><th>At</th><th>From → to</th><th>Score</th><th>Reviews</th></tr>");
    for (JsonNode a : c.path("accounts")) {
      for (JsonNode al : a.path("alerts")) {
        StringBuilder rv = new StringBuilder();
        for (JsonNode r : al.path("reviews")) {
          rv.append(r.path("decision").asText()).append(" by ").append(r.path("actor").asText()).append(" at ")
              .append(r.path("at").asText());
          if (!r.path("note").isNull() && !r.path("note").asText().isEmpty()) {
            rv.append(" (").append(r.path("note").asText()).append(')');
          }
          rv.append("; ");
        }
        sb.append("<tr><td>").append(esc(a.path("account").path("id").asText() + " #" + al.path("id").asText()))
            .append("</td><td>").append(esc(al.path("at").asText())).append("</td><td>")
            .append(esc(al.path("from").asText() + " → " + al.path("to").asText())).append("</td><td class=\"num\">")
            .append(num(al.path("score"))).append("</td><td>").append(esc(rv.length() == 0 ? "not reviewed"
                : rv.toString())).append("</td></tr>");
      }
    }
    sb.append("</table>");

    h2(6);
    JsonNode cl = c.path("cluster");
    if (cl.isObject()) {
      sb.append("<p>").append(esc("Cluster " + cl.path("id").asText() + ": " + cl.path("size").asText()
          + " members, level " + cl.path("level").asText() + ", score " + cl.path("score").asText()
          + (cl.path("ruled").asBoolean() ? ", ruled by an analyst" : ""))).append("</p>");
      sb.append("<table><tr><th>Account</th><th>Account</th><th>Weight</th><th>Evidence</th></tr>");
      for (JsonNode e : cl.path("edges")) {
        StringBuilder ev = new StringBuilder();
        for (JsonNode x : e.path("evidence")) {
          ev.append(x.path("kind").asText()).append(' ').append(x.path("contribution").asText()).append(": ")
              .append(x.path("reason").asText()).append("; ");
        }
        sb.append("<tr><td>").append(esc(e.path("a").asText())).append("</td><td>").append(esc(e.path("b").asText()))
            .append("</td><td class=\"num\">").append(num(e.path("weight"))).append("</td><td>")
            .append(esc(ev.toString())).append("</td></tr>");
      }
      sb.append("</table>");
    } else {
      sb.append("<p>Not in a cluster (or linkage was not running when the case was written).</p>");
    }
    if (c.path("shared_attributes").size() > 0) {
      sb.append("<table><tr><th>Shared attribute</th><th>Value</th><th>Accounts</th></tr>");
      for (JsonNode s : c.path("shared_attributes")) {
        StringBuilder ids = new StringBuilder();
        s.path("accounts").forEach(x -> ids.append(x.asText()).append(' '));
        sb.append("<tr><td>").append(esc(s.path("attribute").asText())).append("</td><td class=\"mono\">")
            .append(esc(s.path("value").asText())).append("</td><td>").append(esc(s.path("accounts_total").asText()
                + ": " + ids)).append("</td></tr>");
      }
      sb.append("</table>");
    }

    h2(7);
    if (c.path("provenance").size() == 0) {
      sb.append("<p>No watermark probe result names this subject (probe results are read from the data "
          + "directory's probes/ folder and from --probe).</p>");
    }
    for (JsonNode p : c.path("provenance")) {
      sb.append("<p><b>").append(esc(p.path("title").asText())).append("</b>: ").append(esc(p.path("verdict")
          .asText())).append("</p><table><tr><th>Key</th><th>Events</th><th>Hits</th><th>z</th>"
              + "<th>log10 p (adjusted)</th></tr>");
      for (JsonNode k : p.path("matching_keys")) {
        sb.append("<tr><td>").append(esc(k.path("key").asText())).append("</td><td class=\"num\">")
            .append(k.path("events").asText()).append("</td><td class=\"num\">").append(k.path("hits").asText())
            .append("</td><td class=\"num\">").append(num(k.path("z"))).append("</td><td class=\"num\">")
            .append(num(k.path("log10_p_adjusted"))).append("</td></tr>");
      }
      sb.append("</table><p class=\"small mono\">Reproduce: ").append(esc(p.path("reproduce").asText()))
          .append("</p>");
    }

    h2(8);
    JsonNode chain = c.path("audit_chain");
    sb.append("<p>").append(esc("Audit chain " + (chain.path("verified").asBoolean() ? "verified intact"
        : "BROKEN at entry " + chain.path("first_bad_seq").asText()) + " when this file was written; head entry "
        + chain.path("head_seq").asText() + " hash " + chain.path("head_hash").asText())).append("</p>");
    sb.append("<table><tr><th>Seq</th><th>At</th><th>Actor</th><th>Action</th><th>Details</th></tr>");
    for (JsonNode e : first.path("audit")) {
      StringBuilder d = new StringBuilder();
      e.path("details").fields().forEachRemaining(x -> d.append(x.getKey()).append('=').append(x.getValue().asText())
          .append("; "));
      sb.append("<tr><td class=\"num\">").append(e.path("seq").asText()).append("</td><td>")
          .append(esc(e.path("at").asText())).append("</td><td>").append(esc(e.path("actor").asText()))
          .append("</td><td>").append(esc(e.path("action").asText())).append("</td><td class=\"small\">")
          .append(esc(d.toString())).append("</td></tr>");
    }
    sb.append("</table><p class=\"small\">Check with: ./distillguard verify-audit --data-dir DIR --case BUNDLE</p>");
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private void h2(int i) {
    sb.append("<h2>").append(esc(SECTIONS[i])).append("</h2>");
  }

  private void table(String[][] rows) {
    sb.append("<table class=\"kv\">");
    for (String[] r : rows) {
      sb.append("<tr><th>").append(esc(r[0])).append("</th><td>").append(esc(r[1])).append("</td></tr>");
    }
    sb.append("</table>");
  }

  private static String num(JsonNode n) {
    return n.isNumber() ? String.format(Locale.ROOT, "%.3f", n.asDouble()) : esc(n.asText("-"));
  }

  /** Escapes for XHTML text and attribute values, and drops what XML 1.0 cannot carry at all. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(ch).append(s.charAt(++i));
          } else if (Character.isSurrogate(ch) || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
              || ch == 0xFFFE || ch == 0xFFFF) {
            out.append('\uFFFD');
          } else {
            out.append(ch);
          }
        }
      }
    }
    return out.toString();
  }

  private static final String STYLE = "body{font-family:'DejaVu Sans',sans-serif;font-size:10pt;color:#111;"
      + "margin:24px}h1{font-size:18pt;margin:0 0 4px}h2{font-size:13pt;border-bottom:1px solid #999;"
      + "margin-top:18px;page-break-after:avoid}h3{font-size:11pt}table{border-collapse:collapse;width:100%;"
      + "margin:6px 0;table-layout:fixed}th,td{border:1px solid #ccc;padding:3px 5px;text-align:left;"
      + "vertical-align:top;word-wrap:break-word}th{background:#eef2f7}"
      + ".kv th{width:28%}.num{text-align:right}.mono{font-family:'DejaVu Sans Mono',monospace;font-size:8.5pt;"
      + "white-space:pre-wrap}.small{font-size:8pt;color:#444}.meta{color:#444;font-size:9pt}"
      + ".chart{width:100%;max-width:900px}.ex{border:1px solid #ddd;padding:4px 8px;margin:6px 0;"
      + "page-break-inside:avoid}.w10{width:10%}.w15{width:15%}.w45{width:45%}.w60{width:60%}";
}
