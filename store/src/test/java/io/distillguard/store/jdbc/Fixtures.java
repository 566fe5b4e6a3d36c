package io.distillguard.store.jdbc;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/** Test data shared by the store tests. */
final class Fixtures {

  /** Strings that break naive quoting or encoding: SQL, markup, quotes, escapes, emoji, right-to-left text. */
  static final List<String> HOSTILE = List.of(
      "Robert'); DROP TABLE accounts;--",
      "'; DROP TABLE exchanges; --",
      "<script>alert(\"x\")</script>",
      "quote \" backslash \\ apostrophe ' backtick `",
      "line\nbreak\ttab\r\u0001control",
      "emoji 🔥🤖👩‍👩‍👧 and surrogate pair 𝔘",
      "مرحبا بالعالم — עברית \u202Eright-to-left override\u202C",
      "{\"json\": [1, 2]}",
      "");

  static final Instant T0 = Instant.parse("2025-06-01T12:00:00.123456Z");

  private Fixtures() {}

  /** An exchange with every field set. */
  static Exchange full(String id, Instant at, String accountId, Outcome outcome) {
    List<ChatMessage> messages = List.of(
        new ChatMessage("system", HOSTILE.get(2)),
        new ChatMessage("user", HOSTILE.get(0) + " " + HOSTILE.get(5) + " " + HOSTILE.get(6)),
        new ChatMessage("assistant", null));
    return new Exchange(id, at, accountId, "k_" + accountId, "203.0.113.7", HOSTILE.get(3), "hf123",
        "/v1/chat/completions", "gpt-test",
        new SamplingParams(0.7, 0.95, 3, 4096, true, 5, 42L, 2),
        true, messages, HOSTILE.get(4) + HOSTILE.get(1), Exchange.promptDigest(messages),
        Exchange.promptLength(messages), Exchange.textDigest("resp"), 4, 120, 80, 200, outcome, null,
        1_500_000L, 1_200_000L, 300_000L);
  }

  /** An exchange with every nullable field null and no messages. */
  static Exchange minimal(String id, Instant at) {
    return new Exchange(id, at, null, null, null, null, null, "/v1/embeddings", null, null, false, null, null,
        null, 0, null, 0, 0, 0, 401, Outcome.REJECTED, "invalid_api_key", 10L, 0L, 0L);
  }

  static void exec(JdbcStore store, String sql) throws SQLException {
    try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}
