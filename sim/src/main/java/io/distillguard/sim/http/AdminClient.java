package io.distillguard.sim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.sim.SimAccount;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A client of the gateway's admin API ({@code /admin/v1}, {@code Authorization: Bearer <admin token>}): accounts,
 * keys, status overrides and the exchange log. Failures are {@link AdminException}s with a message that says what to
 * check. Thread-safe.
 */
public final class AdminClient {
  private final HttpClient http;
  private final String base;
  private final String token;
  private final Duration timeout;

  /**
   * @param adminUrl e.g. {@code http://127.0.0.1:8081} (a trailing {@code /admin/v1} is accepted)
   * @throws IllegalArgumentException when the URL is not an http(s) URL
   */
  public AdminClient(HttpClient http, String adminUrl, String token) {
    this(http, adminUrl, token, Duration.ofSeconds(30));
  }

  public AdminClient(HttpClient http, String adminUrl, String token, Duration timeout) {
    String u = OpenAiWire.checkedUrl(adminUrl, "--admin");
    if (u.endsWith("/admin/v1")) {
      u = u.substring(0, u.length() - "/admin/v1".length());
    }
    this.base = u;
    this.http = http;
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("an admin token is required (--admin-token or DISTILLGUARD_ADMIN_TOKEN)");
    }
    this.token = token.trim();
    this.timeout = timeout;
  }

  /** The admin API's base URL (without {@code /admin/v1}). */
  public String baseUrl() {
    return base;
  }

  /**
   * Checks that the admin API answers and accepts the token.
   *
   * @throws AdminException saying whether the API is unreachable, not an admin API, or rejects the token
   */
  public void check() {
    JsonNode n = get("/admin/v1/accounts?limit=1");
    if (n == null || !n.has("data")) {
      throw new AdminException(base + " answered, but not like a DistillGuard admin API (no 'data' in the "
          + "account list); check --admin", 0);
    }
  }

  /**
   * Creates an account with the simulated account's id, name and attributes (never its label).
   *
   * @return completes with true when created, false when an account with that id already exists (409)
   */
  public CompletableFuture<Boolean> createAccountAsync(SimAccount a) {
    ObjectNode body = OpenAiWire.JSON.createObjectNode();
    body.put("id", a.id());
    if (a.name() != null) {
      body.put("name", a.name().length() > 200 ? a.name().substring(0, 200) : a.name());
    }
    ObjectNode attrs = body.putObject("attributes");
    for (Map.Entry<String, String> e : a.attributes().entrySet()) {
      if (e.getValue() != null) {
        attrs.put(e.getKey(), e.getValue());
      }
    }
    return sendAsync("POST", "/admin/v1/accounts", body.toString(), true).thenApply(n -> n != null);
  }

  /** Issues a key for an account; completes with the secret (shown once by the gateway). */
  public CompletableFuture<String> createKeyAsync(String accountId) {
    return sendAsync("POST", "/admin/v1/accounts/" + enc(accountId) + "/keys", "", false).thenApply(n -> {
      String key = n == null ? null : n.path("key").asText(null);
      if (key == null || key.isEmpty()) {
        throw new AdminException("the admin API issued a key for " + accountId + " without a secret", 0);
      }
      return key;
    });
  }

  /** {@code GET /admin/v1/accounts/{id}}. */
  public JsonNode account(String id) {
    return join(accountAsync(id));
  }

  /** {@code GET /admin/v1/accounts/{id}}, asynchronously. */
  public CompletableFuture<JsonNode> accountAsync(String id) {
    return sendAsync("GET", "/admin/v1/accounts/" + enc(id), null, false);
  }

  /** {@code POST /admin/v1/accounts/{id}/status}: a manual override with a reason (audited). */
  public JsonNode setStatus(String id, String status, String reason) {
    ObjectNode body = OpenAiWire.JSON.createObjectNode().put("status", status).put("reason", reason);
    return join(sendAsync("POST", "/admin/v1/accounts/" + enc(id) + "/status", body.toString(), false));
  }

  /** {@code GET /admin/v1/exchanges?account=...&limit=...}: the {@code data} array, newest first. */
  public JsonNode exchanges(String account, int limit) {
    String q = "/admin/v1/exchanges?limit=" + limit + (account == null ? "" : "&account=" + enc(account));
    return get(q).path("data");
  }

  /** A GET under the admin base. */
  public JsonNode get(String pathAndQuery) {
    return join(sendAsync("GET", pathAndQuery, null, false));
  }

  private CompletableFuture<JsonNode> sendAsync(String method, String path, String body, boolean conflictOk) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
        .header("Authorization", "Bearer " + token).header("Accept", "application/json");
    if (body == null) {
      b.GET();
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    String what = method + " " + cut(path);
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .handle((r, ex) -> {
          if (ex != null) {
            throw new CompletionException(transportError(what, ex));
          }
          int s = r.statusCode();
          if (s >= 200 && s < 300) {
            return OpenAiWire.tree(r.body());
          }
          if (s == 409 && conflictOk) {
            return null;
          }
          throw new CompletionException(refused(what, s, r.body()));
        });
  }

  private AdminException transportError(String what, Throwable ex) {
    Throwable c = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
    if (c instanceof ConnectException) {
      return new AdminException("cannot reach the admin API at " + base + " (connection refused); is the gateway "
          + "running, and is --admin its admin address?", c);
    }
    if (c instanceof HttpTimeoutException) {
      return new AdminException("the admin API at " + base + " did not answer " + what + " within "
          + timeout.toSeconds() + " s", c);
    }
    return new AdminException("cannot use the admin API at " + base + " (" + what + "): " + describe(c), c);
  }

  private AdminException refused(String what, int status, String body) {
    JsonNode err = OpenAiWire.tree(body);
    String code = err == null ? null : err.path("error").path("code").asText(null);
    String msg = err == null ? null : err.path("error").path("message").asText(null);
    if (status == 401) {
      return new AdminException("the admin API at " + base + " rejected the admin token (401"
          + (code == null ? "" : " " + code) + "); check --admin-token", status);
    }
    if (status == 404 && code == null) {
      return new AdminException(base + " has no " + what + " (404): is --admin the gateway's admin address?",
          status);
    }
    return new AdminException("admin call " + what + " failed: " + status + (code == null ? "" : " " + code)
        + (msg == null ? "" : ": " + OpenAiWire.printable(msg)), status);
  }

  /** Waits for an async admin call, rethrowing its {@link AdminException}. */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminException("interrupted while waiting for the admin API", e);
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  static RuntimeException unwrap(Throwable e) {
    Throwable c = e;
    while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c instanceof RuntimeException re ? re : new AdminException(describe(c), c);
  }

  static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private static String cut(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Whether an exception (possibly wrapped) is an I/O failure rather than a refusal. */
  static boolean isIo(Throwable t) {
    Throwable c = t;
    while (c != null) {
      if (c instanceof IOException) {
        return true;
      }
      c = c.getCause();
    }
    return false;
  }
}
