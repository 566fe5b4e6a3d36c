package io.distillguard.ui.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Account;
import io.distillguard.core.Alert;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Reason;
import io.distillguard.store.AlertLog;
import io.distillguard.store.ExchangeCounts;
import io.distillguard.store.NotFoundException;
import io.distillguard.store.ReviewLog;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gathers everything a case file states, as JSON with every number: per account the risk and its reasons, the score
 * over time, counts, top templates, sample exchanges, alerts, reviews and the audit trail; for a cluster also its
 * members, evidence edges and features; watermark probe results naming the subject when there are any.
 */
final class CaseCollector {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int SAMPLES = 12;
  static final int TEMPLATE_WINDOW = 500;
  static final int MAX_MEMBERS = 25;
  private final Store store;
  private final AdminSource admin;
  private final Path dataDir;
  private final List<Path> probeDirs;

  CaseCollector(Store store, AdminSource admin, Path dataDir, List<Path> probeDirs) {
    this.store = store;
    this.admin = admin;
    this.dataDir = dataDir;
    this.probeDirs = probeDirs;
  }

  ObjectNode collect(CaseFiles.Subject subject, String caseId, String actor, Instant now) {
    ObjectNode root = JSON.createObjectNode();
    root.put("case_id", caseId);
    root.put("generated_at", now.toString());
    root.put("generated_by", actor);
    root.putObject("subject").put("kind", subject.kind()).put("id", subject.id());
    List<String> accounts;
    JsonNode cluster = null;
    if (subject.isCluster()) {
      if (admin == null) {
        throw new IllegalStateException("a cluster case needs the running gateway (clusters live in linkage's "
            + "memory): give --admin URL");
      }
      cluster = admin.get("/admin/v1/clusters/" + subject.id() + "?edges=200");
      if (cluster == null) {
        throw new NotFoundException("no cluster " + subject.id());
      }
      accounts = new ArrayList<>();
      cluster.path("members").forEach(m -> accounts.add(m.asText()));
      root.set("cluster", cluster);
    } else {
      store.accounts().find(subject.id()).orElseThrow(() -> new NotFoundException("no account " + subject.id()));
      accounts = List.of(subject.id());
      root.putNull("cluster");
    }
    ArrayNode out = root.putArray("accounts");
    for (int i = 0; i < Math.min(MAX_MEMBERS, accounts.size()); i++) {
      out.add(account(accounts.get(i), i == 0 || !subject.isCluster()));
    }
    root.put("accounts_total", accounts.size());
    root.put("accounts_detailed", out.size());
    if (!subject.isCluster()) {
      String clusterId = out.get(0).path("account").path("cluster_id").asText(null);
      if (clusterId != null && admin != null) {
        JsonNode c = admin.get("/admin/v1/clusters/" + clusterId + "?edges=50");
        if (c != null) {
          root.set("cluster", c);
        }
      }
    }
    root.set("shared_attributes", shared(accounts));
    root.set("provenance", ProbeResults.find(dataDir, probeDirs, new java.util.HashSet<>(accounts),
        subject.isCluster() ? subject.id() : out.get(0).path("account").path("cluster_id").asText(null)));
    ObjectNode chain = root.putObject("audit_chain");
    long broken = store.audit().verify();
    chain.put("verified", broken < 0);
    if (broken >= 0) {
      chain.put("first_bad_seq", broken);
    }
    List<AuditEntry> head = store.audit().list(null, 1);
    if (!head.isEmpty()) {
      chain.put("head_seq", head.get(0).seq());
      chain.put("head_hash", head.get(0).hash());
    }
    return root;
  }

