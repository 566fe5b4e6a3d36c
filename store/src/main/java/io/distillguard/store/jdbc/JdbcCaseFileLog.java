package io.distillguard.store.jdbc;

import io.distillguard.store.CaseFileLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Table {@code case_files}. */
final class JdbcCaseFileLog implements CaseFileLog {
  private static final String COLUMNS = "id, subject, created_at, actor, sha256, path, audit_seq";
  private final Jdbc jdbc;

  JdbcCaseFileLog(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public void append(CaseFile f) {
    jdbc.autoCommit("record case file " + f.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO case_files (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, f.id());
        ps.setString(2, f.subject());
        ps.setLong(3, Jdbc.micros(f.createdAt()));
        ps.setString(4, f.actor());
        ps.setString(5, f.sha256());
        ps.setString(6, f.path());
        ps.setLong(7, f.auditSeq());
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public Optional<CaseFile> find(String id) {
    return jdbc.autoCommit("find case file", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM case_files WHERE id = ?")) {
        ps.setString(1, id);
        return Jdbc.readAll(ps, JdbcCaseFileLog::read).stream().findFirst();
      }
    });
  }

  @Override
  public List<CaseFile> list(String subject, int limit) {
    return jdbc.autoCommit("list case files", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM case_files"
          + (subject == null ? "" : " WHERE subject = ?") + " ORDER BY created_at DESC, id DESC LIMIT ?")) {
        int i = 1;
        if (subject != null) {
          ps.setString(i++, subject);
        }
        ps.setInt(i, limit);
        return Jdbc.readAll(ps, JdbcCaseFileLog::read);
      }
    });
  }

  private static CaseFile read(ResultSet rs) throws SQLException {
    return new CaseFile(rs.getString(1), rs.getString(2), Jdbc.ofMicros(rs.getLong(3)), rs.getString(4),
        rs.getString(5), rs.getString(6), rs.getLong(7));
  }
}
