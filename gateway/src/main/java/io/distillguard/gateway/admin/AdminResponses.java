package io.distillguard.gateway.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/** How every admin handler answers: JSON bodies, errors in the documented shape, echoed input cut and defanged. */
final class AdminResponses {
  private AdminResponses() {}

  static void badRequest(RoutingContext ctx, String message, String param) {
    error(ctx, ApiError.badRequest("invalid_request", message, param));
  }

  static void error(RoutingContext ctx, ApiError e) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Json.errorBody(e));
  }

  static void respond(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Json.write(body));
  }

  /** The request body as a JSON object; otherwise a 400 has been sent and the result is null. */
  static ObjectNode jsonBody(RoutingContext ctx) {
    Buffer b = ctx.body() == null ? null : ctx.body().buffer();
    if (b != null && b.length() > 0) {
      try {
        if (Json.MAPPER.readTree(b.getBytes()) instanceof ObjectNode o) {
          return o;
        }
      } catch (IOException e) {
        // not JSON: the same answer as for any other body that is not an object
      }
    }
    badRequest(ctx, "the request body must be a JSON object", null);
    return null;
  }

  /**
   * Refuses a body with a field not in {@code allowed} (named in the 400, with the fields that are expected).
   *
   * @return true when every field is allowed; otherwise a 400 has been sent
   */
  static boolean onlyFields(RoutingContext ctx, ObjectNode body, List<String> allowed) {
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        badRequest(ctx, "unknown field '" + shorten(f) + "'; expected " + String.join(", ", allowed), f);
        return false;
      }
    }
    return true;
  }

  /** Client input quoted back in an error: at most 120 characters, control characters replaced. */
  static String shorten(String s) {
    if (s == null) {
      return "";
    }
    String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
