package io.distillguard.store.jdbc;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.ClusterRepository;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Tables {@code clusters} and {@code cluster_members}. Times are epoch microseconds. */
final class JdbcClusterRepository implements ClusterRepository {
  private static final String COLUMNS =
      "id, first_seen, recomputed_at, dissolved_at, size, score, level, ruling, ruled_at, ruled_by";

  private final Jdbc jdbc;

  JdbcClusterRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** {@inheritDoc} Rows are written in id order, so two nodes saving overlapping clusters cannot deadlock. */
  @Override
  public void save(Collection<StoredCluster> unordered) {
    if (unordered.isEmpty()) {
      return;
    }
    List<StoredCluster> clusters = new ArrayList<>(unordered);
    clusters.sort(java.util.Comparator.comparing(StoredCluster::id));
    jdbc.transaction("save " + clusters.size() + " clusters", c -> {
      // The upsert first: on SQLite it takes the write lock before anything is read (see Jdbc.transaction).
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO clusters (id, first_seen, recomputed_at,"
          + " dissolved_at, size, score, level) VALUES (?, ?, ?, NULL, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
          + " recomputed_at = excluded.recomputed_at, dissolved_at = NULL, size = excluded.size,"
          + " score = excluded.score, level = excluded.level")) {
        for (StoredCluster k : clusters) {
          ps.setString(1, k.id());
          ps.setLong(2, Jdbc.micros(k.firstSeen()));
          ps.setLong(3, Jdbc.micros(k.recomputedAt()));
          ps.setInt(4, k.members().size());
          ps.setDouble(5, k.score());
          ps.setString(6, k.level().wireName());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement del = c.prepareStatement("DELETE FROM cluster_members WHERE cluster_id = ?");
           PreparedStatement ins = c.prepareStatement(
               "INSERT INTO cluster_members (cluster_id, account_id, position) VALUES (?, ?, ?)")) {
        for (StoredCluster k : clusters) {
          del.setString(1, k.id());
          del.addBatch();
        }
        del.executeBatch();
        int pending = 0;
        for (StoredCluster k : clusters) {
          List<String> m = k.members();
          for (int i = 0; i < m.size(); i++) {
            ins.setString(1, k.id());
            ins.setString(2, Jdbc.text(m.get(i)));
            ins.setInt(3, i);
            ins.addBatch();
            if (++pending == 5_000) {
              ins.executeBatch();
              pending = 0;
            }
          }
        }
        ins.executeBatch();
      }
      return null;
    });
  }

  @Override
  public void dissolve(Collection<String> ids, Instant at) {
    Objects.requireNonNull(at, "at");
    if (ids.isEmpty()) {
      return;
    }
    jdbc.transaction("dissolve " + ids.size() + " clusters", c -> {
      try (PreparedStatement up = c.prepareStatement(
               "UPDATE clusters SET dissolved_at = ?, size = 0 WHERE id = ? AND dissolved_at IS NULL");
           PreparedStatement del = c.prepareStatement("DELETE FROM cluster_members WHERE cluster_id = ?")) {
        for (String id : ids) {
          up.setLong(1, Jdbc.micros(at));
          up.setString(2, id);
          up.addBatch();
          del.setString(1, id);
          del.addBatch();
        }
        up.executeBatch();
        del.executeBatch();
      }
      return null;
    });
  }

  @Override
  public boolean rule(String id, RiskLevel ruling, Instant at, String actor) {
    Objects.requireNonNull(ruling, "ruling");
    Objects.requireNonNull(at, "at");
    return jdbc.autoCommit("rule on cluster " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE clusters SET ruling = ?, ruled_at = ?, ruled_by = ? WHERE id = ?")) {
        ps.setString(1, ruling.wireName());
        ps.setLong(2, Jdbc.micros(at));
        ps.setString(3, Jdbc.text(actor));
        ps.setString(4, id);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public Optional<StoredCluster> find(String id) {
    return jdbc.autoCommit("find cluster " + id, c -> {
      List<Row> rows;
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM clusters WHERE id = ?")) {
        ps.setString(1, id);
        rows = Jdbc.readAll(ps, Row::read);
      }
      if (rows.isEmpty()) {
        return Optional.empty();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT cluster_id, account_id FROM cluster_members WHERE cluster_id = ? ORDER BY position")) {
        ps.setString(1, id);
        return Optional.of(rows.get(0).with(members(ps).getOrDefault(id, List.of())));
      }
    });
  }

  @Override
  public List<StoredCluster> active() {
    return jdbc.autoCommit("list clusters", c -> {
      List<Row> rows;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM clusters WHERE dissolved_at IS NULL ORDER BY id")) {
        rows = Jdbc.readAll(ps, Row::read);
      }
      Map<String, List<String>> members;
      // One pass over the members of every live cluster rather than a query per cluster.
      try (PreparedStatement ps = c.prepareStatement("SELECT m.cluster_id, m.account_id FROM cluster_members m"
          + " JOIN clusters k ON k.id = m.cluster_id WHERE k.dissolved_at IS NULL ORDER BY m.cluster_id, m.position")) {
        members = members(ps);
      }
      List<StoredCluster> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(r.with(members.getOrDefault(r.id, List.of())));
      }
      return out;
    });
  }

  @Override
  public List<StoredCluster> ruled() {
    return jdbc.autoCommit("list ruled clusters", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM clusters WHERE ruling IS NOT NULL ORDER BY id")) {
        List<StoredCluster> out = new ArrayList<>();
        for (Row r : Jdbc.readAll(ps, Row::read)) {
          out.add(r.with(List.of()));
        }
        return out;
      }
    });
  }

  private static Map<String, List<String>> members(PreparedStatement ps) throws SQLException {
    Map<String, List<String>> out = new HashMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return out;
  }

  /** A clusters row before its members are attached. */
  private record Row(String id, Instant firstSeen, Instant recomputedAt, Instant dissolvedAt, double score,
      RiskLevel level, RiskLevel ruling, Instant ruledAt, String ruledBy) {
    static Row read(ResultSet rs) throws SQLException {
      String ruling = rs.getString("ruling");
      long ruledAt = rs.getLong("ruled_at");
      Instant ruledAtOrNull = rs.wasNull() ? null : Jdbc.ofMicros(ruledAt);
      long dissolved = rs.getLong("dissolved_at");
      Instant dissolvedOrNull = rs.wasNull() ? null : Jdbc.ofMicros(dissolved);
      return new Row(rs.getString("id"), Jdbc.ofMicros(rs.getLong("first_seen")),
          Jdbc.ofMicros(rs.getLong("recomputed_at")), dissolvedOrNull, rs.getDouble("score"),
          JdbcRiskHistory.level(rs.getString("level")), ruling == null ? null : JdbcRiskHistory.level(ruling),
          ruledAtOrNull, rs.getString("ruled_by"));
    }

    StoredCluster with(List<String> members) {
      return new StoredCluster(id, firstSeen, recomputedAt, dissolvedAt, members, score, level, ruling, ruledAt,
          ruledBy);
    }
  }
}
