package io.distillguard.store.jdbc;

import io.distillguard.core.Alert;
import io.distillguard.store.ReviewLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Table {@code alert_reviews}, read against {@code alerts} for the open queue. */
final class JdbcReviewLog implements ReviewLog {
  private static final String COLUMNS = "id, alert_id, account_id, decision, actor, at, note, audit_seq";
  private static final String DECIDED = "SELECT 1 FROM alert_reviews r WHERE r.alert_id = a.id"
      + " AND r.decision IN ('approve', 'revert', 'escalate')";
  private final Jdbc jdbc;

  JdbcReviewLog(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Review append(Review r) {
    Objects.requireNonNull(r, "review");
    return jdbc.autoCommit("append review of alert " + r.alertId(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert_reviews (alert_id, account_id, decision,"
          + " actor, at, note, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
        ps.setLong(1, r.alertId());
        ps.setString(2, r.accountId());
        ps.setString(3, r.decision().wireName());
        ps.setString(4, r.actor());
        ps.setLong(5, Jdbc.micros(r.at()));
        ps.setString(6, r.note());
        ps.setLong(7, r.auditSeq());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Review(rs.getLong(1), r.alertId(), r.accountId(), r.decision(), r.actor(),
              Jdbc.ofMicros(Jdbc.micros(r.at())), r.note(), r.auditSeq());
        }
      }
    });
  }

  @Override
  public Map<Long, List<Review>> forAlerts(Collection<Long> alertIds) {
    Map<Long, List<Review>> out = new LinkedHashMap<>();
    if (alertIds.isEmpty()) {
      return out;
    }
    List<Long> ids = List.copyOf(alertIds);
    return jdbc.autoCommit("read reviews", c -> {
      // Chunks keep the statement under SQLite's bound-parameter limit.
      for (int from = 0; from < ids.size(); from += 500) {
        List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM alert_reviews WHERE alert_id IN ("
            + "?, ".repeat(chunk.size() - 1) + "?) ORDER BY id")) {
          for (int i = 0; i < chunk.size(); i++) {
            ps.setLong(i + 1, chunk.get(i));
          }
          for (Review r : Jdbc.readAll(ps, JdbcReviewLog::read)) {
            out.computeIfAbsent(r.alertId(), k -> new ArrayList<>()).add(r);
          }
        }
      }
      return out;
    });
  }

  @Override
  public List<Review> forAccount(String accountId, int limit) {
    return jdbc.autoCommit("read reviews of " + accountId, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM alert_reviews WHERE account_id = ? ORDER BY id DESC LIMIT ?")) {
        ps.setString(1, accountId);
        ps.setInt(2, limit);
        return Jdbc.readAll(ps, JdbcReviewLog::read);
      }
    });
  }

  @Override
  public List<Alert> openAlerts(Long beforeId, int limit) {
    return jdbc.autoCommit("list open alerts", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT a.id, a.at, a.recorded_at, a.account_id, a.from_level,"
          + " a.to_level, a.score, a.evidence, a.reasons, a.audit_seq FROM alerts a WHERE NOT EXISTS (" + DECIDED
          + ")" + (beforeId == null ? "" : " AND a.id < ?") + " ORDER BY a.id DESC LIMIT ?")) {
        int i = 1;
        if (beforeId != null) {
          ps.setLong(i++, beforeId);
        }
        ps.setInt(i, limit);
        return Jdbc.readAll(ps, JdbcAlertLog::read);
      }
    });
  }

  @Override
  public long openCount() {
    return jdbc.autoCommit("count open alerts", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM alerts a WHERE NOT EXISTS (" + DECIDED
          + ")"); ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private static Review read(ResultSet rs) throws SQLException {
    return new Review(rs.getLong("id"), rs.getLong("alert_id"), rs.getString("account_id"),
        Decision.parse(rs.getString("decision")), rs.getString("actor"), Jdbc.ofMicros(rs.getLong("at")),
        rs.getString("note"), rs.getLong("audit_seq"));
  }
}
