package io.distillguard.store.jdbc;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Tables {@code score_history} and {@code risk_snapshots}. */
final class JdbcRiskHistory implements RiskHistory {
  private final Jdbc jdbc;

  JdbcRiskHistory(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public void record(List<Point> points, List<Snapshot> snapshots, int keepPerAccount) {
    if (points.isEmpty() && snapshots.isEmpty()) {
      return;
    }
    jdbc.transaction("record score history", c -> {
      // A write first, so SQLite takes the write lock before anything is read (see Jdbc.transaction).
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO score_history (account_id, at, score, level, evidence) VALUES (?, ?, ?, ?, ?)")) {
        for (Point p : points) {
          ps.setString(1, p.accountId());
          ps.setLong(2, Jdbc.micros(p.at()));
          ps.setDouble(3, p.score());
          ps.setString(4, p.level().wireName());
          ps.setLong(5, p.evidence());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO risk_snapshots (account_id, at, score, level,"
          + " evidence, reasons) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET at = excluded.at,"
          + " score = excluded.score, level = excluded.level, evidence = excluded.evidence,"
          + " reasons = excluded.reasons")) {
        for (Snapshot s : snapshots) {
          ps.setString(1, s.accountId());
          ps.setLong(2, Jdbc.micros(s.at()));
          ps.setDouble(3, s.score());
          ps.setString(4, s.level().wireName());
          ps.setLong(5, s.evidence());
          ps.setString(6, Json.writeReasons(s.reasons()));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      Set<String> touched = new LinkedHashSet<>();
      points.forEach(p -> touched.add(p.accountId()));
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM score_history WHERE account_id = ? AND at < ("
          + "SELECT at FROM score_history WHERE account_id = ? ORDER BY at DESC LIMIT 1 OFFSET ?)")) {
        for (String a : touched) {
          ps.setString(1, a);
          ps.setString(2, a);
          ps.setInt(3, Math.max(0, keepPerAccount - 1));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public List<Point> history(String accountId, int limit) {
    return jdbc.autoCommit("read score history", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT account_id, at, score, level, evidence FROM ("
          + "SELECT * FROM score_history WHERE account_id = ? ORDER BY at DESC LIMIT ?) AS newest ORDER BY at")) {
        ps.setString(1, accountId);
        ps.setInt(2, limit);
        return Jdbc.readAll(ps, rs -> new Point(rs.getString(1), Jdbc.ofMicros(rs.getLong(2)), rs.getDouble(3),
            level(rs.getString(4)), rs.getLong(5)));
      }
    });
  }

  @Override
  public Optional<Snapshot> snapshot(String accountId) {
    return jdbc.autoCommit("read risk snapshot", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT account_id, at, score, level, evidence, reasons FROM risk_snapshots WHERE account_id = ?")) {
        ps.setString(1, accountId);
        return Jdbc.readAll(ps, JdbcRiskHistory::snapshot).stream().findFirst();
      }
    });
  }

  @Override
  public Map<String, Snapshot> snapshots() {
    return jdbc.autoCommit("read risk snapshots", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT account_id, at, score, level, evidence, reasons FROM risk_snapshots ORDER BY account_id")) {
        Map<String, Snapshot> out = new LinkedHashMap<>();
        for (Snapshot s : Jdbc.readAll(ps, JdbcRiskHistory::snapshot)) {
          out.put(s.accountId(), s);
        }
        return out;
      }
    });
  }

  private static Snapshot snapshot(ResultSet rs) throws SQLException {
    return new Snapshot(rs.getString(1), Jdbc.ofMicros(rs.getLong(2)), rs.getDouble(3), level(rs.getString(4)),
        rs.getLong(5), Json.readReasons(rs.getString(6)));
  }

  static RiskLevel level(String wire) {
    try {
      return RiskLevel.valueOf(wire.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new StoreException("stored risk level '" + wire + "' is unknown", e);
    }
  }
}
