package io.distillguard.store.jdbc;

import static io.distillguard.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.store.ExchangeCounts;
import io.distillguard.store.ExchangeRepository;
import io.distillguard.store.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
class JdbcExchangeRepositoryTest {
  @Parameter Dialect dialect;
  TestDatabase db;

  @TempDir Path dir;
  JdbcStore store;
  ExchangeRepository exchanges;

  @BeforeEach
  void open() {
    db = TestDatabase.create(dialect, dir);
    store = db.open();
    exchanges = store.exchanges();
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  @Test
  void roundTripsEveryFieldIncludingHostileText() {
    Exchange x = Fixtures.full("x1", T0, "acme", Outcome.OK);
    assertThat(exchanges.append(List.of(x), 1)).isEqualTo(1);
    assertThat(exchanges.list(null, null, 10)).containsExactly(x);
  }

  @Test
  void nulCharactersFromTrafficAreStoredAsReplacementCharactersOnEveryDialect() {
    Exchange x = Fixtures.full("x-nul", T0, "acme", Outcome.OK);
    Exchange nul = new Exchange(x.id(), x.eventTime(), x.accountId(), x.keyId(), x.clientIp(), "agent\u0000/1",
        x.headerFingerprint(), x.endpoint(), "model\u0000", x.params(), x.stream(),
        List.of(new ChatMessage("user", "prompt with \u0000 inside")), "answer\u0000\u0000end", x.promptSha256(),
        x.promptChars(), x.responseSha256(), x.responseChars(), x.promptTokens(), x.completionTokens(), x.status(),
        x.outcome(), "code\u0000", x.latencyMicros(), x.upstreamMicros(), x.firstByteMicros());
    // PostgreSQL refuses NUL in text: without the replacement the whole batch (and the one good exchange) would fail.
    assertThat(exchanges.append(List.of(nul, Fixtures.full("x-ok", T0, "acme", Outcome.OK)), 1)).isEqualTo(2);
    Exchange back = exchanges.list("acme", null, 10).stream().filter(e -> e.id().equals("x-nul")).findFirst()
        .orElseThrow();
    assertThat(back.userAgent()).isEqualTo("agent\uFFFD/1");
    assertThat(back.model()).isEqualTo("model\uFFFD");
    assertThat(back.responseText()).isEqualTo("answer\uFFFD\uFFFDend");
    assertThat(back.errorCode()).isEqualTo("code\uFFFD");
    // JSON columns keep NUL exactly (escaped as \u0000 inside the document).
    assertThat(back.messages().get(0).content()).isEqualTo("prompt with \u0000 inside");
  }

  @Test
  void roundTripsNullFieldsAndEmptyMessages() {
    Exchange x = Fixtures.minimal("x-min", T0);
    exchanges.append(List.of(x), 1);
    Exchange back = exchanges.list(null, null, 10).get(0);
    assertThat(back).isEqualTo(x);
    assertThat(back.params().temperature()).isNull();
    assertThat(back.params().logprobs()).isNull();
    assertThat(back.params().seed()).isNull();
    assertThat(back.messages()).isEmpty();
  }

  @Test
  void roundTripsRedactedMessagesAndEdgeValues() {
    Exchange full = Fixtures.full("x-red", T0, "acme", Outcome.CLIENT_CANCELLED);
    Exchange redacted = full.redacted();
    List<ChatMessage> many = new ArrayList<>();
    for (String h : Fixtures.HOSTILE) {
      many.add(new ChatMessage(h, h));
    }
    Exchange edge = new Exchange("x-edge", T0, "acme", null, null, null, null, "/v1/completions", "m",
        new SamplingParams(0.0, 1.0, 0, Integer.MAX_VALUE, false, 0, Long.MIN_VALUE, 0),
        false, many, "", null, 0, null, 0, 0, 0, 599, Outcome.UPSTREAM_TIMEOUT, "timeout",
        Long.MAX_VALUE, 0, 0);
    exchanges.append(List.of(redacted, edge), 1);
    assertThat(exchanges.list(null, null, 10)).containsExactlyInAnyOrder(redacted, edge);
  }

  @Test
  void keepsMicrosecondPrecisionAndOrderOfFastTraffic() {
    List<Exchange> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(Fixtures.minimal("fast-" + i, T0.plusNanos(i * 1_000L)));
    }
    exchanges.append(batch, 1);
    List<Exchange> listed = exchanges.list(null, null, 100);
    assertThat(listed).extracting(Exchange::id)
        .containsExactly("fast-9", "fast-8", "fast-7", "fast-6", "fast-5", "fast-4", "fast-3", "fast-2", "fast-1",
            "fast-0");
    assertThat(listed.get(0).eventTime()).isEqualTo(T0.plusNanos(9_000));
  }

  @Test
  void truncatesSubMicrosecondTimes() {
    exchanges.append(List.of(Fixtures.minimal("ns", T0.plusNanos(999))), 1);
    assertThat(exchanges.list(null, null, 1).get(0).eventTime()).isEqualTo(T0);
  }

  @Test
  void storesTimesBeforeTheEpoch() {
    Instant old = Instant.parse("1969-12-31T23:59:59.999999Z");
    exchanges.append(List.of(Fixtures.minimal("old", old)), 1);
    assertThat(exchanges.list(null, null, 1).get(0).eventTime()).isEqualTo(old);
  }

