package io.distillguard.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.store.AccountRepository;
import io.distillguard.store.DuplicateException;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs on every dialect: SQLite and the embedded PostgreSQL server. */
@ParameterizedClass
@EnumSource(Dialect.class)
class JdbcAccountRepositoryTest {
  @Parameter Dialect dialect;
  TestDatabase db;

  @TempDir Path dir;
  JdbcStore store;
  AccountRepository accounts;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
    accounts = store.accounts();
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  @Test
  void roundTripsHostileStringsInIdNameAndAttributes() {
    Map<String, String> attributes = new HashMap<>();
    for (int i = 0; i < Fixtures.HOSTILE.size(); i++) {
      attributes.put(Fixtures.HOSTILE.get(i), Fixtures.HOSTILE.get(Fixtures.HOSTILE.size() - 1 - i));
    }
    attributes.put(Account.TIER, "gold");
    int n = 0;
    for (String hostile : Fixtures.HOSTILE) {
      Account a = new Account("id-" + n++ + hostile, hostile, attributes, AccountStatus.WATCH, Fixtures.T0);
      Account created = accounts.create(a);
      assertThat(accounts.find(a.id())).contains(created);
      assertThat(created.name()).isEqualTo(hostile);
      assertThat(created.attributes()).isEqualTo(attributes);
      assertThat(created.tier()).isEqualTo("gold");
    }
    assertThat(accounts.all()).hasSize(Fixtures.HOSTILE.size());
  }

  @Test
  void roundTripsNullNameEmptyAttributesAndEveryStatus() {
    for (AccountStatus s : AccountStatus.values()) {
      Account a = new Account("acct-" + s.wireName(), null, null, s, Fixtures.T0);
      accounts.create(a);
      Account found = accounts.find(a.id()).orElseThrow();
      assertThat(found.name()).isNull();
      assertThat(found.attributes()).isEmpty();
      assertThat(found.status()).isEqualTo(s);
    }
  }

  @Test
  void storesTheStatusAsItsWireName() throws Exception {
    accounts.create(new Account("a", null, Map.of(), AccountStatus.THROTTLED, Fixtures.T0));
    try (var c = store.dataSource().getConnection(); var s = c.createStatement();
         var rs = s.executeQuery("SELECT status FROM accounts WHERE id = 'a'")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("throttled");
    }
  }

  @Test
  void createReturnsTheAccountAsStoredWithMillisecondTimes() {
    Account created = accounts.create(new Account("a", "n", Map.of(), AccountStatus.ACTIVE, Fixtures.T0));
    assertThat(created.createdAt()).isEqualTo(Fixtures.T0.truncatedTo(ChronoUnit.MILLIS));
    assertThat(accounts.find("a")).contains(created);
  }

  @Test
  void duplicateIdIsRejectedAndTheFirstAccountKept() {
    accounts.create(new Account("dup", "first", Map.of(), AccountStatus.ACTIVE, Fixtures.T0));
    assertThatThrownBy(
        () -> accounts.create(new Account("dup", "second", Map.of(), AccountStatus.BLOCKED, Fixtures.T0)))
        .isInstanceOf(DuplicateException.class)
        .hasMessageContaining("dup");
    assertThat(accounts.find("dup").orElseThrow().name()).isEqualTo("first");
  }

  @Test
  void findOfAMissingAccountIsEmpty() {
    assertThat(accounts.find("nope")).isEmpty();
  }

  @Test
  void listPagesByIdWithAndWithoutStatusFilter() {
    for (int i = 0; i < 25; i++) {
      AccountStatus s = i % 5 == 0 ? AccountStatus.BLOCKED : AccountStatus.ACTIVE;
      accounts.create(new Account(String.format("acct-%02d", i), null, Map.of(), s, Fixtures.T0));
    }
    List<String> seen = new java.util.ArrayList<>();
    String after = null;
    while (true) {
      List<Account> page = accounts.list(null, after, 10);
      if (page.isEmpty()) {
        break;
      }
      page.forEach(a -> seen.add(a.id()));
      after = page.get(page.size() - 1).id();
    }
    assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates();

    assertThat(accounts.list(AccountStatus.BLOCKED, null, 100)).extracting(Account::id)
        .containsExactly("acct-00", "acct-05", "acct-10", "acct-15", "acct-20");
    assertThat(accounts.list(AccountStatus.BLOCKED, "acct-05", 2)).extracting(Account::id)
        .containsExactly("acct-10", "acct-15");
    assertThat(accounts.list(AccountStatus.WATCH, null, 100)).isEmpty();
    assertThat(accounts.list(null, null, 0)).isEmpty();
    assertThat(accounts.all()).extracting(Account::id).isSorted().hasSize(25);
  }

  @Test
  void updateStatusChangesOnlyTheStatus() {
    Account a = accounts.create(new Account("a", "n", Map.of("tier", "t"), AccountStatus.ACTIVE, Fixtures.T0));
    Instant later = Fixtures.T0.plusSeconds(60);
    assertThat(accounts.updateStatus("a", AccountStatus.BLOCKED, later)).contains(a.withStatus(AccountStatus.BLOCKED));
    assertThat(accounts.find("a")).contains(a.withStatus(AccountStatus.BLOCKED));
  }

  @Test
  void updateStatusOfAMissingAccountIsEmpty() {
    assertThat(accounts.updateStatus("ghost", AccountStatus.BLOCKED, Fixtures.T0)).isEmpty();
    assertThat(accounts.all()).isEmpty();
  }
}
