package io.distillguard.sim.calibrate;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import java.util.List;

/**
 * Turns simulated requests into the {@link Exchange} events the gateway would record, for in-process runs that have
 * no upstream: a short synthetic answer per served prompt (equal prompts, equal answers), token counts from the
 * request's {@code expectedOutputTokens} (prompt tokens about characters / 4), fixed synthetic latencies. Detectors
 * read the request side (messages, parameters, timing) and output token counts, so the stand-in answer text does
 * not change any signal.
 */
final class SimExchanges {
  private static final String[] ANSWERS = {
      "Here is a concise answer to your question.",
      "Sure. The short version is below.",
      "Good question; the key points follow.",
      "In brief, this is how it works.",
      "Below is a direct response.",
      "Here is what I would suggest.",
  };

  private SimExchanges() {}

  /**
   * The exchange for a request and what was done with it.
   *
   * @param status    200 when served, else the refusal status (403 blocked, 429 throttled)
   * @param errorCode OpenAI error code of a refusal, null when served
   */
  static Exchange exchange(SimRequest r, long seq, int status, String errorCode) {
    List<ChatMessage> messages = r.messages();
    String sha = Exchange.promptDigest(messages);
    int promptChars = Exchange.promptLength(messages);
    boolean served = status == 200;
    String answer = null;
    int promptTokens = 0;
    int completionTokens = 0;
    long latency = 1_000;
    long upstream = 0;
    long firstByte = 0;
    if (served) {
      long h = sha == null ? 0 : Long.parseUnsignedLong(sha, 0, 16, 16);
      answer = ANSWERS[(int) Math.floorMod(h, (long) ANSWERS.length)] + " [" + Long.toHexString(h & 0xffffffL)
          + "]";
      promptTokens = Math.max(1, (promptChars + 3) / 4);
      completionTokens = Math.max(0, r.expectedOutputTokens());
      firstByte = 250_000;
      upstream = firstByte + 20_000L * completionTokens;
      latency = upstream + 2_000;
    }
    return new Exchange("sim-" + Long.toString(seq, 36), r.time(), r.account().id(), r.account().id() + "-k",
        r.clientIp(), r.userAgent(), null, r.endpoint(), r.model(), r.params(), r.stream(), messages, answer, sha,
        promptChars, null, answer == null ? 0 : answer.length(), promptTokens, completionTokens, status,
        served ? Outcome.OK : Outcome.REJECTED, errorCode, latency, upstream, firstByte);
  }

  /** The result the simulated client sees for an exchange. */
  static SimResult result(Exchange e, long retryAfterSeconds) {
    return new SimResult(e.status(), retryAfterSeconds, e.responseText(), e.promptTokens(), e.completionTokens());
  }
}
