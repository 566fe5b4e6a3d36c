package io.distillguard.sim.run;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The digests of {@link Exchange#promptDigest} and {@link Exchange#textDigest}, computed with one reused
 * {@link MessageDigest} and a table hex encoder: the same strings, at a fraction of the cost (looking up a digest
 * provider and {@code HexFormat} cost more than hashing a short prompt). While hashing a prompt it also keeps the
 * UTF-8 bytes of its last user message, which {@link SyntheticAnswers} scans instead of the string. One instance per
 * thread.
 */
final class Digests {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USER = "user".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SYSTEM = "system".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ASSISTANT = "assistant".getBytes(StandardCharsets.UTF_8);

  private final MessageDigest sha = sha256();
  private final byte[] hex = new byte[64];
  /** UTF-8 bytes of the last non-system, non-assistant message of the latest {@link #prompt}; empty if none. */
  byte[] lastUserText = new byte[0];

  /** {@link Exchange#promptDigest}: over every message's role and content; null for no messages. */
  String prompt(List<ChatMessage> messages) {
    lastUserText = new byte[0];
    if (messages == null || messages.isEmpty()) {
      return null;
    }
    sha.reset();
    for (ChatMessage m : messages) {
      String role = m.role();
      sha.update(roleBytes(role));
      sha.update((byte) 0);
      byte[] content = String.valueOf(m.content()).getBytes(StandardCharsets.UTF_8);
      sha.update(content);
      sha.update((byte) 1);
      if (m.content() != null && !"assistant".equals(role) && !"system".equals(role)) {
        lastUserText = content;
      }
    }
    return hex(sha.digest());
  }

  /** {@link Exchange#textDigest}; null for null. */
  String text(String text) {
    if (text == null) {
      return null;
    }
    sha.reset();
    return hex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] roleBytes(String role) {
    if ("user".equals(role)) {
      return USER;
    }
    if ("system".equals(role)) {
      return SYSTEM;
    }
    if ("assistant".equals(role)) {
      return ASSISTANT;
    }
    return String.valueOf(role).getBytes(StandardCharsets.UTF_8);
  }

  private String hex(byte[] d) {
    for (int i = 0; i < d.length; i++) {
      hex[2 * i] = HEX[(d[i] >> 4) & 0xf];
      hex[2 * i + 1] = HEX[d[i] & 0xf];
    }
    return new String(hex, 0, 2 * d.length, StandardCharsets.ISO_8859_1);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
