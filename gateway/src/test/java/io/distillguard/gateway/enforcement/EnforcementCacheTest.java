package io.distillguard.gateway.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.AccountStatus;
import org.junit.jupiter.api.Test;

class EnforcementCacheTest {

  @Test
  void unknownAccountsAreActive() {
    assertThat(new EnforcementCache().statusOf("nobody")).isEqualTo(AccountStatus.ACTIVE);
  }

  @Test
  void statusesAreSetAndOverwritten() {
    EnforcementCache c = new EnforcementCache();
    c.set("a", AccountStatus.WATCH);
    c.set("b", AccountStatus.BLOCKED);
    assertThat(c.statusOf("a")).isEqualTo(AccountStatus.WATCH);
    assertThat(c.statusOf("b")).isEqualTo(AccountStatus.BLOCKED);
    assertThat(c.restrictedCount()).isEqualTo(2);
    c.set("a", AccountStatus.THROTTLED);
    assertThat(c.statusOf("a")).isEqualTo(AccountStatus.THROTTLED);
    assertThat(c.restrictedCount()).isEqualTo(2);
  }

  @Test
  void settingActiveForgetsTheAccount() {
    EnforcementCache c = new EnforcementCache();
    c.set("a", AccountStatus.DEGRADED);
    c.set("a", AccountStatus.ACTIVE);
    assertThat(c.statusOf("a")).isEqualTo(AccountStatus.ACTIVE);
    assertThat(c.restrictedCount()).isZero();
    c.set("never-restricted", AccountStatus.ACTIVE);
    assertThat(c.restrictedCount()).isZero();
  }

  @Test
  void concurrentWritersAndReadersSeeOnlyValidStatuses() throws Exception {
    EnforcementCache c = new EnforcementCache();
    Thread[] writers = new Thread[4];
    for (int t = 0; t < writers.length; t++) {
      int seed = t;
      writers[t] = new Thread(() -> {
        AccountStatus[] all = AccountStatus.values();
        for (int i = 0; i < 20_000; i++) {
          c.set("acct-" + (i % 50), all[(i + seed) % all.length]);
          assertThat(c.statusOf("acct-" + ((i * 7) % 50))).isNotNull();
        }
      });
      writers[t].start();
    }
    for (Thread w : writers) {
      w.join(30_000);
    }
    for (int i = 0; i < 50; i++) {
      c.set("acct-" + i, AccountStatus.ACTIVE);
    }
    assertThat(c.restrictedCount()).isZero();
  }
}
