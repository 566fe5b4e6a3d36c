package io.distillguard.sim;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import java.time.Instant;
import java.util.List;

/**
 * One request a simulated client sends.
 *
 * @param time                  simulated send time (the event time in replay mode)
 * @param clientIp              the client address presented through {@code X-Forwarded-For}
 * @param endpoint              {@code /v1/chat/completions} or {@code /v1/completions}
 * @param expectedOutputTokens  how long a typical answer to this request is (for in-process runs, which have no
 *                              upstream)
 * @param attack                true when this request is attack traffic (a mixed proxy account sends both kinds)
 */
public record SimRequest(
    SimAccount account,
    Instant time,
    String clientIp,
    String userAgent,
    String endpoint,
    String model,
    List<ChatMessage> messages,
    SamplingParams params,
    boolean stream,
    int expectedOutputTokens,
    boolean attack) {

  public SimRequest {
    messages = List.copyOf(messages);
  }
}
