package io.distillguard.store.jdbc;

import io.distillguard.core.ApiKey;
import io.distillguard.store.DuplicateException;
import io.distillguard.store.KeyRepository;
import io.distillguard.store.NotFoundException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** API keys in table {@code api_keys}; times are epoch milliseconds, so keys read back are truncated to the ms. */
final class JdbcKeyRepository implements KeyRepository {

  private static final String COLUMNS = "key_id, account_id, secret_hash, created_at, revoked_at";

  private final Jdbc jdbc;

  JdbcKeyRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public void create(ApiKey key) {
    Objects.requireNonNull(key, "key");
    jdbc.autoCommit("create key " + key.keyId(), c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO api_keys (key_id, account_id, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, key.keyId());
        ps.setString(2, key.accountId());
        ps.setBytes(3, key.secretHash());
        ps.setLong(4, Jdbc.millis(key.createdAt()));
        Jdbc.setNullableMillis(ps, 5, key.revokedAt());
        ps.executeUpdate();
        return null;
      } catch (SQLException e) {
        // Mapping the constraint rather than looking the account up first: no race with a concurrent insert.
        if (Jdbc.isUniqueViolation(e)) {
          throw new DuplicateException("key " + key.keyId() + " exists");
        }
        if (Jdbc.isForeignKeyViolation(e)) {
          throw new NotFoundException("no account " + key.accountId());
        }
        throw e;
      }
    });
  }

  @Override
  public Optional<ApiKey> find(String keyId) {
    return jdbc.autoCommit("find key " + keyId, c -> find(c, keyId));
  }

  @Override
  public List<ApiKey> forAccount(String accountId) {
    return jdbc.autoCommit("list keys of account " + accountId, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM api_keys WHERE account_id = ? ORDER BY created_at, key_id")) {
        ps.setString(1, accountId);
        return Jdbc.readAll(ps, JdbcKeyRepository::read);
      }
    });
  }

  @Override
  public List<ApiKey> all() {
    return jdbc.autoCommit("list all keys", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY key_id")) {
        return Jdbc.readAll(ps, JdbcKeyRepository::read);
      }
    });
  }

  @Override
  public List<ApiKey> revokedSince(Instant since) {
    Objects.requireNonNull(since, "since");
    return jdbc.autoCommit("list keys revoked since " + since, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM api_keys WHERE revoked_at >= ? ORDER BY revoked_at")) {
        ps.setLong(1, Jdbc.millis(since));
        return Jdbc.readAll(ps, JdbcKeyRepository::read);
      }
    });
  }

  @Override
  public Optional<ApiKey> revoke(String keyId, Instant at) {
    Objects.requireNonNull(at, "at");
    return jdbc.transaction("revoke key " + keyId, c -> {
      // COALESCE keeps the first revocation time; the row is still "touched", so 0 rows means no such key.
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE key_id = ?")) {
        ps.setLong(1, Jdbc.millis(at));
        ps.setString(2, keyId);
        if (ps.executeUpdate() == 0) {
          return Optional.empty();
        }
      }
      return find(c, keyId);
    });
  }

  private static Optional<ApiKey> find(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE key_id = ?")) {
      ps.setString(1, keyId);
      List<ApiKey> found = Jdbc.readAll(ps, JdbcKeyRepository::read);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  private static ApiKey read(ResultSet rs) throws SQLException {
    return new ApiKey(
        rs.getString("key_id"),
        rs.getString("account_id"),
        rs.getBytes("secret_hash"),
        Jdbc.ofMillis(rs.getLong("created_at")),
        Jdbc.getNullableMillis(rs, "revoked_at"));
  }
}
