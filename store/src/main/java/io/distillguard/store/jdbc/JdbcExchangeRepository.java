package io.distillguard.store.jdbc;

import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.store.ExchangeCounts;
import io.distillguard.store.ExchangeRepository;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The exchange log in table {@code exchanges}, one column per field, and this node's journal checkpoint in
 * {@code journal_checkpoints} (one row per journal: gateway nodes sharing a database each have their own). Event
 * times are epoch microseconds, so an exchange read back has its event time truncated to the microsecond.
 */
final class JdbcExchangeRepository implements ExchangeRepository {

  private static final String COLUMNS = String.join(", ",
      "id", "event_time", "account_id", "key_id", "client_ip", "user_agent", "header_fingerprint", "endpoint", "model",
      "temperature", "top_p", "n", "max_tokens", "logprobs", "top_logprobs", "seed", "tools",
      "stream", "messages", "response_text", "prompt_sha256", "prompt_chars", "response_sha256", "response_chars",
      "prompt_tokens", "completion_tokens", "status", "outcome", "error_code",
      "latency_micros", "upstream_micros", "first_byte_micros");
  private static final int COLUMN_COUNT = COLUMNS.split(",").length;

  private static final String INSERT = "INSERT INTO exchanges (" + COLUMNS + ") VALUES ("
      + "?, ".repeat(COLUMN_COUNT - 1) + "?) ON CONFLICT (id) DO NOTHING";

  // CASE instead of MAX(a, b)/GREATEST(a, b): the two-argument maximum is spelled differently on SQLite and PostgreSQL.
  private static final String ADVANCE_CHECKPOINT = "INSERT INTO journal_checkpoints (journal, seq) VALUES (?, ?)"
      + " ON CONFLICT (journal) DO UPDATE SET seq = CASE WHEN journal_checkpoints.seq < excluded.seq"
      + " THEN excluded.seq ELSE journal_checkpoints.seq END";

  private final Jdbc jdbc;
  private final String journal;