  @Test
  void appendingTheSameBatchTwiceStoresItOnce() {
    List<Exchange> batch = List.of(
        Fixtures.full("a", T0, "acme", Outcome.OK),
        Fixtures.full("b", T0.plusSeconds(1), "acme", Outcome.OK),
        Fixtures.minimal("c", T0.plusSeconds(2)));
    assertThat(exchanges.append(batch, 10)).isEqualTo(3);
    assertThat(exchanges.append(batch, 10)).isZero();
    assertThat(exchanges.count()).isEqualTo(3);
    assertThat(exchanges.checkpoint()).isEqualTo(10);

    // A replay overlapping the stored tail stores only what is new.
    List<Exchange> overlap = List.of(batch.get(2), Fixtures.minimal("d", T0.plusSeconds(3)));
    assertThat(exchanges.append(overlap, 11)).isEqualTo(1);
    assertThat(exchanges.count()).isEqualTo(4);
  }

  @Test
  void aDuplicateInsideOneBatchIsStoredOnce() {
    Exchange x = Fixtures.minimal("same", T0);
    assertThat(exchanges.append(List.of(x, x), 1)).isEqualTo(1);
    assertThat(exchanges.count()).isEqualTo(1);
  }

  @Test
  void checkpointStartsAtZeroAndNeverMovesBackwards() {
    assertThat(exchanges.checkpoint()).isZero();
    exchanges.append(List.of(Fixtures.minimal("a", T0)), 5);
    assertThat(exchanges.checkpoint()).isEqualTo(5);
    exchanges.append(List.of(Fixtures.minimal("b", T0)), 3);
    assertThat(exchanges.checkpoint()).isEqualTo(5);
    exchanges.append(List.of(), 8);
    assertThat(exchanges.checkpoint()).isEqualTo(8);
    assertThat(exchanges.count()).isEqualTo(2);
  }

  @Test
  void checkpointAndExchangesSurviveReopen() {
    exchanges.append(List.of(Fixtures.full("a", T0, "acme", Outcome.OK)), 42);
    store.close();
    store = db.open();
    assertThat(store.exchanges().checkpoint()).isEqualTo(42);
    assertThat(store.exchanges().list(null, null, 10)).containsExactly(Fixtures.full("a", T0, "acme", Outcome.OK));
  }

  @Test
  void listFiltersByAccountAndBoundsByTimeNewestFirst() {
    List<Exchange> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(Fixtures.full("x" + i, T0.plusSeconds(i), i % 2 == 0 ? "even" : "odd", Outcome.OK));
    }
    exchanges.append(batch, 1);

    assertThat(exchanges.list("even", null, 100)).extracting(Exchange::id)
        .containsExactly("x8", "x6", "x4", "x2", "x0");
    assertThat(exchanges.list("odd", T0.plusSeconds(7), 100)).extracting(Exchange::id)
        .containsExactly("x5", "x3", "x1");
    assertThat(exchanges.list(null, T0.plusSeconds(3), 2)).extracting(Exchange::id)
        .containsExactly("x2", "x1");
    assertThat(exchanges.list(null, null, 3)).extracting(Exchange::id).containsExactly("x9", "x8", "x7");
    assertThat(exchanges.list("nobody", null, 10)).isEmpty();
    assertThat(exchanges.list(null, null, 0)).isEmpty();
    assertThat(exchanges.list("'; DROP TABLE exchanges; --", null, 10)).isEmpty();
    assertThat(exchanges.count()).isEqualTo(10);
  }

  @Test
  void countsAggregateOneAccount() {
    exchanges.append(List.of(
        Fixtures.full("a", T0, "acme", Outcome.OK),
        Fixtures.full("b", T0.plusSeconds(5), "acme", Outcome.REJECTED),
        Fixtures.full("c", T0.plusSeconds(9), "acme", Outcome.UPSTREAM_ERROR),
        Fixtures.full("d", T0.plusSeconds(20), "other", Outcome.REJECTED)), 1);
    ExchangeCounts c = exchanges.counts("acme");
    assertThat(c).isEqualTo(new ExchangeCounts(3, 1, 360, 240, T0, T0.plusSeconds(9)));
  }

  @Test
  void countsOfAnAccountWithoutExchangesAreZeroWithNullTimes() {
    assertThat(exchanges.counts("nobody")).isEqualTo(new ExchangeCounts(0, 0, 0, 0, null, null));
  }

  @Test
  void deleteBeforeRemovesOnlyOlderExchanges() {
    List<Exchange> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(Fixtures.minimal("x" + i, T0.plusSeconds(i)));
    }
    exchanges.append(batch, 1);
    assertThat(exchanges.deleteBefore(T0.plusSeconds(4))).isEqualTo(4);
    assertThat(exchanges.count()).isEqualTo(6);
    assertThat(exchanges.list(null, null, 100)).extracting(Exchange::id).last().isEqualTo("x4");
    assertThat(exchanges.deleteBefore(T0)).isZero();
    assertThat(exchanges.checkpoint()).isEqualTo(1);
  }

  @Test
  void appendsThousandsOfRowsInOneCall() {
    List<Exchange> batch = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      batch.add(Fixtures.full("bulk-" + i, T0.plusNanos(i * 1_000L), "acct-" + (i % 7), Outcome.OK));
    }
    long start = System.nanoTime();
    assertThat(exchanges.append(batch, 5_000)).isEqualTo(5_000);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(exchanges.count()).isEqualTo(5_000);
    assertThat(exchanges.append(batch, 5_000)).isZero();
    // Generous bound: one commit for the whole batch takes well under a second; a commit per row would not.
    assertThat(millis).isLessThan(5_000);
  }
}
