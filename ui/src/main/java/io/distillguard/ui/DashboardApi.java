package io.distillguard.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.Alert;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.gateway.Gateway;
import io.distillguard.gateway.admin.AccountRulings;
import io.distillguard.gateway.alerts.WebhookNotifier;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.detection.DetectionFactory;
import io.distillguard.linkage.ClusterView;
import io.distillguard.store.AlertLog;
import io.distillguard.store.Analytics;
import io.distillguard.store.CaseFileLog;
import io.distillguard.store.NotFoundException;
import io.distillguard.store.ReviewLog;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.Store;
import io.distillguard.ui.cases.AdminSource;
import io.distillguard.ui.cases.CaseFiles;
import io.distillguard.ui.cases.TemplateShapes;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's own JSON under {@code /ui/api/}: aggregates the admin API does not serve (overview, the accounts
 * table, an account's whole picture), the review queue with its actions, the policy in force, and case files.
 * Every action is audited under the session's actor. Store work runs on worker threads.
 */
final class DashboardApi {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardApi.class);
  static final String ACTOR = "dg.actor";
  static final String CSRF = "dg.csrf";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
  private static final Duration INDEX_TTL = Duration.ofSeconds(3);
  private static final Pattern CASE_FILE = Pattern.compile("case\\.(json|html|pdf)|manifest\\.json|chart-[a-z]+\\.png"
      + "|bundle\\.zip");

  private final Gateway gateway;
  private final Store store;
  private final GatewayConfig config;
  private final Dashboard.Options options;
  private final AccountRulings rulings;
  private volatile AccountIndex index;
  private volatile Instant indexAt = Instant.MIN;

  DashboardApi(Gateway gateway, Store store, GatewayConfig config, Dashboard.Options options) {
    this.gateway = gateway;
    this.store = store;
    this.config = config;
    this.options = options;
    this.rulings = new AccountRulings(store, gateway.directory(), gateway.enforcement(), gateway.detection(),
        options.clock());
  }

  void register(Router r) {
    r.get("/ui/api/session").handler(ctx -> {
      ObjectNode n = JSON.createObjectNode();
      n.put("actor", (String) ctx.get(ACTOR));
      n.put("csrf", (String) ctx.get(CSRF));
      n.put("linkage", gateway.linkage() != null);
      n.put("detection", gateway.detection() != null);
      respond(ctx, n);
    });
    r.get("/ui/api/overview").handler(ctx -> blocking(ctx, this::overview));
    r.get("/ui/api/accounts").handler(ctx -> blocking(ctx, () -> accounts(ctx)));
    r.get("/ui/api/accounts/:id").handler(ctx -> blocking(ctx, () -> account(ctx.pathParam("id"))));
    r.get("/ui/api/alerts").handler(ctx -> blocking(ctx, () -> alerts(ctx)));
    r.post("/ui/api/alerts/:id/review").handler(ctx -> blocking(ctx, () -> review(ctx)));
    r.get("/ui/api/policy").handler(ctx -> blocking(ctx, this::policy));
    r.post("/ui/api/cases").handler(ctx -> blocking(ctx, () -> writeCase(ctx)));
    r.get("/ui/api/cases").handler(ctx -> blocking(ctx, () -> cases(ctx)));
    r.get("/ui/api/cases/:id/:file").handler(this::caseFile);
  }

  // ---- overview ----

  private ObjectNode overview() {
    AccountIndex idx = index();
    Analytics an = store.analytics();
    Instant latest = an.latestExchange();
    Instant end = (latest == null ? options.clock().instant() : latest).plusSeconds(1);
    Instant start = end.minus(Duration.ofHours(24));
    Duration bucket = Duration.ofMinutes(30);
    ObjectNode n = JSON.createObjectNode();
    n.put("window_start", start.toString());
    n.put("window_end", end.toString());
    n.put("bucket_seconds", bucket.toSeconds());
    ArrayNode traffic = n.putArray("traffic");
    for (Analytics.Bucket b : an.traffic(start, end, bucket)) {
      traffic.addObject().put("t", b.start().toString()).put("count", b.count()).put("rejected", b.part());
    }
    ArrayNode alerts = n.putArray("alerts");
    for (Analytics.Bucket b : an.alerts(start, end, bucket)) {
      alerts.addObject().put("t", b.start().toString()).put("count", b.count()).put("blocks", b.part());
    }
    Map<AccountStatus, Integer> byStatus = new EnumMap<>(AccountStatus.class);
    Map<RiskLevel, Integer> byLevel = new EnumMap<>(RiskLevel.class);
    long exchanges = 0;
    for (AccountIndex.Row row : idx.rows()) {
      byStatus.merge(row.account().status(), 1, Integer::sum);
      byLevel.merge(row.risk().level(), 1, Integer::sum);
      exchanges += row.exchanges();
    }
    ObjectNode s = n.putObject("by_status");
    for (AccountStatus st : AccountStatus.values()) {
      s.put(st.wireName(), byStatus.getOrDefault(st, 0));
    }
    ObjectNode l = n.putObject("by_level");
    for (RiskLevel lv : RiskLevel.values()) {
      l.put(lv.wireName(), byLevel.getOrDefault(lv, 0));
    }
    ObjectNode totals = n.putObject("totals");
    totals.put("accounts", idx.rows().size());
    totals.put("exchanges", exchanges);
    totals.put("restricted", idx.rows().stream().filter(x -> x.account().status() != AccountStatus.ACTIVE).count());
    totals.put("open_alerts", store.reviews().openCount());
    ArrayNode clusters = n.putArray("clusters");
    if (gateway.linkage() != null) {
      List<ClusterView> cs = new ArrayList<>(gateway.linkage().clusters());
      cs.sort(Comparator.comparing(ClusterView::level).reversed().thenComparing(Comparator
          .comparingInt(ClusterView::size).reversed()));
      totals.put("clusters", cs.size());
      for (ClusterView c : cs.subList(0, Math.min(10, cs.size()))) {
        clusters.addObject().put("id", c.id()).put("size", c.size()).put("level", c.level().wireName())
            .put("score", round(c.risk().score())).put("ruled", c.ruled());
      }
    } else {
      totals.putNull("clusters");
    }
    ArrayNode top = n.putArray("top_accounts");
    idx.rows().stream().sorted(Comparator.comparingDouble((AccountIndex.Row x) -> x.risk().score()).reversed())
        .limit(8).forEach(x -> top.add(row(x)));
    return n;
  }

  // ---- accounts ----

  private ObjectNode accounts(RoutingContext ctx) {
    var p = ctx.queryParams();
    String sort = p.get("sort") == null ? "score" : p.get("sort");
    if (!AccountIndex.SORTS.contains(sort)) {
      throw new BadRequest("sort", "'sort' must be one of " + String.join(", ", AccountIndex.SORTS));
    }
    String level = blankToNull(p.get("level"));
    if (level != null) {
      try {
        AccountIndex.levelOf(level);
      } catch (IllegalArgumentException e) {
        throw new BadRequest("level", e.getMessage());
      }
    }
    String status = blankToNull(p.get("status"));
    if (status != null) {
      try {
        AccountStatus.parse(status);
      } catch (IllegalArgumentException e) {
        throw new BadRequest("status", e.getMessage());
      }
    }
    int page = intParam(p.get("page"), 1, 1, 1_000_000, "page");
    int size = intParam(p.get("size"), 25, 1, 200, "size");
    String q = blankToNull(p.get("q"));
    if (q != null && q.length() > 200) {
      throw new BadRequest("q", "'q' is at most 200 characters");
    }
    AccountIndex.Page pg = index().page(new AccountIndex.Query(q, status, level, blankToNull(p.get("tier")),
        blankToNull(p.get("country")), blankToNull(p.get("cluster")), sort, !"asc".equals(p.get("dir")), page, size));
    ObjectNode n = JSON.createObjectNode();
    n.put("total", pg.total());
    n.put("page", page);
    n.put("size", size);
    n.put("pages", Math.max(1, (pg.total() + size - 1) / size));
    ArrayNode data = n.putArray("data");
    pg.rows().forEach(x -> data.add(row(x)));
    ObjectNode facets = n.putObject("facets");
    pg.tiers().forEach(facets.putArray("tiers")::add);
    pg.countries().forEach(facets.putArray("countries")::add);
    ArrayNode clusterIds = facets.putArray("clusters");
    if (gateway.linkage() != null) {
      gateway.linkage().clusters().stream().sorted(Comparator.comparingInt(ClusterView::size).reversed()).limit(50)
          .forEach(c -> clusterIds.add(c.id()));
    }
    return n;
  }

  private static ObjectNode row(AccountIndex.Row x) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", x.account().id());
    n.put("name", x.account().name());
    n.put("status", x.account().status().wireName());
    n.put("level", x.risk().level().wireName());
    n.put("score", round(x.risk().score()));
    n.put("tier", x.tier());
    n.put("country", x.country());
    n.put("cluster_id", x.clusterId());
    n.put("exchanges", x.exchanges());
    n.put("last_seen", x.lastSeen() == null ? null : x.lastSeen().toString());
    return n;
  }

  private AccountIndex index() {
    Instant now = Instant.now();
    AccountIndex i = index;
    if (i == null || Duration.between(indexAt, now).compareTo(INDEX_TTL) > 0) {
      Map<String, RiskHistory.Snapshot> stored = gateway.detection() == null ? store.risks().snapshots() : Map.of();
      i = new AccountIndex(store.accounts().all(), id -> risk(id, stored), this::clusterOf,
          store.analytics().activity());
      index = i;
      indexAt = now;
    }
    return i;
  }

  private RiskScore risk(String id, Map<String, RiskHistory.Snapshot> stored) {
    if (gateway.detection() != null) {
      return gateway.detection().risk(id);
    }
    RiskHistory.Snapshot s = stored.get(id);
    return s == null ? RiskScore.NONE : new RiskScore(s.score(), s.level(), s.evidence(), s.reasons());
  }

  private String clusterOf(String id) {
    return gateway.linkage() == null ? null : gateway.linkage().clusterOf(id);
  }

  private ObjectNode account(String id) {
    if (!ID.matcher(id).matches()) {
      throw new NotFoundException("no account " + shorten(id));
    }
    Account a = store.accounts().find(id).orElseThrow(() -> new NotFoundException("no account " + id));
    ObjectNode n = JSON.createObjectNode();
    ObjectNode acc = n.putObject("account");
    acc.put("id", a.id());
    acc.put("name", a.name());
    acc.put("status", a.status().wireName());
    acc.put("created_at", a.createdAt().toString());
    acc.put("tier", a.tier());
    ObjectNode attrs = acc.putObject("attributes");
    a.attributes().forEach(attrs::put);
    String cluster = clusterOf(id);
    acc.put("cluster_id", cluster);
    RiskScore risk = risk(id, store.risks().snapshot(id).map(s -> Map.of(id, s)).orElse(Map.of()));
    ObjectNode r = n.putObject("risk");
    r.put("score", round(risk.score()));
    r.put("level", risk.level().wireName());
    r.put("evidence", risk.evidence());
    r.put("source", gateway.detection() != null ? "live" : "stored");
    ArrayNode reasons = r.putArray("reasons");
    for (Reason x : risk.reasons()) {
      reasons.addObject().put("signal", x.signal()).put("value", round(x.value()))
          .put("contribution", round(x.contribution())).put("explanation", x.explanation());
    }
    var counts = store.exchanges().counts(id);
    n.putObject("counts").put("exchanges", counts.exchanges()).put("rejected", counts.rejected())
        .put("prompt_tokens", counts.promptTokens()).put("completion_tokens", counts.completionTokens())
        .put("first_seen", counts.first() == null ? null : counts.first().toString())
        .put("last_seen", counts.last() == null ? null : counts.last().toString());
    ArrayNode history = n.putArray("history");
    for (RiskHistory.Point p : store.risks().history(id, 500)) {
      history.addObject().put("t", p.at().toString()).put("score", round(p.score())).put("level", p.level()
          .wireName());
    }
    ObjectNode th = n.putObject("thresholds");
    try {
      DetectionModel m = DetectionFactory.model(config.detection);
      m.thresholds().forEach((lv, v) -> th.put(lv.wireName(), v));
    } catch (RuntimeException e) {
      // the thresholds only decorate the chart
    }
    List<Exchange> recent = store.exchanges().list(id, null, 500);
    ArrayNode templates = n.putArray("templates");
    for (TemplateShapes.Template t : TemplateShapes.top(recent, 10)) {
      templates.addObject().put("shape", t.shape()).put("count", t.count()).put("example", t.example());
    }
    n.put("templates_window", recent.size());
    ArrayNode samples = n.putArray("samples");
    for (Exchange e : recent.subList(0, Math.min(20, recent.size()))) {
      samples.addObject().put("id", e.id()).put("t", e.eventTime().toString()).put("endpoint", e.endpoint())
          .put("model", e.model()).put("status", e.status()).put("outcome", e.outcome().wireName())
          .put("client_ip", e.clientIp()).put("user_agent", e.userAgent())
          .put("prompt", clip(TemplateShapes.promptOf(e), 600)).put("response", clip(e.responseText(), 400));
    }
    ArrayNode timeline = n.putArray("timeline");
    List<ObjectNode> events = new ArrayList<>();
    for (AuditEntry e : store.audit().list("account:" + id, 200)) {
      ObjectNode t = JSON.createObjectNode().put("t", e.at().toString()).put("kind", "audit").put("actor", e.actor())
          .put("action", e.action()).put("seq", e.seq());
      ObjectNode d = t.putObject("details");
      e.details().forEach(d::put);
      events.add(t);
    }
    for (Alert al : store.alerts().list(new AlertLog.Query(id, null, null, null, null, 100))) {
      events.add(JSON.createObjectNode().put("t", al.at().toString()).put("kind", "alert").put("actor", "detector")
          .put("action", "escalated " + al.from().wireName() + " → " + al.to().wireName())
          .put("alert_id", al.id()).put("score", round(al.score())));
    }
    events.sort(Comparator.comparing((ObjectNode t) -> t.path("t").asText()).reversed());
    events.forEach(timeline::add);
    ObjectNode linked = n.putObject("linked");
    linked.put("cluster_id", cluster);
    ArrayNode members = linked.putArray("cluster_members");
    if (cluster != null && gateway.linkage() != null) {
      ClusterView v = gateway.linkage().snapshot(cluster);
      if (v != null) {
        linked.put("cluster_level", v.level().wireName());
        linked.put("cluster_size", v.size());
        v.members().stream().filter(m -> !m.equals(id)).limit(50).forEach(members::add);
      }
    }
    ArrayNode shared = linked.putArray("shared");
    List<Account> all = store.accounts().all();
    for (String attr : List.of("payment_fingerprint", "signup_ip")) {
      String v = a.attributes().get(attr);
      if (v == null || v.isBlank()) {
        continue;
      }
      List<String> holders = all.stream().filter(o -> !o.id().equals(id) && v.equals(o.attributes().get(attr)))
          .map(Account::id).limit(50).toList();
      if (!holders.isEmpty()) {
        ObjectNode s = shared.addObject().put("attribute", attr).put("value", v);
        holders.forEach(s.putArray("accounts")::add);
      }
    }
    n.set("probes", io.distillguard.ui.cases.ProbeResults.find(options.dataDir(), List.of(), java.util.Set.of(id),
        cluster));
    ArrayNode cases = n.putArray("cases");
    for (CaseFileLog.CaseFile c : store.cases().list("account:" + id, 20)) {
      cases.add(caseJson(c));
    }
    return n;
  }

  // ---- review queue ----

  private ObjectNode alerts(RoutingContext ctx) {
    var p = ctx.queryParams();
    String state = p.get("state") == null ? "open" : p.get("state");
    if (!state.equals("open") && !state.equals("all")) {
      throw new BadRequest("state", "'state' must be open or all");
    }
    int limit = intParam(p.get("limit"), 50, 1, 200, "limit");
    Long before = p.get("before") == null ? null : (long) intParam(p.get("before"), 0, 0, Integer.MAX_VALUE,
        "before");
    List<Alert> list = state.equals("open") ? store.reviews().openAlerts(before, limit)
        : store.alerts().list(new AlertLog.Query(null, null, before, null, null, limit));
    Map<Long, List<ReviewLog.Review>> reviews = store.reviews().forAlerts(list.stream().map(Alert::id).toList());
    ObjectNode n = JSON.createObjectNode();
    n.put("open_count", store.reviews().openCount());
    ArrayNode data = n.putArray("data");
    for (Alert a : list) {
      ObjectNode x = alertJson(a, reviews.getOrDefault(a.id(), List.of()));
      x.put("account_status", store.accounts().find(a.accountId()).map(acc -> acc.status().wireName())
          .orElse(null));
      data.add(x);
    }
    n.put("next_before", list.size() == limit ? list.get(list.size() - 1).id() : null);
    return n;
  }

  private static ObjectNode alertJson(Alert a, List<ReviewLog.Review> reviews) {
    ObjectNode x = JSON.createObjectNode();
    x.put("id", a.id());
    x.put("account_id", a.accountId());
    x.put("at", a.at().toString());
    x.put("from", a.from().wireName());
    x.put("to", a.to().wireName());
    x.put("score", round(a.score()));
    x.put("evidence", a.evidence());
    ArrayNode rs = x.putArray("reasons");
    for (Reason r : a.reasons()) {
      rs.addObject().put("signal", r.signal()).put("contribution", round(r.contribution()))
          .put("explanation", r.explanation());
    }
    ArrayNode rv = x.putArray("reviews");
    String state = "open";
    for (ReviewLog.Review r : reviews) {
      rv.addObject().put("decision", r.decision().wireName()).put("actor", r.actor()).put("at", r.at().toString())
          .put("note", r.note()).put("audit_seq", r.auditSeq());
      if (r.decision().decides()) {
        state = r.decision().wireName();
      }
    }
    x.put("state", state);
    return x;
  }

  /**
   * approve: the automatic action stands. revert: the account goes back to the status it had before this
   * escalation. escalate: one status further (an analyst's escalation is notified like detection's). annotate: a
   * note. Each is one audit entry and one review row; a status change is the admin API's own ({@link AccountRulings}:
   * store first, then caches, then detection is told so it does not undo the ruling), audited with source review.
   */
  private ObjectNode review(RoutingContext ctx) {
    long alertId;
    try {
      alertId = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new NotFoundException("no alert " + shorten(ctx.pathParam("id")));
    }
    JsonNode body = body(ctx);
    ReviewLog.Decision decision;
    try {
      decision = ReviewLog.Decision.parse(body.path("decision").asText(null));
    } catch (IllegalArgumentException e) {
      throw new BadRequest("decision", e.getMessage());
    }
    String note = body.path("note").isTextual() ? body.path("note").asText().strip() : "";
    if (note.length() > 2000) {
      throw new BadRequest("note", "'note' is at most 2000 characters");
    }
    if (decision == ReviewLog.Decision.ANNOTATE && note.isEmpty()) {
      throw new BadRequest("note", "an annotation needs a note");
    }
    Alert alert = store.alerts().list(new AlertLog.Query(null, null, alertId + 1, alertId - 1, null, 1)).stream()
        .findFirst().orElseThrow(() -> new NotFoundException("no alert " + alertId));
    String actor = ctx.get(ACTOR);
    Instant now = options.clock().instant();
    String accountId = alert.accountId();
    Account before = store.accounts().find(accountId).orElseThrow(() -> new NotFoundException("no account "
        + accountId));
    AccountStatus target = switch (decision) {
      case REVERT -> alert.from().status();
      case ESCALATE -> before.status() == AccountStatus.BLOCKED ? AccountStatus.BLOCKED
          : AccountStatus.values()[before.status().ordinal() + 1];
      default -> null;
    };
    Map<String, String> details = new LinkedHashMap<>();
    details.put("alert_id", Long.toString(alertId));
    details.put("decision", decision.wireName());
    if (!note.isEmpty()) {
      details.put("note", note);
    }
    if (target != null && target != before.status()) {
      rulings.change(accountId, target, actor, "review of alert " + alertId + " (" + decision.wireName() + ")"
          + (note.isEmpty() ? "" : ": " + note), "review");
      details.put("from", before.status().wireName());
      details.put("to", target.wireName());
    }
    AuditEntry audited = store.audit().append(now, actor, "alert." + decision.wireName(), "account:" + accountId,
        details);
    store.reviews().append(new ReviewLog.Review(0, alertId, accountId, decision, actor, now, note.isEmpty() ? null
        : note, audited.seq()));
    if (decision == ReviewLog.Decision.ESCALATE && target != before.status()) {
      WebhookNotifier hooks = gateway.alerts();
      if (hooks != null) {
        RiskScore risk = gateway.detection() == null ? RiskScore.NONE : gateway.detection().risk(accountId);
        hooks.notify(new WebhookNotifier.Event(accountId, levelOf(before.status()), levelOf(target), risk.score(),
            risk.reasons(), now, actor));
      }
    }
    index = null;
    return alertJson(alert, store.reviews().forAlerts(List.of(alertId)).getOrDefault(alertId, List.of()))
        .put("account_status", store.accounts().find(accountId).map(x -> x.status().wireName()).orElse(null));
  }

  private static RiskLevel levelOf(AccountStatus s) {
    for (RiskLevel l : RiskLevel.values()) {
      if (l.status() == s) {
        return l;
      }
    }
    return RiskLevel.NONE;
  }

  // ---- policy ----

  private ObjectNode policy() {
    ObjectNode n = JSON.createObjectNode();
    GatewayConfig.Detection d = config.detection;
    ObjectNode det = n.putObject("detection");
    det.put("enabled", d.enabled);
    det.put("model_file", d.model == null ? "bundled" : d.model);
    try {
      DetectionModel m = DetectionFactory.model(d);
      det.put("model", m.name());
      ObjectNode th = det.putObject("thresholds");
      m.thresholds().forEach((lv, v) -> th.put(lv.wireName(), v));
      ObjectNode w = det.putObject("weights");
      new TreeMap<>(m.weights()).forEach(w::put);
      det.put("bias", m.bias());
    } catch (RuntimeException e) {
      det.put("model_error", e.getMessage());
    }
    det.put("min_evidence_throttle", d.minEvidenceThrottle);
    det.put("min_evidence_block", d.minEvidenceBlock);
    d.allowlist.forEach(det.putArray("allowlist")::add);
    det.put("expensive_tier", d.expensive.enabled);
    det.put("expensive_min_level", d.expensive.minLevel);
    det.put("expensive_sample_rate", d.expensive.sampleRate);
    ObjectNode lim = n.putObject("limits");
    config.limits.tiers.forEach((name, t) -> lim.putObject(name)
        .put("account_requests_per_minute", t.account.requestsPerMinute)
        .put("account_tokens_per_minute", t.account.tokensPerMinute)
        .put("account_concurrent", t.account.concurrent)
        .put("key_requests_per_minute", t.key.requestsPerMinute)
        .put("key_tokens_per_minute", t.key.tokensPerMinute)
        .put("key_concurrent", t.key.concurrent));
    lim.putObject("throttled").put("requests_per_minute", config.limits.throttled.requestsPerMinute)
        .put("tokens_per_minute", config.limits.throttled.tokensPerMinute)
        .put("concurrent", config.limits.throttled.concurrent);
    n.putObject("linkage").put("enabled", config.linkage.enabled).put("interval", config.linkage.interval.toString());
    ArrayNode hooks = n.putObject("alerts").putArray("webhooks");
    for (GatewayConfig.Webhook w : config.alerts.webhooks) {
      String host;
      try {
        host = java.net.URI.create(w.url).getHost();
      } catch (RuntimeException e) {
        host = "?";
      }
      // The URL path of a chat webhook is its secret: show where it goes, not how to post to it.
      hooks.addObject().put("name", w.name).put("host", host).put("min_level", w.minLevel)
          .put("cooldown", w.cooldown.toString()).put("max_attempts", w.maxAttempts);
    }
    n.putObject("exchange_log").put("retention_days", config.exchangeLog.retentionDays)
        .put("redact_text", config.exchangeLog.redactText);
    n.put("replay", config.replay);
    return n;
  }

  // ---- case files ----

  private ObjectNode writeCase(RoutingContext ctx) {
    JsonNode body = body(ctx);
    CaseFiles.Subject subject;
    try {
      subject = body.hasNonNull("cluster") ? new CaseFiles.Subject("cluster", body.path("cluster").asText())
          : new CaseFiles.Subject("account", body.path("account").asText(null));
    } catch (IllegalArgumentException e) {
      throw new BadRequest(body.hasNonNull("cluster") ? "cluster" : "account", e.getMessage());
    }
    String host = "0.0.0.0".equals(config.admin.host) || "::".equals(config.admin.host) ? "127.0.0.1"
        : config.admin.host.contains(":") ? "[" + config.admin.host + "]" : config.admin.host;
    AdminSource admin = new AdminSource("http://" + host + ":" + gateway.adminPort(), gateway.adminToken());
    CaseFiles.Bundle b = new CaseFiles(store, admin, options.dataDir(), List.of(), options.clock())
        .write(subject, ctx.get(ACTOR));
    return store.cases().find(b.id()).map(DashboardApi::caseJson).orElseThrow();
  }

  private ObjectNode cases(RoutingContext ctx) {
    String subject = ctx.queryParams().get("subject");
    ObjectNode n = JSON.createObjectNode();
    ArrayNode data = n.putArray("data");
    for (CaseFileLog.CaseFile c : store.cases().list(subject, 100)) {
      data.add(caseJson(c));
    }
    return n;
  }

  private static ObjectNode caseJson(CaseFileLog.CaseFile c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", c.id());
    n.put("subject", c.subject());
    n.put("created_at", c.createdAt().toString());
    n.put("actor", c.actor());
    n.put("sha256", c.sha256());
    n.put("audit_seq", c.auditSeq());
    ObjectNode files = n.putObject("files");
    for (String f : List.of("bundle.zip", "case.pdf", "case.html", "case.json", "manifest.json")) {
      files.put(f, "/ui/api/cases/" + c.id() + "/" + f);
    }
    return n;
  }

  /** Downloads only: a case file is never rendered inside the dashboard's origin. */
  private void caseFile(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String file = ctx.pathParam("file");
    if (!ID.matcher(id).matches() || !CASE_FILE.matcher(file).matches()) {
      error(ctx, 404, "not_found", "no such case file");
      return;
    }
    ctx.vertx().<Object[]>executeBlocking(() -> {
      CaseFileLog.CaseFile c = store.cases().find(id).orElse(null);
      if (c == null) {
        return null;
      }
      Path dir = Path.of(c.path());
      Path p = file.equals("bundle.zip") ? dir.resolveSibling(c.id() + ".zip") : dir.resolve(file);
      if (!Files.isRegularFile(p)) {
        return null;
      }
      return new Object[] {Files.readAllBytes(p), p.getFileName().toString()};
    }, false).onComplete(ar -> {
      if (ar.failed() || ar.result() == null) {
        error(ctx, 404, "not_found", "no such case file");
        return;
      }
      String name = (String) ar.result()[1];
      String type = name.endsWith(".pdf") ? "application/pdf" : name.endsWith(".zip") ? "application/zip"
          : name.endsWith(".png") ? "image/png" : name.endsWith(".json") ? "application/json"
          : "application/octet-stream"; // HTML too: saved, never shown in this origin
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type)
          .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
          .putHeader("Content-Security-Policy", "default-src 'none'; sandbox")
          .end(io.vertx.core.buffer.Buffer.buffer((byte[]) ar.result()[0]));
    });
  }

  // ---- plumbing ----

  /** A malformed request parameter or body field; a 400 naming it. */
  static final class BadRequest extends RuntimeException {
    final String param;

    BadRequest(String param, String message) {
      super(message);
      this.param = param;
    }
  }

  private static JsonNode body(RoutingContext ctx) {
    try {
      JsonNode n = ctx.body() == null || ctx.body().buffer() == null ? null
          : JSON.readTree(ctx.body().buffer().getBytes());
      if (n != null && n.isObject()) {
        return n;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new BadRequest(null, "the request body must be a JSON object");
  }

  private void blocking(RoutingContext ctx, Callable<ObjectNode> work) {
    Future<ObjectNode> f = ctx.vertx().executeBlocking(work, false);
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        respond(ctx, ar.result());
      } else if (ar.cause() instanceof BadRequest b) {
        error(ctx, 400, "invalid_request", b.getMessage(), b.param);
      } else if (ar.cause() instanceof NotFoundException) {
        error(ctx, 404, "not_found", ar.cause().getMessage());
      } else if (ar.cause() instanceof IllegalStateException e) {
        error(ctx, 409, "unavailable", e.getMessage());
      } else {
        LOG.error("dashboard request {} {} failed", ctx.request().method(), shorten(ctx.request().path()),
            ar.cause());
        error(ctx, 500, "internal_error", "the request failed; see the gateway log");
      }
    });
  }

  private static void respond(RoutingContext ctx, ObjectNode body) {
    if (!ctx.response().ended()) {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toString());
    }
  }

  static void error(RoutingContext ctx, int status, String code, String message) {
    error(ctx, status, code, message, null);
  }

  /** The OpenAI error shape, as everywhere on the admin port. */
  static void error(RoutingContext ctx, int status, String code, String message, String param) {
    if (ctx.response().ended()) {
      return;
    }
    ObjectNode n = JSON.createObjectNode();
    ObjectNode e = n.putObject("error");
    e.put("message", message);
    e.put("type", status >= 500 ? "server_error" : "invalid_request_error");
    e.put("param", param);
    e.put("code", code);
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(n.toString());
  }

  private static int intParam(String v, int dflt, int min, int max, String name) {
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadRequest(name, "'" + name + "' must be a whole number from " + min + " to " + max);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static String shorten(String s) {
    if (s == null) {
      return "";
    }
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  private static String clip(String s, int max) {
    return s == null ? null : s.length() <= max ? s : s.substring(0, max) + "…";
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
