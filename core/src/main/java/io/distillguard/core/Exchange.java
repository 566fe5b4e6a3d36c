package io.distillguard.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One request through the gateway and what came of it: the unit every detector consumes and the exchange log keeps.
 *
 * <p>Text fields are null when the exchange log redacts text; the SHA-256 digests and character counts of prompt
 * and response are always kept, so repetition can still be found in a redacted log.
 *
 * @param id                unique, assigned by the gateway; the exchange log stores each id once
 * @param eventTime         when the request arrived (in replay mode: the time the client stated)
 * @param accountId         null when the request could not be authenticated
 * @param keyId             null when the request could not be authenticated
 * @param headerFingerprint hash of the request's header names in their order (client software fingerprint)
 * @param endpoint          e.g. {@code /v1/chat/completions}
 * @param promptSha256      digest over every message's role and content, hex
 * @param status            HTTP status the client received (200 for a stream that started, even if cut later)
 * @param errorCode         OpenAI-style error code when the exchange failed, else null
 * @param latencyMicros     from the first byte of the request to the last byte of the answer
 * @param upstreamMicros    time the upstream took, from sending the request to its last byte (0 if never sent)
 * @param firstByteMicros   time from sending the request upstream to its first response byte (0 if none)
 * @param accountTier       the account's tier when the request arrived, or null when unknown: it travels with the
 *                          exchange so that detection away from the gateway (the Flink job) holds the account to its
 *                          tier's levels as the gateway's own detection does
 */
public record Exchange(
    String id,
    Instant eventTime,
    String accountId,
    String keyId,
    String clientIp,
    String userAgent,
    String headerFingerprint,
    String endpoint,
    String model,
    SamplingParams params,
    boolean stream,
    List<ChatMessage> messages,
    String responseText,
    String promptSha256,
    int promptChars,
    String responseSha256,
    int responseChars,
    int promptTokens,
    int completionTokens,
    int status,
    Outcome outcome,
    String errorCode,
    long latencyMicros,
    long upstreamMicros,
    long firstByteMicros,
    String accountTier) {

  public Exchange {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(outcome, "outcome");
    params = params == null ? SamplingParams.NONE : params;
    messages = messages == null ? List.of() : List.copyOf(messages);
  }

  /** An exchange whose account's tier is not known. */
  public Exchange(String id, Instant eventTime, String accountId, String keyId, String clientIp, String userAgent,
      String headerFingerprint, String endpoint, String model, SamplingParams params, boolean stream,
      List<ChatMessage> messages, String responseText, String promptSha256, int promptChars, String responseSha256,
      int responseChars, int promptTokens, int completionTokens, int status, Outcome outcome, String errorCode,
      long latencyMicros, long upstreamMicros, long firstByteMicros) {
    this(id, eventTime, accountId, keyId, clientIp, userAgent, headerFingerprint, endpoint, model, params, stream,
        messages, responseText, promptSha256, promptChars, responseSha256, responseChars, promptTokens,
        completionTokens, status, outcome, errorCode, latencyMicros, upstreamMicros, firstByteMicros, null);
  }

  /** The same exchange with the account's tier. */
  public Exchange withAccountTier(String tier) {
    return new Exchange(id, eventTime, accountId, keyId, clientIp, userAgent, headerFingerprint, endpoint, model,
        params, stream, messages, responseText, promptSha256, promptChars, responseSha256, responseChars, promptTokens,
        completionTokens, status, outcome, errorCode, latencyMicros, upstreamMicros, firstByteMicros, tier);
  }

  /** The text of every user (or prompt/input) message, joined by blank lines; empty when redacted or absent. */
  public String userText() {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : messages) {
      if (m.content() != null && !"assistant".equals(m.role()) && !"system".equals(m.role())) {
        if (sb.length() > 0) {
          sb.append("\n\n");
        }
        sb.append(m.content());
      }
    }
    return sb.toString();
  }

  /** A copy without prompt and response text; digests and lengths are kept. */
  public Exchange redacted() {
    List<ChatMessage> stripped = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      stripped.add(new ChatMessage(m.role(), null));
    }
    return new Exchange(id, eventTime, accountId, keyId, clientIp, userAgent, headerFingerprint, endpoint, model,
        params, stream, stripped, null, promptSha256, promptChars, responseSha256, responseChars, promptTokens,
        completionTokens, status, outcome, errorCode, latencyMicros, upstreamMicros, firstByteMicros, accountTier);
  }

  /** Digest over the messages as {@link #promptSha256} defines it; null for no messages. */
  public static String promptDigest(List<ChatMessage> messages) {
    if (messages == null || messages.isEmpty()) {
      return null;
    }
    MessageDigest md = sha256();
    for (ChatMessage m : messages) {
      md.update(String.valueOf(m.role()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(String.valueOf(m.content()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 1);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** SHA-256 of a text as hex; null for null. */
  public static String textDigest(String text) {
    if (text == null) {
      return null;
    }
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Total characters of message contents. */
  public static int promptLength(List<ChatMessage> messages) {
    int n = 0;
    for (ChatMessage m : messages) {
      n += m.content() == null ? 0 : m.content().length();
    }
    return n;
  }

  /** One digest per thread: the provider look-up of getInstance costs more than hashing a prompt. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  });

  private static MessageDigest sha256() {
    MessageDigest md = SHA256.get();
    md.reset();
    return md;
  }
}
