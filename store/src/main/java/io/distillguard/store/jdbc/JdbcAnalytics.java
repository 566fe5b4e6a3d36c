package io.distillguard.store.jdbc;

import io.distillguard.store.Analytics;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Grouped queries over {@code exchanges} and {@code alerts}. */
final class JdbcAnalytics implements Analytics {
  /** More buckets than any chart can show; guards against a bucket width of a microsecond over a year. */
  private static final int MAX_BUCKETS = 10_000;
  private final Jdbc jdbc;

  JdbcAnalytics(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Map<String, Activity> activity() {
    return jdbc.autoCommit("account activity", c -> {
      // Walks the (account_id, event_time) index; the status column needs the row, which is why rejected is a sum.
      try (PreparedStatement ps = c.prepareStatement("SELECT account_id, COUNT(*), SUM(CASE WHEN outcome = 'rejected'"
          + " THEN 1 ELSE 0 END), MAX(event_time) FROM exchanges WHERE account_id IS NOT NULL GROUP BY account_id");
           ResultSet rs = ps.executeQuery()) {
        Map<String, Activity> out = new HashMap<>();
        while (rs.next()) {
          out.put(rs.getString(1), new Activity(rs.getLong(2), rs.getLong(3), Jdbc.ofMicros(rs.getLong(4))));
        }
        return out;
      }
    });
  }

  @Override
  public Instant latestExchange() {
    return jdbc.autoCommit("latest exchange", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT MAX(event_time) FROM exchanges");
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Jdbc.getNullableMicros(rs, 1);
      }
    });
  }

  @Override
  public List<Bucket> traffic(Instant from, Instant to, Duration bucket) {
    return buckets("SELECT (event_time - ?) / ?, COUNT(*), SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END)"
        + " FROM exchanges WHERE event_time >= ? AND event_time < ? GROUP BY 1", from, to, bucket);
  }

  @Override
  public List<Bucket> alerts(Instant from, Instant to, Duration bucket) {
    return buckets("SELECT (at - ?) / ?, COUNT(*), SUM(CASE WHEN to_level = 'block' THEN 1 ELSE 0 END)"
        + " FROM alerts WHERE at >= ? AND at < ? GROUP BY 1", from, to, bucket);
  }

  private List<Bucket> buckets(String sql, Instant from, Instant to, Duration bucket) {
    long width = Math.max(1, Jdbc.micros(Instant.EPOCH.plus(bucket)));
    long start = Jdbc.micros(from);
    long end = Jdbc.micros(to);
    int n = (int) Math.min(MAX_BUCKETS, Math.max(0, (end - start + width - 1) / width));
    long[] counts = new long[n];
    long[] second = new long[n];
    jdbc.autoCommit("bucket counts", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setLong(1, start);
        ps.setLong(2, width);
        ps.setLong(3, start);
        ps.setLong(4, end);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long i = rs.getLong(1);
            if (i >= 0 && i < n) {
              counts[(int) i] = rs.getLong(2);
              second[(int) i] = rs.getLong(3);
            }
          }
        }
      }
      return null;
    });
    List<Bucket> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Bucket(Jdbc.ofMicros(start + i * width), counts[i], second[i]));
    }
    return out;
  }
}
