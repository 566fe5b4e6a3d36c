package io.distillguard.gateway.admin;

import static io.distillguard.gateway.admin.AdminResponses.badRequest;
import static io.distillguard.gateway.admin.AdminResponses.error;
import static io.distillguard.gateway.admin.AdminResponses.jsonBody;
import static io.distillguard.gateway.admin.AdminResponses.onlyFields;
import static io.distillguard.gateway.admin.AdminResponses.respond;
import static io.distillguard.gateway.admin.AdminResponses.shorten;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Account;
import io.distillguard.core.Alert;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.detection.DetectionService;
import io.distillguard.gateway.auth.ApiKeys;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.gateway.kafka.KafkaNode;
import io.distillguard.gateway.linkage.LinkageService;
import io.distillguard.gateway.metrics.GatewayMetrics;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.store.AlertLog;
import io.distillguard.store.DuplicateException;
import io.distillguard.store.NotFoundException;
import io.distillguard.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on its own port: accounts, keys, status overrides, the exchange log, the audit log, the alerts feed
 * and Prometheus metrics. Every route but {@code /metrics} needs {@code Authorization: Bearer <admin token>}. Store calls run on
 * worker threads; the store is changed first and the gateway's caches after, so a failure never leaves a cache
 * ahead of the store.
 */
public final class AdminApi {
  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
  private static final List<String> ACCOUNT_FIELDS = List.of("id", "name", "attributes");
  private static final int MAX_ATTRIBUTES = 64;
  private static final int MAX_LIMIT = 1000;

  private final Vertx vertx;
  private final Store store;
  private final AccountDirectory directory;
  private final EnforcementCache enforcement;
  private final GatewayMetrics metrics;
  private final Set<String> tiers;
  private final byte[] token;
  private final boolean metricsRequireToken;
  private final Clock clock;
  private final DetectionService detection;
  private final AccountRulings rulings;
  private LinkageService linkage;
  private KafkaNode kafka;

  /** @param detection the detection service, or null when detection is off */
  public AdminApi(Vertx vertx, Store store, AccountDirectory directory, EnforcementCache enforcement,
      GatewayMetrics metrics, Set<String> tiers, String token, boolean metricsRequireToken, Clock clock,
      DetectionService detection) {
    this.detection = detection;
    this.vertx = vertx;
    this.store = store;
    this.directory = directory;
    this.enforcement = enforcement;
    this.metrics = metrics;
    this.tiers = tiers;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.metricsRequireToken = metricsRequireToken;
    this.clock = clock;
    this.rulings = new AccountRulings(store, directory, enforcement, detection, clock);
  }

  /** Adds the cluster and indicator routes and cluster ids on account views; call before {@link #router()}. */
  public AdminApi linkage(LinkageService l) {
    this.linkage = l;
    return this;
  }

  /** Shows the Kafka sink's and verdict feed's state in {@code GET /admin/v1/health}; call before {@link #router()}. */
  public AdminApi kafka(KafkaNode k) {
    this.kafka = k;
    return this;
  }

