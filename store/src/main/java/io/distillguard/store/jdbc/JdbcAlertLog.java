package io.distillguard.store.jdbc;

import io.distillguard.core.Alert;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.AlertLog;
import io.distillguard.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The alerts feed in table {@code alerts}. Times are stored as epoch microseconds, like the audit log's. */
final class JdbcAlertLog implements AlertLog {

  private static final String COLUMNS =
      "id, at, recorded_at, account_id, from_level, to_level, score, evidence, reasons, audit_seq";

  private final Jdbc jdbc;

  JdbcAlertLog(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Alert append(Alert a) {
    Objects.requireNonNull(a, "alert");
    return jdbc.autoCommit("append alert for " + a.accountId(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO alerts (at, recorded_at, account_id, from_level,"
          + " to_level, score, evidence, reasons, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
        ps.setLong(1, Jdbc.micros(a.at()));
        ps.setLong(2, Jdbc.micros(a.recordedAt()));
        ps.setString(3, a.accountId());
        ps.setString(4, a.from().wireName());
        ps.setString(5, a.to().wireName());
        ps.setDouble(6, a.score());
        ps.setLong(7, a.evidence());
        ps.setString(8, Json.writeReasons(a.reasons()));
        ps.setLong(9, a.auditSeq());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Alert(rs.getLong(1), Jdbc.ofMicros(Jdbc.micros(a.at())),
              Jdbc.ofMicros(Jdbc.micros(a.recordedAt())), a.accountId(), a.from(), a.to(), a.score(), a.evidence(),
              a.reasons(), a.auditSeq());
        }
      }
    });
  }

  @Override
  public List<Alert> list(Query q) {
    if (q.limit() <= 0) {
      return List.of();
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM alerts WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (q.accountId() != null) {
      sql.append(" AND account_id = ?");
      args.add(q.accountId());
    }
    if (!q.levels().isEmpty()) {
      sql.append(" AND to_level IN (").append("?, ".repeat(q.levels().size() - 1)).append("?)");
      for (RiskLevel l : RiskLevel.values()) {
        if (q.levels().contains(l)) {
          args.add(l.wireName());
        }
      }
    }
    if (q.beforeId() != null) {
      sql.append(" AND id < ?");
      args.add(q.beforeId());
    }
    if (q.sinceId() != null) {
      sql.append(" AND id > ?");
      args.add(q.sinceId());
    }
    if (q.since() != null) {
      sql.append(" AND at >= ?");
      args.add(Jdbc.micros(q.since()));
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    args.add(q.limit());
    return jdbc.autoCommit("list alerts", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setObject(i + 1, args.get(i));
        }
        return Jdbc.readAll(ps, JdbcAlertLog::read);
      }
    });
  }

  static Alert read(ResultSet rs) throws SQLException {
    return new Alert(rs.getLong("id"), Jdbc.ofMicros(rs.getLong("at")), Jdbc.ofMicros(rs.getLong("recorded_at")),
        rs.getString("account_id"), level(rs.getString("from_level")), level(rs.getString("to_level")),
        rs.getDouble("score"), rs.getLong("evidence"), Json.readReasons(rs.getString("reasons")),
        rs.getLong("audit_seq"));
  }

  private static RiskLevel level(String wire) {
    try {
      return RiskLevel.valueOf(wire.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new StoreException("stored alert level '" + wire + "' is unknown", e);
    }
  }
}
