package io.distillguard.sim.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart (Java2D, headless) and saved as PNG and SVG. Series names are campaign ids
 * and class names; chart text is never prompt text.
 */
public final class Charts {
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xd62728), new Color(0xff7f0e), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
  private static final int MAX_POINTS = 400;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Charts() {}

  /**
   * Risk score over time: median (solid) and 90th percentile (dashed) of each class of accounts, x in hours since
   * the scenario start.
   */
  public static XYChart riskOverTime(String title, Instant start, EvalReport.RiskSeries risk) {
    XYChart chart = new XYChartBuilder().width(1000).height(560).title(title)
        .xAxisTitle("hours since scenario start").yAxisTitle("risk score").build();
    style(chart);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    Instant t0 = start != null ? start : risk.times().isEmpty() ? Instant.EPOCH : risk.times().get(0);
    int color = 0;
    for (Map.Entry<String, EvalReport.ClassSeries> e : risk.classes().entrySet()) {
      Color c = PALETTE[color++ % PALETTE.length];
      addLine(chart, e.getKey() + " median", t0, risk.times(), e.getValue().median(), c, false);
      addLine(chart, e.getKey() + " p90", t0, risk.times(), e.getValue().p90(), c, true);
    }
    if (chart.getSeriesCollection().isEmpty()) {
      placeholder(chart);
    }
    return chart;
  }

  /**
   * Harvest before block, per account: for each campaign the empirical distribution (share of its accounts that
   * had harvested at most x attack answers before they were blocked, or in total when never blocked). X is
   * logarithmic; 0 is drawn at 1.
   */
  public static XYChart harvestBeforeBlock(String title, Map<String, List<Long>> perAccount,
      Map<String, Long> totals) {
    XYChart chart = new XYChartBuilder().width(1000).height(560).title(title)
        .xAxisTitle("attack answers served to the account before it was blocked (log)")
        .yAxisTitle("share of the campaign's accounts").build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true).setYAxisMin(0.0).setYAxisMax(1.0);
    // Whole decades at both ends, so the logarithmic axis always has labelled ticks.
    long lo = Long.MAX_VALUE;
    long hi = 1;
    for (List<Long> v : perAccount.values()) {
      if (!v.isEmpty()) {
        lo = Math.min(lo, Math.max(1, v.get(0)));
        hi = Math.max(hi, v.get(v.size() - 1));
      }
    }
    if (lo != Long.MAX_VALUE) {
      double min = Math.pow(10, Math.floor(Math.log10(lo)));
      double max = Math.pow(10, Math.ceil(Math.log10(hi) + 1e-9));
      chart.getStyler().setXAxisMin(min).setXAxisMax(Math.max(max, min * 10));
    }
    int color = 0;
    for (Map.Entry<String, List<Long>> e : perAccount.entrySet()) {
      List<Long> v = e.getValue();
      if (v.isEmpty()) {
        continue;
      }
      int n = v.size();
      List<double[]> steps = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (i == n - 1 || !v.get(i + 1).equals(v.get(i))) {
          steps.add(new double[] {Math.max(1, v.get(i)), (i + 1) / (double) n});
        }
      }
      int every = Math.max(1, steps.size() / MAX_POINTS);
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      double prevY = 0;
      for (int i = 0; i < steps.size(); i++) {
        if (i % every != 0 && i != steps.size() - 1) {
          continue;
        }
        double[] st = steps.get(i);
        xs.add(st[0]);
        ys.add(prevY);
        xs.add(st[0]);
        ys.add(st[1]);
        prevY = st[1];
      }
      Long total = totals.get(e.getKey());
      XYSeries s = chart.addSeries(e.getKey() + " (" + n + (n == 1 ? " account" : " accounts") + (total == null ? ""
          : ", " + Text.count(total) + " total") + ")", xs, ys);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(PALETTE[color++ % PALETTE.length]);
      s.setLineStyle(new BasicStroke(2f));
    }
    if (chart.getSeriesCollection().isEmpty()) {
      placeholder(chart);
    }
    return chart;
  }

  /** Writes {@code base.png} and {@code base.svg}; returns both paths. */
  public static List<Path> save(IChart chart, Path dir, String base) throws IOException {
    Files.createDirectories(dir);
    Path png = dir.resolve(base + ".png");
    Path svg = dir.resolve(base + ".svg");
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    try (OutputStream out = Files.newOutputStream(svg)) {
      VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }
    return List.of(png, svg);
  }

  private static void addLine(XYChart chart, String name, Instant t0, List<Instant> times, List<Double> values,
      Color color, boolean dashed) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    int step = Math.max(1, times.size() / MAX_POINTS);
    for (int i = 0; i < times.size(); i++) {
      Double y = values.get(i);
      if (y == null || (i % step != 0 && i != times.size() - 1)) {
        continue;
      }
      xs.add(Duration.between(t0, times.get(i)).toSeconds() / 3600.0);
      ys.add(y);
    }
    if (xs.isEmpty()) {
      return;
    }
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(dashed ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {6f, 4f}, 0f) : new BasicStroke(2f));
  }

  private static void placeholder(XYChart chart) {
    XYSeries s = chart.addSeries("no data", List.of(1.0), List.of(0.0));
    s.setMarker(SeriesMarkers.NONE);
  }

  private static void style(XYChart chart) {
    chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendPosition(Styler.LegendPosition.OutsideE)
        .setAntiAlias(true);
    chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
  }
}
