package io.distillguard.ui;

import io.distillguard.gateway.Gateway;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.store.Store;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The analyst dashboard on the admin server, under {@code /ui/}. A static single-page app (no inline script, no
 * eval, nothing from other origins) that reads JSON from {@code /ui/api/}; traffic text reaches the page only as
 * JSON and is put into the DOM as text.
 *
 * <p>Login is with the admin token (it authenticates) and an optional analyst name (it attributes: the audit log
 * names {@code analyst:NAME} for what that session does). The session lives in an {@code HttpOnly},
 * {@code SameSite=Strict} cookie ({@code Secure} when the request came over TLS or {@link Options#secureCookies});
 * every state-changing call must also carry the session's CSRF token in {@code X-CSRF-Token}, a JSON body, and an
 * {@code Origin} (when the browser sends one) naming this server.
 *
 * <p>{@code /ui/api/admin/v1/...} reaches the admin API itself with the session standing in for the token: reads
 * of every admin resource, and the two rulings (account and cluster status), so the dashboard and the API cannot
 * disagree about what a status change does.
 */
public final class Dashboard {
  static final String COOKIE = "dg_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
      + "object-src 'none'";
  private static final Pattern ANALYST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");
  private static final List<Pattern> ADMIN_WRITES = List.of(
      Pattern.compile("/admin/v1/accounts/[^/]+/status"), Pattern.compile("/admin/v1/clusters/[^/]+/status"));

  /**
   * @param dataDir       where case files are written ({@code cases/}) and probe results are looked for
   *                      ({@code probes/})
   * @param secureCookies mark the cookie {@code Secure} even on plain HTTP (TLS ended by a proxy in front)
   */
  public record Options(Path dataDir, boolean secureCookies, Clock clock) {
    public static Options defaults(Path dataDir) {
      return new Options(dataDir, false, Clock.systemUTC());
    }
  }

  private final Gateway gateway;
  private final Sessions sessions;
  private final Assets assets = new Assets();
  private final Options options;
  private final DashboardApi api;

  private Dashboard(Gateway gateway, Store store, GatewayConfig config, Options options) {
    this.gateway = gateway;
    this.options = options;
    this.sessions = new Sessions(options.clock());
    this.api = new DashboardApi(gateway, store, config, options);
  }

  /** Adds the dashboard's routes to the admin router; for {@link Gateway.Builder#adminExtension}. */
  public static void mount(Router r, Gateway gateway, Store store, GatewayConfig config, Options options) {
    new Dashboard(gateway, store, config, options).register(r);
  }

  private void register(Router r) {
    r.route("/ui*").order(-1).handler(this::headers);
    r.getWithRegex("/ui").handler(ctx -> redirect(ctx, "/ui/"));
    // A regex: a plain "/ui/" route would also take every path below it.
    r.getWithRegex("/ui/").handler(ctx -> {
      if (session(ctx).isPresent()) {
        asset(ctx, "/ui/static/index.html");
      } else {
        redirect(ctx, "/ui/login");
      }
    });
    r.get("/ui/login").handler(ctx -> asset(ctx, "/ui/static/login.html"));
    r.post("/ui/login").handler(this::login);
    r.post("/ui/logout").handler(this::logout);
    r.get("/ui/static/:file").handler(ctx -> asset(ctx, ctx.normalizedPath()));
    r.get("/ui/vendor/:file").handler(ctx -> asset(ctx, ctx.normalizedPath()));
    r.route("/ui/api/*").handler(this::guard);
    r.route("/ui/api/admin/*").handler(this::toAdmin);
    api.register(r);
    r.route("/ui/*").last().handler(ctx -> {
      if (ctx.normalizedPath().startsWith("/ui/api/")) {
        DashboardApi.error(ctx, 404, "not_found", "no dashboard API at " + DashboardApi.shorten(ctx.request().path()));
      } else {
        ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
            .end("Not found");
      }
    });
  }

  private void headers(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    r.putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        // same-origin, not no-referrer: under no-referrer a form POST carries "Origin: null" and fails the check
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cross-Origin-Resource-Policy", "same-origin")
        .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        .putHeader("Cache-Control", "no-store");
    ctx.next();
  }

  private void asset(RoutingContext ctx, String path) {
    Assets.Asset a = assets.get(path);
    if (a == null) {
      ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("Not found");
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, a.type()).end(a.body());
  }

  // ---- sessions ----

  private void login(RoutingContext ctx) {
    String client = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
    if (!sameOrigin(ctx)) {
      ctx.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("Cross-origin login refused");
      return;
    }
    if (!sessions.mayTry(client)) {
      redirect(ctx, "/ui/login?error=locked");
      return;
    }
    Map<String, List<String>> form = form(ctx);
    String token = first(form, "token");
    String analyst = first(form, "analyst");
    if (!Sessions.sameSecret(gateway.adminToken(), token == null ? null : token.trim())) {
      sessions.failed(client);
      redirect(ctx, "/ui/login?error=invalid");
      return;
    }
    String actor = "admin";
    if (analyst != null && !analyst.isBlank()) {
      if (!ANALYST.matcher(analyst.trim()).matches()) {
        redirect(ctx, "/ui/login?error=name");
        return;
      }
      actor = "analyst:" + analyst.trim();
    }
    sessions.succeeded(client);
    Map.Entry<String, Sessions.Session> s = sessions.create(actor);
    ctx.response().addCookie(cookie(ctx, s.getKey(), Sessions.ABSOLUTE.toSeconds()));
    redirect(ctx, "/ui/");
  }

  private void logout(RoutingContext ctx) {
    Optional<Sessions.Session> s = session(ctx);
    String csrf = first(form(ctx), "csrf");
    if (s.isPresent() && sameOrigin(ctx) && Sessions.sameSecret(s.get().csrf(), csrf)) {
      sessions.end(s.get());
    }
    ctx.response().addCookie(cookie(ctx, "", 0));
    redirect(ctx, "/ui/login");
  }

  private Cookie cookie(RoutingContext ctx, String value, long maxAge) {
    return Cookie.cookie(COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(options.secureCookies() || ctx.request().isSSL()).setMaxAge(maxAge);
  }

  Optional<Sessions.Session> session(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(COOKIE);
    return c == null ? Optional.empty() : sessions.find(c.getValue());
  }

  /** Every API call needs a session; state-changing ones also the CSRF token, a JSON body and our own origin. */
  private void guard(RoutingContext ctx) {
    Optional<Sessions.Session> s = session(ctx);
    if (s.isEmpty()) {
      DashboardApi.error(ctx, 401, "no_session", "log in at /ui/login");
      return;
    }
    HttpMethod m = ctx.request().method();
    if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
      String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (!Sessions.sameSecret(s.get().csrf(), ctx.request().getHeader(CSRF_HEADER)) || !sameOrigin(ctx)
          || type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        DashboardApi.error(ctx, 403, "csrf", "state-changing calls need the session's CSRF token, a JSON body and "
            + "this server's origin");
        return;
      }
    }
    ctx.put(DashboardApi.ACTOR, s.get().actor());
    ctx.put(DashboardApi.CSRF, s.get().csrf());
    ctx.next();
  }

  /** The admin API with the session standing in for the admin token. */
  private void toAdmin(RoutingContext ctx) {
    String path = ctx.normalizedPath().substring("/ui/api".length());
    HttpMethod m = ctx.request().method();
    boolean allowed = m == HttpMethod.GET
        || m == HttpMethod.POST && ADMIN_WRITES.stream().anyMatch(p -> p.matcher(path).matches());
    if (!allowed || !path.startsWith("/admin/v1/")) {
      DashboardApi.error(ctx, 403, "not_allowed", "the dashboard reads the admin API and rules on statuses only");
      return;
    }
    HttpServerRequest req = ctx.request();
    req.headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + gateway.adminToken());
    String actor = ctx.get(DashboardApi.ACTOR);
    req.headers().remove("X-DistillGuard-Actor");
    if (actor.startsWith("analyst:")) {
      req.headers().set("X-DistillGuard-Actor", actor.substring("analyst:".length()));
    }
    String query = req.query();
    ctx.reroute(m, path + (query == null || query.isEmpty() ? "" : "?" + query));
  }

  private static boolean sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null) {
      return true; // not sent by every browser on same-origin requests; SameSite=Strict covers those
    }
    String host = ctx.request().getHeader(HttpHeaders.HOST);
    return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
  }

  private static Map<String, List<String>> form(RoutingContext ctx) {
    String body = ctx.body() == null || ctx.body().buffer() == null ? ""
        : ctx.body().buffer().toString(StandardCharsets.UTF_8);
    if (body.length() > 8192) {
      return Map.of();
    }
    return new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters();
  }

  private static String first(Map<String, List<String>> form, String name) {
    List<String> v = form.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static void redirect(RoutingContext ctx, String to) {
    ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, to).end();
  }
}
