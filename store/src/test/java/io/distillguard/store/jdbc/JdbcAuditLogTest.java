package io.distillguard.store.jdbc;

import static io.distillguard.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.AuditEntry;
import io.distillguard.core.Exchange;
import io.distillguard.store.AuditLog;
import io.distillguard.store.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
class JdbcAuditLogTest {
  @Parameter Dialect dialect;
  TestDatabase db;

  @TempDir Path dir;
  JdbcStore store;
  AuditLog audit;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
    audit = store.audit();
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  @Test
  void emptyLogVerifies() {
    assertThat(audit.verify()).isEqualTo(-1);
    assertThat(audit.list(null, 10)).isEmpty();
  }

  @Test
  void aNulCharacterInActorOrSubjectIsStoredReplacedAndTheChainStillVerifies() {
    AuditEntry e = audit.append(T0, "admin\u0000", "note", "account:x\u0000y", Map.of("k", "v\u0000"));
    assertThat(e.actor()).isEqualTo("admin\uFFFD");
    assertThat(audit.list("account:x\uFFFDy", 10)).containsExactly(e);
    assertThat(audit.list(null, 10).get(0).details()).containsEntry("k", "v\u0000");
    assertThat(audit.verify()).isEqualTo(-1);
  }

  @Test
  void entriesAreChainedFromTheGenesisHash() {
    AuditEntry first = audit.append(T0, "admin", "create", "account:a", Map.of("name", "A"));
    AuditEntry second = audit.append(T0.plusSeconds(1), "detector:burst", "block", "account:a", Map.of());
    assertThat(first.seq()).isEqualTo(1);
    assertThat(first.prevHash()).isEqualTo("0".repeat(64));
    assertThat(first.hash()).hasSize(64).isNotEqualTo(first.prevHash());
    assertThat(second.seq()).isEqualTo(2);
    assertThat(second.prevHash()).isEqualTo(first.hash());
    assertThat(audit.verify()).isEqualTo(-1);
  }

  @Test
  void hashIsSha256OverPrevHashAndTheCanonicalEntry() throws Exception {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("z", "last");
    details.put("a", "quote \" back \\ nl \n");
    AuditEntry e = audit.append(Instant.parse("1970-01-01T00:00:01.000002Z"), "analyst:eve", "watch", "account:x",
        details);
    String canonical = "0".repeat(64) + "\n"
        + "[1,1000002,\"analyst:eve\",\"watch\",\"account:x\",{\"a\":\"quote \\\" back \\\\ nl \\u000a\",\"z\":\"last\"}]";
    String expected = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
    assertThat(e.hash()).isEqualTo(expected);
  }

  @Test
  void listsNewestFirstFilteredBySubject() {
    for (int i = 0; i < 6; i++) {
      audit.append(T0.plusSeconds(i), "admin", "act" + i, i % 2 == 0 ? "account:even" : "account:odd", Map.of());
    }
    assertThat(audit.list("account:even", 10)).extracting(AuditEntry::action).containsExactly("act4", "act2", "act0");
    assertThat(audit.list(null, 2)).extracting(AuditEntry::seq).containsExactly(6L, 5L);
    assertThat(audit.list("account:none", 10)).isEmpty();
  }

  @Test
  void roundTripsHostileStringsAndNullSubject() {
    Map<String, String> details = new HashMap<>();
    for (String h : Fixtures.HOSTILE) {
      details.put("k" + h, h);
    }
    for (String h : Fixtures.HOSTILE) {
      AuditEntry appended = audit.append(T0.plusNanos(1_234), "analyst:" + h, h.isEmpty() ? "x" : h, h, details);
      assertThat(audit.list(h, 1)).containsExactly(appended);
      assertThat(appended.at()).isEqualTo(T0.plusNanos(1_000));
    }
    AuditEntry noSubject = audit.append(T0, "admin", "reload", null, null);
    assertThat(audit.list(null, 1)).containsExactly(noSubject);
    assertThat(noSubject.subject()).isNull();
    assertThat(noSubject.details()).isEmpty();
    assertThat(audit.verify()).isEqualTo(-1);
  }

