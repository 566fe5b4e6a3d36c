package io.distillguard.gateway.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.wire.ExchangeCodec;
import io.distillguard.store.ExchangeCounts;
import io.distillguard.store.ExchangeRepository;
import io.distillguard.store.StoreException;
import io.distillguard.store.jdbc.JdbcStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExchangeLogTest {
  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  @TempDir
  Path dir;
  private JdbcStore store;
  private final List<ExchangeLog> logs = new ArrayList<>();

  @BeforeEach
  void open() {
    store = JdbcStore.openSqlite(dir.resolve("db"));
  }

  @AfterEach
  void close() {
    for (ExchangeLog l : logs) {
      l.close();
    }
    store.close();
  }

  static Exchange exchange(String id, String prompt, String answer) {
    List<ChatMessage> messages = List.of(new ChatMessage("system", "be nice"), new ChatMessage("user", prompt));
    return new Exchange(id, T0, "acct-1", "key-1", "10.0.0.1", "ua/1.0", "0123456789abcdef",
        "/v1/chat/completions", "m", SamplingParams.NONE, false, messages, answer,
        Exchange.promptDigest(messages), Exchange.promptLength(messages), Exchange.textDigest(answer),
        answer == null ? 0 : answer.length(), 12, 34, 200, Outcome.OK, null, 1500, 1200, 300);
  }

  private ExchangeLog log(ExchangeRepository repo, int queueCapacity, boolean redact) {
    ExchangeLog l = new ExchangeLog(repo, new ExchangeLog.Options(dir.resolve("journal"), queueCapacity, 50,
        Duration.ofMillis(5), 0, redact, false, 64 * 1024));
    logs.add(l);
    return l;
  }

  private Set<String> storedIds() {
    Set<String> ids = new HashSet<>();
    for (Exchange e : store.exchanges().list(null, null, 10_000)) {
      assertThat(ids.add(e.id())).as("stored twice: %s", e.id()).isTrue();
    }
    return ids;
  }

  @Test
  void appendedExchangesReachTheStore() {
    ExchangeLog l = log(store.exchanges(), 100, false);
    for (int i = 0; i < 20; i++) {
      l.accept(exchange("ex-" + i, "prompt " + i, "answer " + i));
    }
    assertThat(l.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(storedIds()).hasSize(20);
    assertThat(l.storedCount()).isEqualTo(20);
    assertThat(l.backlog()).isZero();
    assertThat(l.spilled()).isZero();
    assertThat(l.dropped()).isZero();
    assertThat(store.exchanges().checkpoint()).isEqualTo(20);
    Exchange back = store.exchanges().list(null, null, 100).stream()
        .filter(e -> e.id().equals("ex-7")).findFirst().orElseThrow();
    assertThat(back).isEqualTo(exchange("ex-7", "prompt 7", "answer 7"));
  }

  @Test
  void anUncheckpointedJournalIsReplayedExactlyOnce() {
    Path journalDir = dir.resolve("journal");
    // A previous process journaled ten exchanges and died before its writer stored them all: four made it into
    // the store, but the checkpoint was not advanced.
    try (Journal j = new Journal(journalDir, 64 * 1024, false, 0)) {
      for (int i = 0; i < 10; i++) {
        j.append(ExchangeCodec.encode(exchange("ex-" + i, "p" + i, "a" + i)));
      }
    }
    List<Exchange> early = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      early.add(exchange("ex-" + i, "p" + i, "a" + i));
    }
    store.exchanges().append(early, 0);
    assertThat(store.exchanges().checkpoint()).isZero();

    ExchangeLog l = log(store.exchanges(), 100, false);
    assertThat(storedIds()).hasSize(10);
    assertThat(store.exchanges().checkpoint()).isEqualTo(10);
    l.accept(exchange("ex-10", "p10", "a10"));
    assertThat(l.flush(Duration.ofSeconds(10))).isTrue();
    l.close();
    logs.clear();

    // and opening again replays nothing twice
    ExchangeLog again = log(store.exchanges(), 100, false);
    assertThat(again.backlog()).isZero();
    assertThat(storedIds()).hasSize(11);
    again.accept(exchange("ex-11", "p11", "a11"));
    assertThat(again.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(storedIds()).hasSize(12);
    assertThat(store.exchanges().checkpoint()).isEqualTo(12);
  }

  @Test
  void exchangesJournaledWhileTheStoreWasDownSurviveARestart() {
    FlakyRepository down = new FlakyRepository(store.exchanges());
    down.failing = true;
    ExchangeLog crashed = log(down, 100, false);
    for (int i = 0; i < 7; i++) {
      crashed.accept(exchange("ex-" + i, "p", "a"));
    }
    assertThat(crashed.flush(Duration.ofMillis(200))).isFalse();
    assertThat(crashed.backlog()).isEqualTo(7);
    assertThat(store.exchanges().count()).isZero();

    // "restart": a new log over the same journal, with the store back
    ExchangeLog restarted = log(store.exchanges(), 100, false);
    assertThat(storedIds()).hasSize(7);
    assertThat(restarted.backlog()).isZero();

    // the old writer finally gets through too: nothing is stored twice
    down.failing = false;
    assertThat(crashed.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(storedIds()).hasSize(7);
    assertThat(crashed.dropped()).isZero();
  }

  @Test
  void aStoreOutageIsRetriedWithoutLoss() {
    FlakyRepository flaky = new FlakyRepository(store.exchanges());
    flaky.failuresLeft.set(3);
    ExchangeLog l = log(flaky, 100, false);
    for (int i = 0; i < 30; i++) {
      l.accept(exchange("ex-" + i, "p", "a"));
    }
    assertThat(l.flush(Duration.ofSeconds(15))).isTrue();
    assertThat(storedIds()).hasSize(30);
    assertThat(l.dropped()).isZero();
    assertThat(flaky.failuresLeft.get()).isZero();
  }

  @Test
  void aFullQueueSpillsToTheJournalAndNothingIsLost() throws Exception {
    BlockingRepository slow = new BlockingRepository(store.exchanges());
    ExchangeLog l = log(slow, 1, false);
    l.accept(exchange("ex-0", "p", "a"));
    assertThat(slow.entered.await(10, TimeUnit.SECONDS)).as("writer busy with the first batch").isTrue();
    for (int i = 1; i < 300; i++) {
      l.accept(exchange("ex-" + i, "p" + i, "a" + i));
    }
    assertThat(l.spilled()).isGreaterThan(0);
    assertThat(l.queueDepth()).isLessThanOrEqualTo(1);
    slow.release.countDown();
    assertThat(l.flush(Duration.ofSeconds(15))).isTrue();
    Set<String> ids = storedIds();
    assertThat(ids).hasSize(300);
    for (int i = 0; i < 300; i++) {
      assertThat(ids).contains("ex-" + i);
    }
    assertThat(l.dropped()).isZero();
    assertThat(l.storedCount()).isEqualTo(300);
    assertThat(l.backlog()).isZero();
  }

  @Test
  void spillingWhileAppendsKeepComingInterleavesCorrectly() throws Exception {
    ExchangeLog l = log(store.exchanges(), 2, false);
    Thread[] producers = new Thread[3];
    AtomicInteger n = new AtomicInteger();
    for (int t = 0; t < producers.length; t++) {
      producers[t] = new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          int k = n.getAndIncrement();
          l.accept(exchange("ex-" + k, "p" + k, "a" + k));
        }
      });
      producers[t].start();
    }
    for (Thread p : producers) {
      p.join(30_000);
    }
    assertThat(l.flush(Duration.ofSeconds(15))).isTrue();
    assertThat(storedIds()).hasSize(600);
    assertThat(l.dropped()).isZero();
  }

  @Test
  void redactionKeepsDigestsAndLengthsButNoText() throws IOException {
    ExchangeLog l = log(store.exchanges(), 100, true);
    Exchange original = exchange("ex-secret", "my SECRET prompt", "the CONFIDENTIAL answer");
    l.accept(original);
    assertThat(l.flush(Duration.ofSeconds(10))).isTrue();
    Exchange stored = store.exchanges().list(null, null, 10).get(0);
    assertThat(stored.responseText()).isNull();
    assertThat(stored.messages()).extracting(ChatMessage::content).containsOnlyNulls();
    assertThat(stored.messages()).extracting(ChatMessage::role).containsExactly("system", "user");
    assertThat(stored.promptSha256()).isEqualTo(original.promptSha256()).isNotNull();
    assertThat(stored.promptChars()).isEqualTo(original.promptChars()).isPositive();
    assertThat(stored.responseSha256()).isEqualTo(original.responseSha256()).isNotNull();
    assertThat(stored.responseChars()).isEqualTo("the CONFIDENTIAL answer".length());
    assertThat(stored.promptTokens()).isEqualTo(12);
    // the text never touched the disk either
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        assertThat(content).as("file %s", p).doesNotContain("SECRET").doesNotContain("CONFIDENTIAL");
      }
    }
  }

  /** A repository that fails while {@code failing} is set or while failures are left. */
  static final class FlakyRepository extends DelegatingRepository {
    volatile boolean failing;
    final AtomicInteger failuresLeft = new AtomicInteger();

    FlakyRepository(ExchangeRepository d) {
      super(d);
    }

    @Override
    public int append(List<Exchange> batch, long journalSeq) {
      if (failing || failuresLeft.getAndUpdate(x -> Math.max(0, x - 1)) > 0) {
        throw new StoreException("database is locked (test)", null);
      }
      return super.append(batch, journalSeq);
    }
  }

  /** A repository whose first append waits until the test lets it go. */
  static final class BlockingRepository extends DelegatingRepository {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    BlockingRepository(ExchangeRepository d) {
      super(d);
    }

    @Override
    public int append(List<Exchange> batch, long journalSeq) {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.append(batch, journalSeq);
    }
  }

  static class DelegatingRepository implements ExchangeRepository {
    private final ExchangeRepository d;

    DelegatingRepository(ExchangeRepository d) {
      this.d = d;
    }

    @Override
    public int append(List<Exchange> batch, long journalSeq) {
      return d.append(batch, journalSeq);
    }

    @Override
    public long checkpoint() {
      return d.checkpoint();
    }

    @Override
    public List<Exchange> list(String accountId, Instant before, int limit) {
      return d.list(accountId, before, limit);
    }

    @Override
    public ExchangeCounts counts(String accountId) {
      return d.counts(accountId);
    }

    @Override
    public long count() {
      return d.count();
    }

    @Override
    public int deleteBefore(Instant cutoff) {
      return d.deleteBefore(cutoff);
    }
  }
}
