package io.distillguard.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hash of an audit entry: {@code hex(SHA-256(UTF-8(prevHash + "\n" + canonical)))}, where {@code canonical} is
 * the JSON array {@code [seq, atMicros, actor, action, subject, details]} with {@code details} an object whose keys
 * are sorted (by {@link String#compareTo}).
 *
 * <p>The canonical form is written by hand, not by a JSON library: entries must verify for as long as the log is kept,
 * so its bytes must not depend on a library's formatting choices across upgrades. Strings are escaped minimally and
 * unambiguously: {@code "} and {@code \} with a backslash, every character below U+0020 as {@code \}{@code uXXXX},
 * everything else as itself. Null strings are {@code null}.
 */
final class AuditChain {

  /** The {@code prevHash} of the first entry. */
  static final String GENESIS = "0".repeat(64);

  private AuditChain() {}

  static String hash(
      String prevHash, long seq, long atMicros, String actor, String action, String subject,
      Map<String, String> details) {
    StringBuilder sb = new StringBuilder(256).append(prevHash).append('\n');
    sb.append('[').append(seq).append(',').append(atMicros).append(',');
    string(sb, actor).append(',');
    string(sb, action).append(',');
    string(sb, subject).append(",{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(details).entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(sb, e.getKey()).append(':');
      string(sb, e.getValue());
    }
    sb.append("}]");
    return HexFormat.of().formatHex(sha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static StringBuilder string(StringBuilder sb, String s) {
    if (s == null) {
      return sb.append("null");
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"');
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