  @Test
  void editingARowsDetailsWithRawSqlIsFoundAtThatRow() throws Exception {
    for (int i = 0; i < 5; i++) {
      audit.append(T0.plusSeconds(i), "admin", "block", "account:a" + i, Map.of("reason", "r" + i));
    }
    assertThat(audit.verify()).isEqualTo(-1);
    Fixtures.exec(store, "UPDATE audit_log SET details = '{\"reason\":\"innocent\"}' WHERE seq = 3");
    assertThat(audit.verify()).isEqualTo(3);
  }

  @Test
  void editingATimeOrActorIsFound() throws Exception {
    for (int i = 0; i < 4; i++) {
      audit.append(T0.plusSeconds(i), "admin", "block", "account:a", Map.of());
    }
    Fixtures.exec(store, "UPDATE audit_log SET actor = 'analyst:mallory' WHERE seq = 4");
    assertThat(audit.verify()).isEqualTo(4);
    Fixtures.exec(store, "UPDATE audit_log SET at = at + 1 WHERE seq = 2");
    assertThat(audit.verify()).isEqualTo(2);
  }

  @Test
  void deletingARowIsFoundAtTheNextOne() throws Exception {
    for (int i = 0; i < 4; i++) {
      audit.append(T0.plusSeconds(i), "admin", "block", "account:a", Map.of());
    }
    Fixtures.exec(store, "DELETE FROM audit_log WHERE seq = 2");
    assertThat(audit.verify()).isEqualTo(3);
  }

  @Test
  void rewritingARowAndItsHashIsFoundAtTheNextOne() throws Exception {
    for (int i = 0; i < 3; i++) {
      audit.append(T0.plusSeconds(i), "admin", "block", "account:a", Map.of());
    }
    Fixtures.exec(store, "UPDATE audit_log SET hash = '" + "f".repeat(64) + "' WHERE seq = 1");
    assertThat(audit.verify()).isEqualTo(1);
  }

  @Test
  void malformedDetailsFailVerificationInsteadOfThrowing() throws Exception {
    audit.append(T0, "admin", "block", "account:a", Map.of());
    Fixtures.exec(store, "UPDATE audit_log SET details = 'not json' WHERE seq = 1");
    assertThat(audit.verify()).isEqualTo(1);
  }

  @Test
  void concurrentAppendersKeepOneValidChain() throws Exception {
    int threads = 4;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            audit.append(T0.plusMillis(i), "detector:t" + thread, "watch", "account:" + thread,
                Map.of("i", Integer.toString(i)));
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<AuditEntry> all = audit.list(null, 1_000);
    assertThat(all).hasSize(threads * perThread);
    assertThat(all).extracting(AuditEntry::seq).doesNotHaveDuplicates();
    assertThat(audit.verify()).isEqualTo(-1);
  }

  @Test
  void auditAppendsInterleavedWithExchangeAppendsNeitherFailNorBreakTheChain() throws Exception {
    // Exercises the write-first transactions: a read-then-write transaction would fail with SQLITE_BUSY here.
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 40; i++) {
            audit.append(T0, "admin", "a", "s" + thread, Map.of());
          }
        }));
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 40; i++) {
            List<Exchange> batch = new ArrayList<>();
            for (int j = 0; j < 20; j++) {
              batch.add(Fixtures.minimal("t" + thread + "-" + i + "-" + j, T0));
            }
            store.exchanges().append(batch, thread * 1_000L + i);
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(audit.verify()).isEqualTo(-1);
    assertThat(audit.list(null, 1_000)).hasSize(80);
    assertThat(store.exchanges().count()).isEqualTo(2 * 40 * 20);
    assertThat(store.exchanges().checkpoint()).isEqualTo(1_039);
  }
}