  /** @param journal names the journal whose checkpoint this repository keeps */
  JdbcExchangeRepository(Jdbc jdbc, String journal) {
    this.jdbc = jdbc;
    this.journal = journal;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One prepared statement executed as a JDBC batch and one commit, whatever the batch size; the insert comes
   * first so the transaction holds the write lock before the checkpoint is read.
   */
  @Override
  public int append(List<Exchange> batch, long journalSeq) {
    Objects.requireNonNull(batch, "batch");
    return jdbc.transaction("append " + batch.size() + " exchanges up to journal seq " + journalSeq, c -> {
      int inserted = 0;
      if (!batch.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
          for (Exchange x : batch) {
            bind(ps, x);
            ps.addBatch();
          }
          for (int n : ps.executeBatch()) {
            // sqlite-jdbc reports each row's change count (0 for a skipped duplicate). A driver answering
            // SUCCESS_NO_INFO (-2), such as PostgreSQL's with reWriteBatchedInserts, would make this undercount.
            if (n > 0) {
              inserted += n;
            }
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(ADVANCE_CHECKPOINT)) {
        ps.setString(1, journal);
        ps.setLong(2, journalSeq);
        ps.executeUpdate();
      }
      return inserted;
    });
  }

  @Override
  public long checkpoint() {
    return jdbc.autoCommit("read journal checkpoint", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM journal_checkpoints WHERE journal = ?")) {
        ps.setString(1, journal);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  /** {@inheritDoc} Ties in event time are ordered by id, descending, so pages are stable. */
  @Override
  public List<Exchange> list(String accountId, Instant before, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM exchanges WHERE 1 = 1");
    if (accountId != null) {
      sql.append(" AND account_id = ?");
    }
    if (before != null) {
      sql.append(" AND event_time < ?");
    }
    sql.append(" ORDER BY event_time DESC, id DESC LIMIT ?");
    return jdbc.autoCommit("list exchanges", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        if (accountId != null) {
          ps.setString(i++, accountId);
        }
        if (before != null) {
          ps.setLong(i++, Jdbc.micros(before));
        }
        ps.setInt(i, limit);
        return Jdbc.readAll(ps, JdbcExchangeRepository::read);
      }
    });
  }

  @Override
  public ExchangeCounts counts(String accountId) {
    return jdbc.autoCommit("count exchanges of account " + accountId, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END), 0),"
              + " COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0),"
              + " MIN(event_time), MAX(event_time) FROM exchanges WHERE account_id = ?")) {
        ps.setString(1, Outcome.REJECTED.wireName());
        ps.setString(2, accountId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new ExchangeCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
              Jdbc.getNullableMicros(rs, 5), Jdbc.getNullableMicros(rs, 6));
        }
      }
    });
  }

  @Override
  public long count() {
    return jdbc.autoCommit("count exchanges", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM exchanges");
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  @Override
  public int deleteBefore(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return jdbc.autoCommit("delete exchanges before " + cutoff, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM exchanges WHERE event_time < ?")) {
        ps.setLong(1, Jdbc.micros(cutoff));
        return ps.executeUpdate();
      }
    });
  }

  /** Free text from traffic goes through {@link Jdbc#text} (no NUL characters). */
  private static void bind(PreparedStatement ps, Exchange x) throws SQLException {
    SamplingParams p = x.params();
    ps.setString(1, x.id());
    ps.setLong(2, Jdbc.micros(x.eventTime()));
    ps.setString(3, Jdbc.text(x.accountId()));
    ps.setString(4, Jdbc.text(x.keyId()));
    ps.setString(5, Jdbc.text(x.clientIp()));
    ps.setString(6, Jdbc.text(x.userAgent()));
    ps.setString(7, Jdbc.text(x.headerFingerprint()));
    ps.setString(8, Jdbc.text(x.endpoint()));
    ps.setString(9, Jdbc.text(x.model()));
    Jdbc.setNullable(ps, 10, p.temperature());
    Jdbc.setNullable(ps, 11, p.topP());
    Jdbc.setNullable(ps, 12, p.n());
    Jdbc.setNullable(ps, 13, p.maxTokens());
    Jdbc.setNullable(ps, 14, p.logprobs());
    Jdbc.setNullable(ps, 15, p.topLogprobs());
    Jdbc.setNullable(ps, 16, p.seed());
    ps.setInt(17, p.tools());
    ps.setBoolean(18, x.stream());
    ps.setString(19, Json.writeMessages(x.messages()));
    ps.setString(20, Jdbc.text(x.responseText()));
    ps.setString(21, x.promptSha256());
    ps.setInt(22, x.promptChars());
    ps.setString(23, x.responseSha256());
    ps.setInt(24, x.responseChars());
    ps.setInt(25, x.promptTokens());
    ps.setInt(26, x.completionTokens());
    ps.setInt(27, x.status());
    ps.setString(28, x.outcome().wireName());
    ps.setString(29, Jdbc.text(x.errorCode()));
    ps.setLong(30, x.latencyMicros());
    ps.setLong(31, x.upstreamMicros());
    ps.setLong(32, x.firstByteMicros());
  }

  private static Exchange read(ResultSet rs) throws SQLException {
    SamplingParams params = new SamplingParams(
        Jdbc.getNullableDouble(rs, "temperature"),
        Jdbc.getNullableDouble(rs, "top_p"),
        Jdbc.getNullableInt(rs, "n"),
        Jdbc.getNullableInt(rs, "max_tokens"),
        Jdbc.getNullableBoolean(rs, "logprobs"),
        Jdbc.getNullableInt(rs, "top_logprobs"),
        Jdbc.getNullableLong(rs, "seed"),
        rs.getInt("tools"));
    return new Exchange(
        rs.getString("id"),
        Jdbc.ofMicros(rs.getLong("event_time")),
        rs.getString("account_id"),
        rs.getString("key_id"),
        rs.getString("client_ip"),
        rs.getString("user_agent"),
        rs.getString("header_fingerprint"),
        rs.getString("endpoint"),
        rs.getString("model"),
        params,
        rs.getBoolean("stream"),
        Json.readMessages(rs.getString("messages")),
        rs.getString("response_text"),
        rs.getString("prompt_sha256"),
        rs.getInt("prompt_chars"),
        rs.getString("response_sha256"),
        rs.getInt("response_chars"),
        rs.getInt("prompt_tokens"),
        rs.getInt("completion_tokens"),
        rs.getInt("status"),
        Outcome.parse(rs.getString("outcome")),
        rs.getString("error_code"),
        rs.getLong("latency_micros"),
        rs.getLong("upstream_micros"),
        rs.getLong("first_byte_micros"));
  }
}
