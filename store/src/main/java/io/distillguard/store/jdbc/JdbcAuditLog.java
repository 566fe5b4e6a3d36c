package io.distillguard.store.jdbc;

import io.distillguard.core.AuditEntry;
import io.distillguard.store.AuditLog;
import io.distillguard.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The hash-chained audit log in table {@code audit_log}; see {@link AuditChain} for what the hash covers. Times are
 * stored, and hashed, as epoch microseconds.
 */
final class JdbcAuditLog implements AuditLog {

  private static final String COLUMNS = "seq, at, actor, action, subject, details, prev_hash, hash";

  private final Jdbc jdbc;

  JdbcAuditLog(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The row is inserted first with placeholder hashes, which takes the database's write lock and assigns the
   * sequence number the hash must cover; the previous entry's hash is then read under that lock and the row
   * completed, all in one transaction, so no other writer (of this process or another) can slip an entry in
   * between. On PostgreSQL, whose writers do not exclude each other, a table lock is taken first (see
   * {@link Dialect#appendLock}). {@code synchronized} additionally keeps this process's callers from queueing on the
   * database lock.
   *
   * @return the entry as stored, its time truncated to the microsecond
   */
  @Override
  public synchronized AuditEntry append(
      Instant at, String rawActor, String rawAction, String rawSubject, Map<String, String> details) {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(rawActor, "actor");
    Objects.requireNonNull(rawAction, "action");
    // Hashed as stored, so the chain verifies after a round trip.
    String actor = Jdbc.text(rawActor);
    String action = Jdbc.text(rawAction);
    String subject = Jdbc.text(rawSubject);
    Map<String, String> safeDetails = Map.copyOf(details == null ? Map.of() : details);
    long atMicros = Jdbc.micros(at);
    return jdbc.transaction("append audit entry " + action + " " + subject, c -> {
      jdbc.lockForAppend(c, "audit_log");
      long seq;
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO audit_log (at, actor, action, subject, details, prev_hash, hash)"
              + " VALUES (?, ?, ?, ?, ?, '', '') RETURNING seq")) {
        ps.setLong(1, atMicros);
        ps.setString(2, actor);
        ps.setString(3, action);
        ps.setString(4, subject);
        ps.setString(5, Json.writeMap(safeDetails));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          seq = rs.getLong(1);
        }
      }
      String prevHash = previousHash(c, seq);
      String hash = AuditChain.hash(prevHash, seq, atMicros, actor, action, subject, safeDetails);
      try (PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?")) {
        ps.setString(1, prevHash);
        ps.setString(2, hash);
        ps.setLong(3, seq);
        ps.executeUpdate();
      }
      return new AuditEntry(seq, Jdbc.ofMicros(atMicros), actor, action, subject, safeDetails, prevHash, hash);
    });
  }

  @Override
  public List<AuditEntry> list(String subject, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    String sql = "SELECT " + COLUMNS + " FROM audit_log"
        + (subject == null ? "" : " WHERE subject = ?") + " ORDER BY seq DESC LIMIT ?";
    return jdbc.autoCommit("list audit entries", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        if (subject != null) {
          ps.setString(i++, subject);
        }
        ps.setInt(i, limit);
        return Jdbc.readAll(ps, JdbcAuditLog::read);
      }
    });
  }

  private static AuditEntry read(ResultSet rs) throws SQLException {
    return new AuditEntry(rs.getLong("seq"), Jdbc.ofMicros(rs.getLong("at")), rs.getString("actor"),
        rs.getString("action"), rs.getString("subject"), Json.readMap(rs.getString("details")),
        rs.getString("prev_hash"), rs.getString("hash"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>An entry fails when its {@code prev_hash} is not the stored hash of the entry before it (or the genesis value
   * for the first), when its hash does not match its content, or when its details are no longer a JSON object.
   * Editing or deleting an entry is therefore found; truncating the newest entries is not, since nothing follows them.
   * Streams the table in one read, so memory stays flat however long the log is.
   */
  @Override
  public long verify() {
    return jdbc.autoCommit("verify audit log", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq");
           ResultSet rs = ps.executeQuery()) {
        String expectedPrev = AuditChain.GENESIS;
        while (rs.next()) {
          long seq = rs.getLong("seq");
          String prevHash = rs.getString("prev_hash");
          String hash = rs.getString("hash");
          if (!expectedPrev.equals(prevHash) || !hash.equals(recompute(rs, seq, prevHash))) {
            return seq;
          }
          expectedPrev = hash;
        }
        return -1L;
      }
    });
  }

  /** The hash the row should have, or null when its details cannot be read (which then fails verification). */
  private static String recompute(ResultSet rs, long seq, String prevHash) throws SQLException {
    Map<String, String> details;
    try {
      details = Json.readMap(rs.getString("details"));
    } catch (StoreException malformed) {
      return null;
    }
    return AuditChain.hash(prevHash, seq, rs.getLong("at"), rs.getString("actor"), rs.getString("action"),
        rs.getString("subject"), details);
  }

  private static String previousHash(Connection c, long seq) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : AuditChain.GENESIS;
      }
    }
  }
}
