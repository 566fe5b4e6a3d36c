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
import io.distillguard.core.AccountStatus;
import io.distillguard.core.Outcome;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.linkage.LinkageService;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.linkage.ClusterFeatures;
import io.distillguard.linkage.ClusterView;
import io.distillguard.linkage.Edge;
import io.distillguard.linkage.Evidence;
import io.distillguard.linkage.Family;
import io.distillguard.linkage.IndicatorBundle;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster routes of the admin API: list and inspect clusters (members, evidence edges with reasons, aggregated
 * features), rule on a whole cluster, export a cluster's indicators and import another deployment's. Same
 * conventions as {@link AdminApi}: snake_case JSON, {@code data}/{@code next_after} lists, OpenAI-shaped errors.
 */
final class ClusterAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterAdmin.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
  private static final List<String> STATUS_FIELDS = List.of("status", "reason");
  private static final int MAX_LIMIT = 1000;

  private final LinkageService linkage;
  private final Function<RoutingContext, String> actor;

  ClusterAdmin(LinkageService linkage, Function<RoutingContext, String> actor) {
    this.linkage = linkage;
    this.actor = actor;
  }

  void register(Router r) {
    r.get("/admin/v1/clusters").handler(this::list);
    r.get("/admin/v1/clusters/:id").handler(this::get);
    r.post("/admin/v1/clusters/:id/status").handler(this::setStatus);
    r.get("/admin/v1/clusters/:id/indicators").handler(this::export);
    r.get("/admin/v1/indicators").handler(this::imported);
    r.post("/admin/v1/indicators").handler(this::importBundle);
  }

  private void list(RoutingContext ctx) {
    int limit;
    RiskLevel min;
    int minSize;
    try {
      limit = intParam(ctx, "limit", 100, 1, MAX_LIMIT);
      minSize = intParam(ctx, "min_size", 2, 2, Integer.MAX_VALUE);
      String l = ctx.queryParams().get("level");
      min = l == null ? RiskLevel.NONE : level(l);
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage(), null);
      return;
    }
    String after = ctx.queryParams().get("after");
    List<ClusterView> all = new ArrayList<>(linkage.clusters());
    all.sort(Comparator.comparing(ClusterView::id));
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode data = out.putArray("data");
    String last = null;
    for (ClusterView v : all) {
      if ((after != null && v.id().compareTo(after) <= 0) || v.level().compareTo(min) < 0 || v.size() < minSize) {
        continue;
      }
      if (data.size() == limit) {
        break;
      }
      data.add(summary(v));
      last = v.id();
    }
    out.put("next_after", data.size() == limit ? last : null);
    respond(ctx, 200, out);
  }

  private void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    int edges;
    try {
      edges = intParam(ctx, "edges", 50, 0, MAX_LIMIT);
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage(), "edges");
      return;
    }
    if (!ID.matcher(id).matches()) {
      notFound(ctx, id);
      return;
    }
    complete(ctx, linkage.detail(id, edges), d -> d == null ? null : detail(d));
  }

  private void setStatus(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    ObjectNode body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    if (!onlyFields(ctx, body, STATUS_FIELDS)) {
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
    JsonNode reason = body.get("reason");
    if (reason == null || !reason.isTextual() || reason.asText().isBlank() || reason.asText().length() > 2000) {
      badRequest(ctx, "'reason' is required: say why (at most 2000 characters); it goes into the audit log",
          "reason");
      return;
    }
    if (!ID.matcher(id).matches()) {
      notFound(ctx, id);
      return;
    }
    complete(ctx, linkage.rule(id, status, reason.asText(), actor.apply(ctx)), v -> v == null ? null : summary(v));
  }

  private void export(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      notFound(ctx, id);
      return;
    }
    complete(ctx, linkage.export(id), b -> b == null ? null : read(b.toJson()));
  }

  private void imported(RoutingContext ctx) {
    complete(ctx, linkage.imported(), list -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode data = out.putArray("data");
      for (IndicatorBundle b : list) {
        data.addObject().put("cluster_id", b.clusterId()).put("level", b.level()).put("members", b.members())
            .put("subnets", b.subnets().size()).put("templates", b.templates().size())
            .put("exported_at", b.exportedAt());
      }
      return out;
    });
  }

  private void importBundle(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0) {
      badRequest(ctx, "the request body must be an indicator bundle (JSON object)", null);
      return;
    }
    IndicatorBundle b;
    try {
      b = IndicatorBundle.parse(body.toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      int colon = m.indexOf(':');
      String field = colon > 0 && !m.startsWith("not an") && !m.startsWith("unknown") ? m.substring(0, colon) : null;
      badRequest(ctx, m, field);
      return;
    }
    IndicatorBundle bundle = b;
    linkage.importBundle(bundle, actor.apply(ctx)).whenComplete((v, e) -> ctx.vertx().runOnContext(x -> {
      if (e != null) {
        LOG.error("indicator import failed", e);
        error(ctx, ApiError.internal());
        return;
      }
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("cluster_id", bundle.clusterId()).put("level", bundle.level()).put("subnets", bundle.subnets().size())
          .put("client_fingerprints", bundle.clientFingerprints().size())
          .put("system_prompts", bundle.systemPrompts().size()).put("templates", bundle.templates().size())
          .put("payment_fingerprints", bundle.paymentFingerprints().size());
      respond(ctx, 201, out);
    }));
  }

  // ---- views ----

  static ObjectNode summary(ClusterView v) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", v.id());
    n.put("size", v.size());
    n.put("level", v.level().wireName());
    n.put("status", v.level().status().wireName());
    n.put("ruled", v.ruled());
    n.put("score", round(v.risk().score()));
    n.put("formed_at", v.formedAt().toString());
    ArrayNode reasons = n.putArray("top_reasons");
    for (Reason r : topReasons(v, 3)) {
      reasons.add(r.signal() + ": " + r.explanation());
    }
    return n;
  }

  private static ObjectNode detail(LinkageService.Detail d) {
    ClusterView v = d.cluster();
    ObjectNode n = summary(v);
    n.remove("top_reasons");
    ObjectNode risk = n.putObject("risk");
    risk.put("score", round(v.risk().score()));
    risk.put("level", v.level().wireName());
    ArrayNode reasons = risk.putArray("reasons");
    for (Reason r : topReasons(v, 16)) {
      reasons.addObject().put("signal", r.signal()).put("value", round(r.value()))
          .put("contribution", round(r.contribution())).put("explanation", r.explanation());
    }
    ArrayNode members = n.putArray("members");
    v.members().forEach(members::add);
    ClusterFeatures f = v.features();
    ObjectNode features = n.putObject("features");
    if (f != null) {
      features.put("members", f.members());
      features.put("exchanges", f.exchanges());
      features.put("creation_burst_share", round(f.burstShare()));
      features.put("template_share", round(f.templateShare()));
      features.put("shard_share", round(f.shardShare()));
      features.put("clock_share", round(f.latticeShare()));
      features.put("subnets", f.subnets());
    }
    ArrayNode edges = n.putArray("edges");
    for (Edge e : d.edges()) {
      ObjectNode en = edges.addObject();
      en.put("a", e.a()).put("b", e.b()).put("weight", round(e.weight())).put("confident", e.confident());
      ArrayNode fams = en.putArray("families");
      for (Family fam : Family.values()) {
        if (e.families().contains(fam)) {
          fams.add(fam.wireName());
        }
      }
      ArrayNode ev = en.putArray("evidence");
      for (Evidence x : e.evidence()) {
        ev.addObject().put("kind", x.kind().wireName()).put("family", x.kind().family().wireName())
            .put("similarity", round(x.similarity())).put("contribution", round(x.contribution()))
            .put("reason", x.detail());
      }
    }
    return n;
  }

  private static List<Reason> topReasons(ClusterView v, int n) {
    List<Reason> r = new ArrayList<>(v.risk().reasons());
    r.sort(Comparator.comparingDouble(Reason::contribution).reversed());
    return r.subList(0, Math.min(n, r.size()));
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  // ---- plumbing ----

  private <T> void complete(RoutingContext ctx, CompletableFuture<T> f, Function<T, ObjectNode> view) {
    f.whenComplete((value, e) -> ctx.vertx().runOnContext(x -> {
      if (e != null) {
        LOG.error("admin request {} {} failed", ctx.request().method(), shorten(ctx.request().path()), e);
        error(ctx, ApiError.internal());
        return;
      }
      ObjectNode out = view.apply(value);
      if (out == null) {
        notFound(ctx, ctx.pathParam("id"));
      } else {
        respond(ctx, 200, out);
      }
    }));
  }

  private static ObjectNode read(String json) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RiskLevel level(String s) {
    for (RiskLevel l : RiskLevel.values()) {
      if (l.wireName().equals(s)) {
        return l;
      }
    }
    throw new IllegalArgumentException("'level' must be one of none, watch, throttle, degrade, block");
  }

  private static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("'" + name + "' must be a number from " + min + " to "
        + (max == Integer.MAX_VALUE ? "any" : Integer.toString(max)));
  }

  private static void notFound(RoutingContext ctx, String id) {
    error(ctx, new ApiError(404, "invalid_request_error", "not_found", "no cluster " + shorten(id), null, 0,
        Outcome.REJECTED));
  }

}
