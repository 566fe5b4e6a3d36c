package io.distillguard.upstream;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small helpers for OpenAI wire details shared by the endpoints: response ids, the stand-in
 * {@code system_fingerprint}, usage objects and hand-built JSON for the hot streaming path (one
 * string per chunk instead of a Jackson tree per chunk).
 */
final class Wire {
  /** Sent as {@code system_fingerprint}, so traces show the answers came from no model at all. */
  static final String SYSTEM_FINGERPRINT = "fp_distillguard_builtin_standin_not_a_model";
  static final String DONE = "[DONE]";
  private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime());

  private Wire() {}

  /** A unique-per-process id such as {@code chatcmpl-5f3c...}. */
  static String nextId(String prefix) {
    return prefix + String.format("%016x", Corpus.mix64(SEQUENCE.incrementAndGet()));
  }

  static long nowEpochSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  /** {@code s} as a JSON string literal, quotes included. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8).append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"').toString();
  }

  static String usage(int promptTokens, int completionTokens) {
    return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
        + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}";
  }
}