  /**
   * {@code GET /admin/v1/health}: {@code status} is {@code ok}, or {@code degraded} while exchanges are only
   * spilled or the verdict topic is not being read; {@code kafka} shows the sink's and the feed's state when this
   * node uses Kafka. Always 200: the node serves either way.
   */
  private void health(RoutingContext ctx) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("status", kafka == null || kafka.healthy() ? "ok" : "degraded");
    if (kafka != null) {
      n.set("kafka", kafka.health());
    }
    respond(ctx, 200, n);
  }

  private String clusterOf(String accountId) {
    return linkage == null ? null : linkage.clusterOf(accountId);
  }

  public Router router() {
    Router r = Router.router(vertx);
    r.route().handler(ctx -> {
      // Admin answers echo attacker-controlled text; never let a browser sniff them into HTML.
      ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Cache-Control", "no-store");
      ctx.next();
    });
    r.route().handler(BodyHandler.create(false).setBodyLimit(1 << 20));
    r.get("/metrics").handler(ctx -> {
      if (metricsRequireToken && !authorized(ctx)) {
        return;
      }
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
          .end(metrics.scrape());
    });
    r.route("/admin/*").handler(ctx -> {
      if (authorized(ctx)) {
        ctx.next();
      }
    });
    r.post("/admin/v1/accounts").handler(this::createAccount);
    r.get("/admin/v1/accounts").handler(this::listAccounts);
    r.get("/admin/v1/accounts/:id").handler(this::getAccount);
    r.post("/admin/v1/accounts/:id/keys").handler(this::createKey);
    r.get("/admin/v1/accounts/:id/keys").handler(this::listKeys);
    r.delete("/admin/v1/accounts/:id/keys/:keyId").handler(this::revokeKey);
    r.post("/admin/v1/accounts/:id/status").handler(this::setStatus);
    r.get("/admin/v1/exchanges").handler(this::listExchanges);
    r.get("/admin/v1/audit").handler(this::listAudit);
    r.get("/admin/v1/health").handler(this::health);
    if (linkage != null) {
      new ClusterAdmin(linkage, AdminApi::actor).register(r);
    }
    r.get("/admin/v1/alerts").handler(this::listAlerts);
    r.errorHandler(404, ctx -> error(ctx, ApiError.notFound(shorten(ctx.request().path()))));
    r.errorHandler(405, ctx -> error(ctx,
        ApiError.methodNotAllowed(ctx.request().method().name(), shorten(ctx.request().path()))));
    r.errorHandler(413, ctx -> error(ctx, ApiError.tooLarge(1 << 20)));
    r.errorHandler(500, ctx -> {
      LOG.error("admin request {} {} failed", ctx.request().method(), shorten(ctx.request().path()),
          ctx.failure());
      error(ctx, ApiError.internal());
    });
    return r;
  }

  // ---- accounts ----

  private void createAccount(RoutingContext ctx) {
    ObjectNode body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    if (!onlyFields(ctx, body, ACCOUNT_FIELDS)) {
      return;
    }
    String id;
    JsonNode idNode = body.get("id");
    if (idNode == null || idNode.isNull()) {
      id = String.format("acct_%016x", ThreadLocalRandom.current().nextLong());
    } else if (!idNode.isTextual() || !ID.matcher(idNode.asText()).matches()) {
      badRequest(ctx, "'id' must be 1-128 characters of letters, digits and . _ : @ - (starting with a letter or "
          + "digit)", "id");
      return;
    } else {
      id = idNode.asText();
    }
    JsonNode nameNode = body.get("name");
    String name = null;
    if (nameNode != null && !nameNode.isNull()) {
      if (!nameNode.isTextual() || nameNode.asText().length() > 200) {
        badRequest(ctx, "'name' must be a string of at most 200 characters", "name");
        return;
      }
      name = nameNode.asText();
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonNode attrs = body.get("attributes");
    if (attrs != null && !attrs.isNull()) {
      if (!attrs.isObject()) {
        badRequest(ctx, "'attributes' must be an object of strings", "attributes");
        return;
      }
      if (attrs.size() > MAX_ATTRIBUTES) {
        badRequest(ctx, "at most " + MAX_ATTRIBUTES + " attributes are allowed", "attributes");
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (e.getKey().isEmpty() || e.getKey().length() > 64 || !v.isValueNode() || v.isNull()
            || v.asText().length() > 1024) {
          badRequest(ctx, "attribute '" + shorten(e.getKey()) + "' must have a name of 1-64 characters and a "
              + "string, number or boolean value of at most 1024 characters", "attributes." + shorten(e.getKey()));
          return;
        }
        attributes.put(e.getKey(), v.asText());
      }
    }
    String tier = attributes.get(Account.TIER);
    if (tier != null && !tiers.contains(tier)) {
      badRequest(ctx, "unknown tier '" + shorten(tier) + "'; configured tiers: " + String.join(", ", tiers),
          "attributes.tier");
      return;
    }
    Account account = new Account(id, name, attributes, AccountStatus.ACTIVE, clock.instant());
    blocking(ctx, () -> {
      Account created = store.accounts().create(account);
      store.audit().append(clock.instant(), actor(ctx), "account.create", "account:" + id,
          Map.of("tier", created.tier()));
      return created;
    }).onSuccess(created -> {
      directory.put(created);
      if (linkage != null) {
        linkage.account(created);
      }
      respond(ctx, 201, AdminViews.account(created, null));
    });
  }

  private void listAccounts(RoutingContext ctx) {
    AccountStatus status;
    int limit;
    try {
      String s = ctx.queryParams().get("status");
      status = s == null ? null : AccountStatus.parse(s);
      limit = limit(ctx, 100);
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage(), null);
      return;
    }
    String after = ctx.queryParams().get("after");
    blocking(ctx, () -> store.accounts().list(status, after, limit)).onSuccess(list -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode data = out.putArray("data");
      for (Account a : list) {
        data.add(AdminViews.account(a, clusterOf(a.id())));
      }
      if (list.size() == limit) {
        out.put("next_after", list.get(list.size() - 1).id());
      } else {
        out.putNull("next_after");
      }
      respond(ctx, 200, out);
    });
  }

  private void getAccount(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    blocking(ctx, () -> {
      Account a = store.accounts().find(id).orElseThrow(() -> new NotFoundException("no account " + id));
      RiskScore risk = detection == null ? RiskScore.NONE : detection.risk(id);
      ObjectNode view = AdminViews.accountDetail(a, store.exchanges().counts(id), store.keys().forAccount(id), risk,
          clusterOf(id));
      // What this node enforces; it differs from the stored status only while a verdict is on its way here.
      view.put("enforced", enforcement.statusOf(id).wireName());
      return view;
    }).onSuccess(view -> respond(ctx, 200, view));
  }

  private void setStatus(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    ObjectNode body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    AccountStatus status;
    try {
      JsonNode s = body.get("status");
      status = AccountStatus.parse(s == null || !s.isTextual() ? null : s.asText());
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage(), "status");
      return;
    }
    JsonNode reasonNode = body.get("reason");
    String reason = reasonNode == null || !reasonNode.isTextual() ? null : reasonNode.asText();
    String problem = AccountRulings.reasonProblem(reason);
    if (problem != null) {
      badRequest(ctx, problem, "reason");
      return;
    }
    blocking(ctx, () -> rulings.record(id, status, actor(ctx), reason, "manual")).onSuccess(change -> {
      rulings.apply(change);
      respond(ctx, 200, AdminViews.account(change.after(), clusterOf(id)));
    });
  }

  // ---- keys ----

  private void createKey(RoutingContext ctx) {
    String accountId = ctx.pathParam("id");
    ApiKeys.Generated g = ApiKeys.generate();
    ApiKey key = new ApiKey(g.keyId(), accountId, g.secretHash(), clock.instant(), null);
    blocking(ctx, () -> {
      store.keys().create(key);
      store.audit().append(clock.instant(), actor(ctx), "key.create", "account:" + accountId,
          Map.of("key_id", g.keyId()));
      return store.keys().find(g.keyId()).orElse(key);
    }).onSuccess(stored -> {
      directory.put(stored);
      ObjectNode out = AdminViews.key(stored);
      out.put("key", g.key());
      respond(ctx, 201, out);
    });
  }

  private void listKeys(RoutingContext ctx) {
    String accountId = ctx.pathParam("id");
    blocking(ctx, () -> {
      store.accounts().find(accountId).orElseThrow(() -> new NotFoundException("no account " + accountId));
      return store.keys().forAccount(accountId);
    }).onSuccess(keys -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode data = out.putArray("data");
      keys.forEach(k -> data.add(AdminViews.key(k)));
      respond(ctx, 200, out);
    });
  }

  private void revokeKey(RoutingContext ctx) {
    String accountId = ctx.pathParam("id");
    String keyId = ctx.pathParam("keyId");
    blocking(ctx, () -> {
      ApiKey k = store.keys().find(keyId).filter(x -> x.accountId().equals(accountId))
          .orElseThrow(() -> new NotFoundException("no key " + keyId + " on account " + accountId));
      ApiKey revoked = store.keys().revoke(k.keyId(), clock.instant()).orElseThrow();
      store.audit().append(clock.instant(), actor(ctx), "key.revoke", "account:" + accountId,
          Map.of("key_id", keyId));
      return revoked;
    }).onSuccess(revoked -> {
      directory.put(revoked);
      respond(ctx, 200, AdminViews.key(revoked));
    });
  }

  // ---- logs ----

  private void listExchanges(RoutingContext ctx) {
    int limit;
    Instant before;
    try {
      limit = limit(ctx, 100);
      String b = ctx.queryParams().get("before");
      before = b == null ? null : Instant.parse(b);
    } catch (IllegalArgumentException | DateTimeException e) {
      badRequest(ctx, "'limit' must be 1-" + MAX_LIMIT + " and 'before' an ISO-8601 instant", null);
      return;
    }
    String account = ctx.queryParams().get("account");
    blocking(ctx, () -> store.exchanges().list(account, before, limit)).onSuccess(list -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode data = out.putArray("data");
      for (Exchange e : list) {
        data.add(AdminViews.exchange(e));
      }
      respond(ctx, 200, out);
    });
  }

  private void listAudit(RoutingContext ctx) {
    int limit;
    try {
      limit = limit(ctx, 100);
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage(), "limit");
      return;
    }
    String subject = ctx.queryParams().get("subject");
    blocking(ctx, () -> store.audit().list(subject, limit)).onSuccess(list -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode data = out.putArray("data");
      for (AuditEntry a : list) {
        data.add(AdminViews.audit(a));
      }
      respond(ctx, 200, out);
    });
  }

  /**
   * The alerts feed, newest first: {@code account}, {@code level} (comma-separated, repeatable), {@code after} (the
   * {@code next_after} of the previous page: older alerts), {@code since_id} (newer alerts, for polling),
   * {@code since} (ISO-8601: escalations at or after), {@code limit} (1 to 1000, default 100). Anything else, or a
   * malformed value, is a 400 naming the parameter: a typo must not silently widen the answer.
   */
  private void listAlerts(RoutingContext ctx) {
    AlertLog.Query q;
    try {
      q = AlertQueries.parse(ctx.queryParams(), MAX_LIMIT);
    } catch (AlertQueries.BadParameter e) {
      badRequest(ctx, e.getMessage(), e.param());
      return;
    }
    blocking(ctx, () -> store.alerts().list(q)).onSuccess(list -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode data = out.putArray("data");
      for (Alert a : list) {
        data.add(AdminViews.alert(a));
      }
      if (list.size() == q.limit()) {
        out.put("next_after", list.get(list.size() - 1).id());
      } else {
        out.putNull("next_after");
      }
      respond(ctx, 200, out);
    });
  }

  // ---- plumbing ----

  private boolean authorized(RoutingContext ctx) {
    String h = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] presented = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)
        ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(token, presented)) {
      error(ctx, new ApiError(401, "invalid_request_error", "invalid_admin_token",
          "Admin API requests need 'Authorization: Bearer <admin token>'.", null, 0, Outcome.REJECTED));
      return false;
    }
    return true;
  }

  /** Who to name in the audit log: the analyst named by the caller, or "admin". */
  private static String actor(RoutingContext ctx) {
    String who = ctx.request().getHeader("X-DistillGuard-Actor");
    if (who == null || who.isBlank() || !ID.matcher(who).matches()) {
      return "admin";
    }
    return "analyst:" + who;
  }

  private static int limit(RoutingContext ctx, int dflt) {
    String l = ctx.queryParams().get("limit");
    if (l == null) {
      return dflt;
    }
    int n;
    try {
      n = Integer.parseInt(l);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'limit' must be a number from 1 to " + MAX_LIMIT);
    }
    if (n < 1 || n > MAX_LIMIT) {
      throw new IllegalArgumentException("'limit' must be a number from 1 to " + MAX_LIMIT);
    }
    return n;
  }

  private <T> Future<T> blocking(RoutingContext ctx, Callable<T> work) {
    return vertx.<T>executeBlocking(work, false).onFailure(e -> {
      if (e instanceof NotFoundException) {
        error(ctx, new ApiError(404, "invalid_request_error", "not_found", e.getMessage(), null, 0,
            Outcome.REJECTED));
      } else if (e instanceof DuplicateException) {
        error(ctx, new ApiError(409, "invalid_request_error", "already_exists", e.getMessage(), null, 0,
            Outcome.REJECTED));
      } else {
        LOG.error("admin request {} {} failed", ctx.request().method(), shorten(ctx.request().path()), e);
        error(ctx, ApiError.internal());
      }
    });
  }

}
