package io.distillguard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The gateway's own {@code distillguard_gateway_overhead_seconds} histogram (request latency minus upstream time),
 * scraped from the admin {@code /metrics}. Two scrapes are subtracted to get one phase's share. Percentiles from a
 * Prometheus histogram are only known to bucket resolution: they are reported as "at most the bucket's bound".
 */
final class OverheadScrape {
  static final String METRIC = "distillguard_gateway_overhead_seconds";
  static final String ENDPOINT = "endpoint=\"/v1/chat/completions\"";

  final TreeMap<Double, Double> buckets;
  final double count;
  final double sumSeconds;
  final double maxSeconds;
  /** Exchange log gauges and counters at scrape time (NaN when absent). */
  double backlog = Double.NaN;
  double queueDepth = Double.NaN;
  double stored = Double.NaN;
  double spilled = Double.NaN;
  double dropped = Double.NaN;

  private OverheadScrape(TreeMap<Double, Double> buckets, double count, double sumSeconds, double maxSeconds) {
    this.buckets = buckets;
    this.count = count;
    this.sumSeconds = sumSeconds;
    this.maxSeconds = maxSeconds;
  }

  static OverheadScrape empty() {
    return new OverheadScrape(new TreeMap<>(), 0, 0, 0);
  }

  boolean hasLog() {
    return !Double.isNaN(backlog);
  }

  /** The exchange log's state: what is stored, what is waiting, what spilled to the journal. */
  String logSummary() {
    return String.format(java.util.Locale.ROOT, "stored %.0f, backlog %.0f (queue %.0f), spilled %.0f, dropped %.0f",
        stored, backlog, queueDepth, spilled, dropped);
  }

  /**
   * One client for every scrape, HTTP/1.1 only: the JDK client's default (HTTP/2, i.e. an h2c upgrade on plain
   * http) once hung a scrape for minutes, its request timeout notwithstanding.
   */
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Scrapes {@code metricsUrl}; an empty result when it cannot be read (it is a cross-check only). */
  static OverheadScrape fetch(String metricsUrl) {
    if (metricsUrl == null) {
      return empty();
    }
    try {
      HttpResponse<String> r = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(metricsUrl))
              .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString())
          .get(15, java.util.concurrent.TimeUnit.SECONDS);
      return r.statusCode() == 200 ? parse(r.body()) : empty();
    } catch (Exception e) {
      System.err.println("(could not scrape " + metricsUrl + ": " + e + ")");
      return empty();
    }
  }

  static OverheadScrape parse(String text) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    double count = 0;
    double sum = 0;
    double max = 0;
    double[] log = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    String[] logNames = {"distillguard_exchange_backlog", "distillguard_exchange_queue_depth",
        "distillguard_exchange_stored_total", "distillguard_exchange_spilled_total",
        "distillguard_exchange_dropped_total"};
    for (String line : text.split("\n")) {
      for (int i = 0; i < logNames.length; i++) {
        if (line.startsWith(logNames[i] + " ") || line.startsWith(logNames[i] + "{")) {
          log[i] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
        }
      }
      if (!line.startsWith(METRIC) || !line.contains(ENDPOINT)) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      double v = Double.parseDouble(line.substring(sp + 1).trim());
      if (line.startsWith(METRIC + "_bucket{")) {
        int le = line.indexOf("le=\"");
        String bound = line.substring(le + 4, line.indexOf('"', le + 4));
        buckets.put("+Inf".equals(bound) ? Double.POSITIVE_INFINITY : Double.parseDouble(bound), v);
      } else if (line.startsWith(METRIC + "_count{")) {
        count = v;
      } else if (line.startsWith(METRIC + "_sum{")) {
        sum = v;
      } else if (line.startsWith(METRIC + "_max{")) {
        max = v;
      }
    }
    OverheadScrape o = new OverheadScrape(buckets, count, sum, max);
    o.backlog = log[0];
    o.queueDepth = log[1];
    o.stored = log[2];
    o.spilled = log[3];
    o.dropped = log[4];
    return o;
  }

  /** What was recorded between {@code before} and this scrape. */
  OverheadScrape minus(OverheadScrape before) {
    TreeMap<Double, Double> b = new TreeMap<>();
    for (Map.Entry<Double, Double> e : buckets.entrySet()) {
      b.put(e.getKey(), e.getValue() - before.buckets.getOrDefault(e.getKey(), 0.0));
    }
    OverheadScrape o = new OverheadScrape(b, count - before.count, sumSeconds - before.sumSeconds, maxSeconds);
    o.backlog = backlog;
    o.queueDepth = queueDepth;
    o.stored = stored;
    o.spilled = spilled;
    o.dropped = dropped;
    return o;
  }

  /** Upper bound (µs) of the bucket holding quantile {@code q}; infinity when beyond the last bound. */
  double quantileBoundMicros(double q) {
    double target = q * count;
    for (Map.Entry<Double, Double> e : buckets.entrySet()) {
      if (e.getValue() >= target) {
        return e.getKey() * 1e6;
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** Smallest finite bucket bound, in µs (the histogram's resolution floor). */
  double firstBoundMicros() {
    return buckets.isEmpty() ? Double.NaN : buckets.firstKey() * 1e6;
  }

  String summary() {
    if (count <= 0) {
      return "no overhead samples (metrics not reachable, or no request reached the upstream)";
    }
    return String.format("n=%.0f mean=%.0f µs p50≤%s p90≤%s p99≤%s p99.9≤%s (bucket bounds; finest bucket %s µs)"
            + " max(recent)=%.0f µs",
        count, sumSeconds / count * 1e6, bound(0.5), bound(0.9), bound(0.99), bound(0.999),
        fmt(firstBoundMicros()), maxSeconds * 1e6);
  }

  private String bound(double q) {
    return fmt(quantileBoundMicros(q));
  }

  private static String fmt(double micros) {
    return Double.isInfinite(micros) ? "+Inf" : String.format("%.0f µs", micros).replace(" µs", "");
  }
}
