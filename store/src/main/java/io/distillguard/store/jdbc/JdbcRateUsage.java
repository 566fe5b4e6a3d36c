package io.distillguard.store.jdbc;

import io.distillguard.store.RateUsage;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** Tables {@code rate_usage} and {@code gateway_nodes}. Windows and heartbeats are epoch milliseconds. */
final class JdbcRateUsage implements RateUsage {
  /** Subjects per query: under SQLite's bound-parameter limit. */
  private static final int CHUNK = 500;

  private final Jdbc jdbc;

  JdbcRateUsage(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public void add(String node, Collection<Delta> deltas, Instant now) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(now, "now");
    jdbc.transaction("add rate usage of node " + node, c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO gateway_nodes (node, started_at, heartbeat_at)"
          + " VALUES (?, ?, ?) ON CONFLICT (node) DO UPDATE SET heartbeat_at = excluded.heartbeat_at")) {
        ps.setString(1, node);
        ps.setLong(2, now.toEpochMilli());
        ps.setLong(3, now.toEpochMilli());
        ps.executeUpdate();
      }
      if (!deltas.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rate_usage (subject, window_start, node,"
            + " requests, tokens) VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject, window_start, node) DO UPDATE SET"
            + " requests = rate_usage.requests + excluded.requests, tokens = rate_usage.tokens + excluded.tokens")) {
          for (Delta d : deltas) {
            ps.setString(1, Jdbc.text(d.subject()));
            ps.setLong(2, d.windowStart());
            ps.setString(3, node);
            ps.setLong(4, d.requests());
            ps.setLong(5, d.tokens());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      return null;
    });
  }

  @Override
  public List<Usage> others(String node, Collection<String> subjects, long fromWindow) {
    List<String> all = List.copyOf(subjects);
    List<Usage> out = new ArrayList<>();
    if (all.isEmpty()) {
      return out;
    }
    return jdbc.autoCommit("read other nodes' rate usage", c -> {
      for (int from = 0; from < all.size(); from += CHUNK) {
        List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
        try (PreparedStatement ps = c.prepareStatement("SELECT subject, window_start, node, requests, tokens"
            + " FROM rate_usage WHERE window_start >= ? AND node <> ? AND subject IN ("
            + "?, ".repeat(chunk.size() - 1) + "?)")) {
          ps.setLong(1, fromWindow);
          ps.setString(2, node);
          for (int i = 0; i < chunk.size(); i++) {
            ps.setString(3 + i, Jdbc.text(chunk.get(i)));
          }
          out.addAll(Jdbc.readAll(ps, rs -> new Usage(rs.getString(1), rs.getLong(2), rs.getString(3),
              rs.getLong(4), rs.getLong(5))));
        }
      }
      return out;
    });
  }

  @Override
  public List<String> liveNodes(Instant since) {
    return jdbc.autoCommit("list live gateway nodes", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT node FROM gateway_nodes WHERE heartbeat_at >= ? ORDER BY node")) {
        ps.setLong(1, since.toEpochMilli());
        return Jdbc.readAll(ps, rs -> rs.getString(1));
      }
    });
  }

  @Override
  public int prune(long beforeWindow, Instant nodesSilentSince) {
    return jdbc.transaction("prune rate usage", c -> {
      int n;
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM rate_usage WHERE window_start < ?")) {
        ps.setLong(1, beforeWindow);
        n = ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM gateway_nodes WHERE heartbeat_at < ?")) {
        ps.setLong(1, nodesSilentSince.toEpochMilli());
        ps.executeUpdate();
      }
      return n;
    });
  }
}
