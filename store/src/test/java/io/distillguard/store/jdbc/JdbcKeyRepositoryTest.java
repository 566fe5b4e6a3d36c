package io.distillguard.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ApiKey;
import io.distillguard.store.DuplicateException;
import io.distillguard.store.KeyRepository;
import io.distillguard.store.NotFoundException;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
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
class JdbcKeyRepositoryTest {
  @Parameter Dialect dialect;
  TestDatabase db;

  static final Instant T = Instant.parse("2025-06-01T00:00:00.250Z");

  @TempDir Path dir;
  JdbcStore store;
  KeyRepository keys;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
    keys = store.keys();
    store.accounts().create(new Account("acme", "Acme", Map.of(), AccountStatus.ACTIVE, T));
    store.accounts().create(new Account("other", "Other", Map.of(), AccountStatus.ACTIVE, T));
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  static byte[] hash(int seed) {
    byte[] h = new byte[32];
    for (int i = 0; i < h.length; i++) {
      h[i] = (byte) (seed * 31 + i * 7 - 128); // includes 0x00 and negative bytes
    }
    return h;
  }

  @Test
  void roundTripsAKeyWithItsSecretHashBytes() {
    keys.create(new ApiKey("k_1", "acme", hash(1), T, null));
    ApiKey found = keys.find("k_1").orElseThrow();
    assertThat(found.keyId()).isEqualTo("k_1");
    assertThat(found.accountId()).isEqualTo("acme");
    assertThat(found.secretHash()).isEqualTo(hash(1));
    assertThat(found.createdAt()).isEqualTo(T);
    assertThat(found.revokedAt()).isNull();
    assertThat(found.revoked()).isFalse();
  }

  @Test
  void roundTripsAKeyCreatedRevoked() {
    keys.create(new ApiKey("k_r", "acme", hash(2), T, T.plusSeconds(5)));
    assertThat(keys.find("k_r").orElseThrow().revokedAt()).isEqualTo(T.plusSeconds(5));
  }

  @Test
  void keyForAMissingAccountIsNotFound() {
    assertThatThrownBy(() -> keys.create(new ApiKey("k_x", "ghost", hash(3), T, null)))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("ghost");
    assertThat(keys.find("k_x")).isEmpty();
  }

  @Test
  void duplicateKeyIdIsRejected() {
    keys.create(new ApiKey("k_d", "acme", hash(4), T, null));
    assertThatThrownBy(() -> keys.create(new ApiKey("k_d", "other", hash(5), T, null)))
        .isInstanceOf(DuplicateException.class)
        .hasMessageContaining("k_d");
    assertThat(keys.find("k_d").orElseThrow().accountId()).isEqualTo("acme");
  }

  @Test
  void listsKeysPerAccountAndAll() {
    keys.create(new ApiKey("k_b", "acme", hash(6), T.plusSeconds(2), null));
    keys.create(new ApiKey("k_a", "acme", hash(7), T.plusSeconds(1), null));
    keys.create(new ApiKey("k_c", "other", hash(8), T, T.plusSeconds(1)));
    assertThat(keys.forAccount("acme")).extracting(ApiKey::keyId).containsExactly("k_a", "k_b");
    assertThat(keys.forAccount("ghost")).isEmpty();
    assertThat(keys.all()).extracting(ApiKey::keyId).containsExactly("k_a", "k_b", "k_c");
  }

  @Test
  void revokeKeepsTheFirstRevocationTime() {
    keys.create(new ApiKey("k_1", "acme", hash(9), T, null));
    ApiKey first = keys.revoke("k_1", T.plusSeconds(10)).orElseThrow();
    assertThat(first.revokedAt()).isEqualTo(T.plusSeconds(10));
    ApiKey second = keys.revoke("k_1", T.plusSeconds(99)).orElseThrow();
    assertThat(second.revokedAt()).isEqualTo(T.plusSeconds(10));
    assertThat(keys.find("k_1").orElseThrow().revokedAt()).isEqualTo(T.plusSeconds(10));
  }

  @Test
  void listsKeysRevokedSinceAnInstantInRevocationOrder() {
    keys.create(new ApiKey("k_live", "acme", hash(10), T, null));
    keys.create(new ApiKey("k_old", "acme", hash(11), T, null));
    keys.create(new ApiKey("k_new", "acme", hash(12), T, null));
    keys.create(new ApiKey("k_newer", "other", hash(13), T, null));
    keys.revoke("k_old", T.plusSeconds(5));
    keys.revoke("k_newer", T.plusSeconds(30));
    keys.revoke("k_new", T.plusSeconds(20));
    assertThat(keys.revokedSince(T.plusSeconds(20))).extracting(ApiKey::keyId).containsExactly("k_new", "k_newer");
    assertThat(keys.revokedSince(T)).extracting(ApiKey::keyId).containsExactly("k_old", "k_new", "k_newer");
    assertThat(keys.revokedSince(T.plusSeconds(31))).isEmpty();
  }

  @Test
  void revokeOfAMissingKeyIsEmpty() {
    assertThat(keys.revoke("nope", T)).isEmpty();
  }

  @Test
  void hostileKeyIdsRoundTrip() {
    for (int i = 0; i < Fixtures.HOSTILE.size(); i++) {
      String id = "k" + i + Fixtures.HOSTILE.get(i);
      keys.create(new ApiKey(id, "acme", hash(i), T, null));
      assertThat(keys.find(id).orElseThrow().keyId()).isEqualTo(id);
    }
  }
}
