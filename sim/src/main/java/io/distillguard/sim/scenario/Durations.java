package io.distillguard.sim.scenario;

import java.time.Duration;

/**
 * Parses the compact durations and rates of scenario files: {@code 7d}, {@code 36h}, {@code 90m}, {@code 45s},
 * {@code 500ms}, {@code 2w}, concatenations such as {@code 1d12h}; rates as {@code <count>/<duration>}, e.g.
 * {@code 120/min}, {@code 1/min}, {@code 3/s}, {@code 500/d}, {@code 1/90s}.
 */
public final class Durations {
  private Durations() {}

  /** Parses a duration; throws {@link IllegalArgumentException} with a readable message. */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text.trim();
    long totalMillis = 0;
    int i = 0;
    int n = s.length();
    boolean any = false;
    while (i < n) {
      int startNum = i;
      while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (startNum == i) {
        throw new IllegalArgumentException("bad duration '" + text + "' (expected e.g. 7d, 36h, 90m, 45s, 500ms)");
      }
      double value;
      try {
        value = Double.parseDouble(s.substring(startNum, i));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad duration '" + text + "'");
      }
      int startUnit = i;
      while (i < n && Character.isLetter(s.charAt(i))) {
        i++;
      }
      String unit = s.substring(startUnit, i);
      long unitMillis = unitMillis(unit, text);
      totalMillis += Math.round(value * unitMillis);
      any = true;
    }
    if (!any || totalMillis < 0) {
      throw new IllegalArgumentException("bad duration '" + text + "'");
    }
    return Duration.ofMillis(totalMillis);
  }

  private static long unitMillis(String unit, String text) {
    switch (unit) {
      case "ms":
        return 1;
      case "s":
      case "sec":
        return 1000;
      case "m":
      case "min":
        return 60_000;
      case "h":
        return 3_600_000;
      case "d":
        return 86_400_000;
      case "w":
        return 7 * 86_400_000L;
      default:
        throw new IllegalArgumentException("bad duration '" + text + "': unit '" + unit
            + "' (use ms, s, m, h, d, w)");
    }
  }

  /** Parses a rate like {@code 120/min} into events per second. */
  public static double parseRate(String text) {
    if (text == null) {
      throw new IllegalArgumentException("empty rate");
    }
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash <= 0 || slash == s.length() - 1) {
      throw new IllegalArgumentException("bad rate '" + text + "' (expected e.g. 120/min, 1/min, 3/s, 500/d)");
    }
    double count;
    try {
      count = Double.parseDouble(s.substring(0, slash).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad rate '" + text + "' (expected e.g. 120/min, 1/min, 3/s, 500/d)");
    }
    String per = s.substring(slash + 1).trim();
    if (!per.isEmpty() && !Character.isDigit(per.charAt(0))) {
      per = "1" + per;
    }
    Duration d = parse(per);
    if (d.isZero() || count < 0) {
      throw new IllegalArgumentException("bad rate '" + text + "'");
    }
    return count / (d.toMillis() / 1000.0);
  }

  /** Formats a duration compactly (the inverse of {@link #parse} for whole units). */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      long q = ms / units[i];
      if (q > 0) {
        sb.append(q).append(names[i]);
        ms -= q * units[i];
      }
    }
    return sb.toString();
  }
}
