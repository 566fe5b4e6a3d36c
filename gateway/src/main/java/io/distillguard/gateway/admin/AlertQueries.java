package io.distillguard.gateway.admin;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.AlertLog;
import io.vertx.core.MultiMap;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The query parameters of {@code GET /admin/v1/alerts}, checked strictly. */
final class AlertQueries {
  static final Set<String> PARAMETERS = Set.of("account", "level", "after", "since_id", "since", "limit");
  private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
  private static final String LEVELS = "watch, throttle, degrade, block";

  private AlertQueries() {}

  /** A malformed parameter; the message says what is expected and never repeats more than a short prefix. */
  static final class BadParameter extends IllegalArgumentException {
    private final String param;

    BadParameter(String param, String message) {
      super(message);
      this.param = param;
    }

    String param() {
      return param;
    }
  }

  static AlertLog.Query parse(MultiMap params, int maxLimit) {
    for (String name : params.names()) {
      if (!PARAMETERS.contains(name)) {
        throw new BadParameter(shorten(name), "unknown query parameter '" + shorten(name)
            + "'; expected account, level, after, since_id, since, limit");
      }
      if (!name.equals("level") && params.getAll(name).size() > 1) {
        throw new BadParameter(name, "'" + name + "' may be given once");
      }
    }
    String account = params.get("account");
    if (account != null && !ACCOUNT.matcher(account).matches()) {
      throw new BadParameter("account", "'account' must be an account id (1-128 letters, digits and . _ : @ -)");
    }
    Set<RiskLevel> levels = EnumSet.noneOf(RiskLevel.class);
    for (String v : params.getAll("level")) {
      for (String part : v.split(",", -1)) {
        levels.add(level(part.strip()));
      }
    }
    Long after = id(params.get("after"), "after");
    Long sinceId = id(params.get("since_id"), "since_id");
    Instant since = null;
    String s = params.get("since");
    if (s != null) {
      try {
        since = Instant.parse(s);
      } catch (DateTimeException e) {
        throw new BadParameter("since", "'since' must be an ISO-8601 instant such as 2026-01-05T09:00:00Z");
      }
    }
    int limit = 100;
    String l = params.get("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > maxLimit) {
        throw new BadParameter("limit", "'limit' must be a number from 1 to " + maxLimit);
      }
    }
    return new AlertLog.Query(account, levels, after, sinceId, since, limit);
  }

  /** A level by its name ({@code throttle}) or by the status it sets ({@code throttled}). */
  private static RiskLevel level(String s) {
    String v = s.toLowerCase(Locale.ROOT);
    for (RiskLevel l : List.of(RiskLevel.WATCH, RiskLevel.THROTTLE, RiskLevel.DEGRADE, RiskLevel.BLOCK)) {
      if (l.wireName().equals(v) || l.status().wireName().equals(v)) {
        return l;
      }
    }
    throw new BadParameter("level", "'level' must be one or more of " + LEVELS + " (comma-separated); got '"
        + shorten(s) + "'");
  }

  private static Long id(String v, String param) {
    if (v == null) {
      return null;
    }
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new BadParameter(param, "'" + param + "' must be an alert id (a whole number >= 0), as in next_after");
  }

  private static String shorten(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
