package io.distillguard.ui.cases;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The case file's charts as PNG, drawn with Java2D (headless), so the same pictures go into the HTML and the PDF
 * with no browser and no script. Axis labels are numbers and dates only: no traffic text is ever drawn.
 */
final class Charts {
  static final int W = 900;
  static final int H = 300;
  private static final Color[] LINES = {new Color(0x1f4e79), new Color(0xc0392b), new Color(0x2e7d32),
      new Color(0x8e44ad), new Color(0xd35400)};
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private Charts() {}

  record Series(String label, List<Instant> at, List<Double> value) {}

  /** Scores over time, one line per series, with the level thresholds drawn as dashed lines when given. */
  static byte[] scores(List<Series> series, JsonNode thresholds) {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame(img, "Risk score over time (UTC)");
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Series s : series) {
      for (Instant t : s.at()) {
        min = Math.min(min, t.toEpochMilli());
        max = Math.max(max, t.toEpochMilli());
      }
    }
    int x0 = 60;
    int y0 = 40;
    int w = W - 80;
    int h = H - 80;
    axes(g, x0, y0, w, h);
    for (int i = 0; i <= 4; i++) {
      double v = i / 4.0;
      int y = y0 + h - (int) (v * h);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(Locale.ROOT, "%.2f", v), 20, y + 4);
    }
    if (thresholds != null) {
      g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
      thresholds.fields().forEachRemaining(e -> {
        int y = y0 + h - (int) (e.getValue().asDouble() * h);
        g.setColor(new Color(0xb0b0b0));
        g.drawLine(x0, y, x0 + w, y);
        g.drawString(e.getKey(), x0 + w - 60, y - 3);
      });
    }
    if (min == Long.MAX_VALUE) {
      g.setColor(Color.DARK_GRAY);
      g.drawString("no score history recorded", x0 + 20, y0 + h / 2);
      return png(img);
    }
    if (max == min) {
      max = min + 1;
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString(DAY.format(Instant.ofEpochMilli(min)), x0, y0 + h + 18);
    g.drawString(DAY.format(Instant.ofEpochMilli(max)), x0 + w - 80, y0 + h + 18);
    g.setStroke(new BasicStroke(2f));
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      g.setColor(LINES[si % LINES.length]);
      int px = -1;
      int py = -1;
      for (int i = 0; i < s.at().size(); i++) {
        int x = x0 + (int) ((s.at().get(i).toEpochMilli() - min) * (double) w / (max - min));
        int y = y0 + h - (int) (Math.max(0, Math.min(1, s.value().get(i))) * h);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        } else {
          g.fillOval(x - 2, y - 2, 5, 5);
        }
        px = x;
        py = y;
      }
    }
    return png(img);
  }

  /** Bars: counts per bucket. */
  static byte[] bars(String title, List<String> labels, List<Long> counts) {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame(img, title);
    int x0 = 60;
    int y0 = 40;
    int w = W - 80;
    int h = H - 80;
    axes(g, x0, y0, w, h);
    long max = 1;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString(Long.toString(max), 20, y0 + 4);
    g.drawString("0", 40, y0 + h + 4);
    int n = Math.max(1, counts.size());
    double bw = (double) w / n;
    for (int i = 0; i < counts.size(); i++) {
      int bh = (int) (counts.get(i) * (double) h / max);
      g.setColor(new Color(0x1f4e79));
      g.fillRect(x0 + (int) (i * bw) + 1, y0 + h - bh, Math.max(1, (int) bw - 2), bh);
    }
    g.setColor(Color.DARK_GRAY);
    if (!labels.isEmpty()) {
      g.drawString(labels.get(0), x0, y0 + h + 18);
      g.drawString(labels.get(labels.size() - 1), x0 + w - 80, y0 + h + 18);
    }
    return png(img);
  }

  /** Exchanges per hour of event time among the given exchanges. */
  static byte[] activity(JsonNode samples, List<Instant> times) {
    if (times.isEmpty()) {
      return bars("Exchanges per hour (recent window)", List.of(), List.of());
    }
    long first = times.stream().mapToLong(t -> t.getEpochSecond() / 3600).min().orElse(0);
    long last = times.stream().mapToLong(t -> t.getEpochSecond() / 3600).max().orElse(0);
    int n = (int) Math.min(240, last - first + 1);
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      counts.add(0L);
    }
    for (Instant t : times) {
      int i = (int) (t.getEpochSecond() / 3600 - first);
      if (i >= 0 && i < n) {
        counts.set(i, counts.get(i) + 1);
      }
    }
    return bars("Exchanges per hour (UTC, most recent exchanges)", List.of(
        DAY.format(Instant.ofEpochSecond(first * 3600)), DAY.format(Instant.ofEpochSecond((first + n - 1) * 3600))),
        counts);
  }

  private static Graphics2D frame(BufferedImage img, String title) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, 60, 24);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    return g;
  }

  private static void axes(Graphics2D g, int x0, int y0, int w, int h) {
    g.setColor(Color.GRAY);
    g.drawLine(x0, y0, x0, y0 + h);
    g.drawLine(x0, y0 + h, x0 + w, y0 + h);
  }

  private static byte[] png(BufferedImage img) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
