package io.distillguard.sim.calibrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain-text table with right-aligned numbers, for terminal output and Markdown-ish docs. */
final class TextTable {
  private final List<String[]> rows = new ArrayList<>();
  private final String[] header;

  TextTable(String... header) {
    this.header = header;
  }

  TextTable row(Object... cells) {
    String[] r = new String[header.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
    }
    rows.add(r);
    return this;
  }

  /** Markdown table (pipes), readable as plain text too. */
  String render() {
    int[] w = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      w[i] = header[i].length();
    }
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, header, w, true);
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      sb.append(i == 0 ? " :" : " ").append("-".repeat(Math.max(1, w[i] - (i == 0 ? 1 : 1)))).append(i == 0 ? " |"
          : ": |");
    }
    sb.append('\n');
    for (String[] r : rows) {
      line(sb, r, w, false);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String[] cells, int[] w, boolean header) {
    sb.append('|');
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i];
      String pad = " ".repeat(w[i] - c.length());
      sb.append(' ').append(i == 0 || header ? c + pad : pad + c).append(" |");
    }
    sb.append('\n');
  }

  static String f(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  static String n(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  static String pct(long part, long whole) {
    return whole == 0 ? "–" : String.format(Locale.ROOT, "%,d (%.2f%%)", part, 100.0 * part / whole);
  }
}
