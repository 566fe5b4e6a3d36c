package io.distillguard.store.jdbc;

import io.distillguard.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Connection handling shared by the repositories: borrows a pooled connection per call, runs work in auto-commit or
 * in one transaction, and turns {@link SQLException}s into {@link StoreException}s naming the failed operation.
 * Also the query-to-list loop and the column conversions every repository uses.
 */
final class Jdbc {

  /** Work on a connection; may throw SQLException, which the caller maps. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Reads the row a result set's cursor is on into an object; does not move the cursor. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private final DataSource dataSource;
  private final Dialect dialect;

  Jdbc(DataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  Dialect dialect() {
    return dialect;
  }

  /**
   * Serializes appends to a chained table for the rest of {@code c}'s transaction (see {@link Dialect#appendLock});
   * a no-op where the dialect's first write already does.
   */
  void lockForAppend(Connection c, String table) throws SQLException {
    String sql = dialect.appendLock(table);
    if (sql != null) {
      try (Statement s = c.createStatement()) {
        s.execute(sql);
      }
    }
  }

  /**
   * Runs {@code work} in auto-commit mode: each statement is its own transaction. For reads and single writes.
   *
   * @param operation what is being done, for the message of a StoreException
   */
  <T> T autoCommit(String operation, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  /**
   * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws. Runtime
   * exceptions thrown by {@code work} (such as a DuplicateException it mapped itself) pass through unchanged.
   *
   * <p>On SQLite, transactions begin deferred: a transaction that reads first and writes later fails with
   * SQLITE_BUSY instead of waiting when another connection committed in between. Writers therefore issue a write as
   * their first statement, which makes SQLite take the write lock (waiting up to the busy timeout) before anything is
   * read.
   */
  <T> T transaction(String operation, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        // Restored here rather than left to the pool, so a plain (unpooled) DataSource behaves the same.
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  /** Runs the query and reads every row it returns, in order. */
  static <T> List<T> readAll(PreparedStatement ps, RowReader<T> reader) throws SQLException {
    List<T> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(reader.read(rs));
      }
    }
    return rows;
  }

  static StoreException failure(String operation, SQLException e) {
    return new StoreException(operation + " failed: " + e.getMessage(), e);
  }

  /** True when {@code e} reports a violated primary key or unique constraint. */
  static boolean isUniqueViolation(SQLException e) {
    if (e instanceof SQLiteException se) {
      SQLiteErrorCode code = se.getResultCode();
      return code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE;
    }
    return "23505".equals(e.getSQLState());
  }

  /** True when {@code e} reports a violated foreign key constraint. */
  static boolean isForeignKeyViolation(SQLException e) {
    if (e instanceof SQLiteException se) {
      return se.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY;
    }
    return "23503".equals(e.getSQLState());
  }

  // ---- conversions ----

  /**
   * Text as every dialect can store it: U+0000 becomes U+FFFD. PostgreSQL refuses NUL in text values (the whole
   * statement, and with it a batch of exchanges, would fail), and a string from traffic may carry one; SQLite gets the
   * same so a row reads back alike from either store. JSON columns need none of this: Jackson escapes NUL.
   */
  static String text(String s) {
    return s == null || s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
  }

  /** Epoch microseconds; sub-microsecond precision is dropped. */
  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  static Instant ofMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /** Epoch milliseconds; sub-millisecond precision is dropped. */
  static long millis(Instant t) {
    return t.toEpochMilli();
  }

  static Instant ofMillis(long millis) {
    return Instant.ofEpochMilli(millis);
  }

  static void setNullableMillis(PreparedStatement ps, int index, Instant t) throws SQLException {
    if (t == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, millis(t));
    }
  }

  static Instant getNullableMillis(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : ofMillis(v);
  }

  static Instant getNullableMicros(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : ofMicros(v);
  }

  static void setNullable(PreparedStatement ps, int index, Double v) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.DOUBLE);
    } else {
      ps.setDouble(index, v);
    }
  }

  static void setNullable(PreparedStatement ps, int index, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setInt(index, v);
    }
  }

  static void setNullable(PreparedStatement ps, int index, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, v);
    }
  }

  static void setNullable(PreparedStatement ps, int index, Boolean v) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.BOOLEAN);
    } else {
      ps.setBoolean(index, v);
    }
  }

  static Double getNullableDouble(ResultSet rs, String column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }

  static Integer getNullableInt(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  static Long getNullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  static Boolean getNullableBoolean(ResultSet rs, String column) throws SQLException {
    boolean v = rs.getBoolean(column);
    return rs.wasNull() ? null : v;
  }
}
