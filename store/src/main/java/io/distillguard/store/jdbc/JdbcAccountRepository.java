package io.distillguard.store.jdbc;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.store.AccountRepository;
import io.distillguard.store.DuplicateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Accounts in table {@code accounts}. Attributes are a JSON object, the status its wire name, times epoch
 * milliseconds: an account read back has its creation time truncated to the millisecond.
 */
final class JdbcAccountRepository implements AccountRepository {

  private static final String COLUMNS = "id, name, attributes, status, created_at";

  private final Jdbc jdbc;

  JdbcAccountRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** @return the account as stored, with its creation time truncated to the millisecond */
  @Override
  public Account create(Account account) {
    Objects.requireNonNull(account, "account");
    return jdbc.autoCommit("create account " + account.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO accounts (id, name, attributes, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
        long created = Jdbc.millis(account.createdAt());
        ps.setString(1, account.id());
        ps.setString(2, Jdbc.text(account.name()));
        ps.setString(3, Json.writeMap(account.attributes()));
        ps.setString(4, account.status().wireName());
        ps.setLong(5, created);
        ps.setLong(6, created);
        ps.executeUpdate();
        return new Account(account.id(), Jdbc.text(account.name()), account.attributes(), account.status(),
            Jdbc.ofMillis(created));
      } catch (SQLException e) {
        if (Jdbc.isUniqueViolation(e)) {
          throw new DuplicateException("account " + account.id() + " exists");
        }
        throw e;
      }
    });
  }

  @Override
  public Optional<Account> find(String id) {
    return jdbc.autoCommit("find account " + id, c -> find(c, id));
  }

  @Override
  public List<Account> list(AccountStatus status, String afterId, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM accounts WHERE 1 = 1");
    if (status != null) {
      sql.append(" AND status = ?");
    }
    if (afterId != null) {
      sql.append(" AND id > ?");
    }
    sql.append(" ORDER BY id LIMIT ?");
    return jdbc.autoCommit("list accounts", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        if (status != null) {
          ps.setString(i++, status.wireName());
        }
        if (afterId != null) {
          ps.setString(i++, afterId);
        }
        ps.setInt(i, limit);
        return Jdbc.readAll(ps, JdbcAccountRepository::read);
      }
    });
  }

  @Override
  public List<Account> all() {
    return jdbc.autoCommit("list all accounts", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts ORDER BY id")) {
        return Jdbc.readAll(ps, JdbcAccountRepository::read);
      }
    });
  }

  @Override
  public Optional<Account> updateStatus(String id, AccountStatus status, Instant at) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
    // Update first, then read in the same transaction: the write takes the lock, so the read sees this update.
    return jdbc.transaction("update status of account " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?")) {
        ps.setString(1, status.wireName());
        ps.setLong(2, Jdbc.millis(at));
        ps.setString(3, id);
        if (ps.executeUpdate() == 0) {
          return Optional.empty();
        }
      }
      return find(c, id);
    });
  }

  private static Optional<Account> find(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts WHERE id = ?")) {
      ps.setString(1, id);
      List<Account> found = Jdbc.readAll(ps, JdbcAccountRepository::read);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  private static Account read(ResultSet rs) throws SQLException {
    return new Account(
        rs.getString("id"),
        rs.getString("name"),
        Json.readMap(rs.getString("attributes")),
        AccountStatus.parse(rs.getString("status")),
        Jdbc.ofMillis(rs.getLong("created_at")));
  }
}
