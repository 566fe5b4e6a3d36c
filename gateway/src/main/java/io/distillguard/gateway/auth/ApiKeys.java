package io.distillguard.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The format of API keys: {@code sk-dg-<key id>.<secret>}. The key id (12 base32 characters) is public and finds the
 * stored record; the secret (256 random bits, base64url) is only ever stored as its SHA-256 and compared in
 * constant time. A fast hash is right here: the secret has full entropy, so there is nothing to brute-force.
 */
public final class ApiKeys {
  public static final String PREFIX = "sk-dg-";
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final int KEY_ID_LENGTH = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  /** A newly generated key. */
  public record Generated(String keyId, String key, byte[] secretHash) {}

  /** A key as presented by a client, split into its parts. */
  public record Presented(String keyId, byte[] secretHash) {}

  public static Generated generate() {
    char[] id = new char[KEY_ID_LENGTH];
    for (int i = 0; i < id.length; i++) {
      id[i] = BASE32[RANDOM.nextInt(BASE32.length)];
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String keyId = new String(id);
    return new Generated(keyId, PREFIX + keyId + "." + secretText, hash(secretText));
  }

  /** Splits a presented key; null when it does not have the shape of one of ours. */
  public static Presented parse(String key) {
    if (key == null || key.length() > 256 || !key.startsWith(PREFIX)) {
      return null;
    }
    int dot = key.indexOf('.', PREFIX.length());
    if (dot != PREFIX.length() + KEY_ID_LENGTH || dot == key.length() - 1) {
      return null;
    }
    String keyId = key.substring(PREFIX.length(), dot);
    for (int i = 0; i < keyId.length(); i++) {
      char c = keyId.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
        return null;
      }
    }
    return new Presented(keyId, hash(key.substring(dot + 1)));
  }

  /** Constant-time comparison of two secret hashes. */
  public static boolean matches(byte[] stored, byte[] presented) {
    return MessageDigest.isEqual(stored, presented);
  }

  /** One digest per thread: looking the algorithm up through the providers costs more than hashing a key. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private static byte[] hash(String secret) {
    MessageDigest md = SHA256.get();
    md.reset();
    return md.digest(secret.getBytes(StandardCharsets.US_ASCII));
  }
}