  private ObjectNode account(String id, boolean full) {
    ObjectNode n = JSON.createObjectNode();
    Account a = store.accounts().find(id).orElse(null);
    JsonNode live = admin == null ? null : admin.get("/admin/v1/accounts/" + id);
    ObjectNode acc = n.putObject("account");
    acc.put("id", id);
    if (a != null) {
      acc.put("name", a.name());
      acc.put("status", a.status().wireName());
      acc.put("created_at", a.createdAt().toString());
      ObjectNode attrs = acc.putObject("attributes");
      a.attributes().forEach(attrs::put);
    }
    acc.put("cluster_id", live == null ? null : live.path("cluster_id").asText(null));
    ObjectNode risk = n.putObject("risk");
    if (live != null && live.has("risk")) {
      risk.setAll((ObjectNode) live.get("risk"));
      risk.put("source", "live");
    } else {
      RiskHistory.Snapshot s = store.risks().snapshot(id).orElse(null);
      risk.put("source", s == null ? "none" : "stored");
      risk.put("score", s == null ? 0 : round(s.score()));
      risk.put("level", s == null ? "none" : s.level().wireName());
      risk.put("evidence", s == null ? 0 : s.evidence());
      ArrayNode reasons = risk.putArray("reasons");
      if (s != null) {
        for (Reason r : s.reasons()) {
          reasons.addObject().put("signal", r.signal()).put("value", round(r.value()))
              .put("contribution", round(r.contribution())).put("explanation", r.explanation());
        }
      }
    }
    ExchangeCounts c = store.exchanges().counts(id);
    ObjectNode counts = n.putObject("counts");
    counts.put("exchanges", c.exchanges());
    counts.put("rejected", c.rejected());
    counts.put("prompt_tokens", c.promptTokens());
    counts.put("completion_tokens", c.completionTokens());
    counts.put("first_seen", c.first() == null ? null : c.first().toString());
    counts.put("last_seen", c.last() == null ? null : c.last().toString());
    ArrayNode history = n.putArray("score_history");
    for (RiskHistory.Point p : store.risks().history(id, full ? 500 : 100)) {
      history.addObject().put("at", p.at().toString()).put("score", round(p.score()))
          .put("level", p.level().wireName()).put("evidence", p.evidence());
    }
    List<Exchange> recent = store.exchanges().list(id, null, full ? TEMPLATE_WINDOW : 100);
    ArrayNode templates = n.putArray("templates");
    for (io.distillguard.ui.cases.TemplateShapes.Template t : TemplateShapes.top(recent, 10)) {
      templates.addObject().put("shape", t.shape()).put("count", t.count()).put("example", t.example());
    }
    n.put("templates_window", recent.size());
    ArrayNode samples = n.putArray("sample_exchanges");
    for (Exchange e : recent.subList(0, Math.min(full ? SAMPLES : 3, recent.size()))) {
      samples.add(exchange(e));
    }
    ArrayNode alerts = n.putArray("alerts");
    List<Alert> al = store.alerts().list(new AlertLog.Query(id, null, null, null, null, 100));
    Map<Long, List<ReviewLog.Review>> reviews = store.reviews().forAlerts(al.stream().map(Alert::id).toList());
    for (Alert x : al) {
      ObjectNode an = alerts.addObject().put("id", x.id()).put("at", x.at().toString())
          .put("from", x.from().wireName()).put("to", x.to().wireName()).put("score", round(x.score()))
          .put("evidence", x.evidence()).put("audit_seq", x.auditSeq());
      ArrayNode rs = an.putArray("reviews");
      for (ReviewLog.Review r : reviews.getOrDefault(x.id(), List.of())) {
        rs.addObject().put("decision", r.decision().wireName()).put("actor", r.actor()).put("at", r.at().toString())
            .put("note", r.note()).put("audit_seq", r.auditSeq());
      }
    }
    ArrayNode audit = n.putArray("audit");
    for (AuditEntry e : store.audit().list("account:" + id, 200)) {
      ObjectNode en = audit.addObject().put("seq", e.seq()).put("at", e.at().toString()).put("actor", e.actor())
          .put("action", e.action()).put("hash", e.hash());
      ObjectNode d = en.putObject("details");
      e.details().forEach(d::put);
    }
    return n;
  }

  static ObjectNode exchange(Exchange e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", e.id());
    n.put("event_time", e.eventTime().toString());
    n.put("endpoint", e.endpoint());
    n.put("model", e.model());
    n.put("status", e.status());
    n.put("outcome", e.outcome().wireName());
    n.put("client_ip", e.clientIp());
    n.put("user_agent", e.userAgent());
    n.put("prompt", clip(TemplateShapes.promptOf(e), 1000));
    n.put("response", clip(e.responseText(), 600));
    n.put("prompt_sha256", e.promptSha256());
    n.put("response_sha256", e.responseSha256());
    n.put("prompt_tokens", e.promptTokens());
    n.put("completion_tokens", e.completionTokens());
    ArrayNode roles = n.putArray("roles");
    for (ChatMessage m : e.messages()) {
      roles.add(m.role());
    }
    return n;
  }

  /** Values of the attributes that tie accounts together, with every other account holding the same value. */
  private ArrayNode shared(List<String> subjectAccounts) {
    ArrayNode out = JSON.createArrayNode();
    List<Account> all = store.accounts().all();
    for (String attr : List.of("payment_fingerprint", "signup_ip", "email_domain")) {
      Map<String, List<String>> byValue = new java.util.TreeMap<>();
      for (Account a : all) {
        String v = a.attributes().get(attr);
        if (v != null && !v.isBlank()) {
          byValue.computeIfAbsent(v, k -> new ArrayList<>()).add(a.id());
        }
      }
      java.util.Set<String> mine = new java.util.HashSet<>(subjectAccounts);
      for (Map.Entry<String, List<String>> e : byValue.entrySet()) {
        List<String> holders = e.getValue();
        if (holders.size() > 1 && holders.stream().anyMatch(mine::contains)
            && !(attr.equals("email_domain") && holders.size() > 50)) {
          ObjectNode s = out.addObject().put("attribute", attr).put("value", e.getKey())
              .put("accounts_total", holders.size());
          ArrayNode ids = s.putArray("accounts");
          holders.stream().limit(50).forEach(ids::add);
        }
      }
    }
    return out;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static String clip(String s, int max) {
    if (s == null) {
      return null;
    }
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
