package io.distillguard.sim.eval;

import java.time.Duration;
import java.util.Locale;

/** Formatting and escaping for reports: numbers, durations, rates, Markdown-safe text, file-name slugs. */
public final class Text {
  private Text() {}

  /**
   * Text safe inside a Markdown table cell or paragraph: no line breaks, no HTML, no table or code delimiters, no
   * emphasis or link syntax. Everything from traffic or scenario files goes through this.
   */
  public static String md(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '|', '`', '\\', '*', '_', '[', ']', '#', '!', '~' -> sb.append('\\').append(c);
        case '\n', '\r', '\t' -> sb.append(' ');
        default -> sb.append(Character.isISOControl(c) ? ' ' : c);
      }
    }
    return sb.toString();
  }

  /** A file-name-safe version of a name: lower-case letters, digits, {@code .}, {@code -}, {@code _}. */
  public static String slug(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toLowerCase(Locale.ROOT).toCharArray()) {
      sb.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ? c : '-');
    }
    String out = sb.toString().replaceAll("-{2,}", "-").replaceAll("^-|-$", "");
    return out.isEmpty() ? "set" : out.length() > 80 ? out.substring(0, 80) : out;
  }

  /** 1234567 → {@code 1,234,567}. */
  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** 0.0123 → {@code 1.23%}; exact zero → {@code 0%}. */
  public static String percent(double fraction) {
    if (fraction == 0) {
      return "0%";
    }
    double p = fraction * 100;
    return p >= 10 ? String.format(Locale.ROOT, "%.1f%%", p) : String.format(Locale.ROOT, "%.2f%%", p);
  }

  /** {@code k / n (p%)}. */
  public static String ratio(long k, long n) {
    return count(k) + " / " + count(n) + (n == 0 ? "" : " (" + percent(k / (double) n) + ")");
  }

  /** Seconds as {@code 45s}, {@code 12m 5s}, {@code 3h 4m}, {@code 2d 5h}; null → {@code never}. */
  public static String duration(Double seconds) {
    if (seconds == null) {
      return "never";
    }
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    Duration d = Duration.ofSeconds(s);
    if (s < 3600) {
      return d.toMinutesPart() + "m " + d.toSecondsPart() + "s";
    }
    if (s < 86400) {
      return d.toHoursPart() + "h " + d.toMinutesPart() + "m";
    }
    return d.toDays() + "d " + d.toHoursPart() + "h";
  }

  /** Compact event rate: {@code 312k/s}. */
  public static String rate(double perSecond) {
    if (perSecond >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM/s", perSecond / 1e6);
    }
    if (perSecond >= 1e3) {
      return String.format(Locale.ROOT, "%.0fk/s", perSecond / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f/s", perSecond);
  }
}
