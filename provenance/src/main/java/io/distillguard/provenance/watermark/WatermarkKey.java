package io.distillguard.provenance.watermark;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A secret watermark key and what it belongs to. Keys are derived from one master secret with HMAC-SHA256 over a
 * label ({@code distillguard/watermark/v1/<scope>/<id>}), so the gateway never stores per-account keys and a probe
 * holding the master secret can rebuild the key of any account, cluster or the global key from its id alone.
 *
 * <p>{@link #toString} never shows the key bytes.
 */
public final class WatermarkKey {
  /** What a key is for; the scope is part of the derivation label. */
  public enum Scope { GLOBAL, ACCOUNT, CLUSTER, RANDOM }

  private final Scope scope;
  private final String id;
  private final byte[] secret;

  private WatermarkKey(Scope scope, String id, byte[] secret) {
    this.scope = scope;
    this.id = id;
    this.secret = secret;
  }

  /**
   * @param master the master secret (at least 16 bytes)
   * @param id     the account or cluster id; ignored for {@link Scope#GLOBAL}
   */
  public static WatermarkKey derive(byte[] master, Scope scope, String id) {
    if (master == null || master.length < 16) {
      throw new IllegalArgumentException("the watermark master secret must have 16 bytes at least");
    }
    String label = "distillguard/watermark/v1/" + scope.name().toLowerCase(java.util.Locale.ROOT) + "/"
        + (scope == Scope.GLOBAL ? "" : id);
    return new WatermarkKey(scope, scope == Scope.GLOBAL ? "global" : id, hmac(master,
        label.getBytes(StandardCharsets.UTF_8)));
  }

  public static WatermarkKey account(byte[] master, String accountId) {
    return derive(master, Scope.ACCOUNT, accountId);
  }

  /**
   * A key nobody used: the probe scores the same text under many of these to show the null distribution of its
   * own text. Derived from a fixed label, so a report is reproducible.
   */
  public static WatermarkKey random(int n) {
    byte[] seed = "distillguard/watermark/v1/null-keys".getBytes(StandardCharsets.UTF_8);
    return new WatermarkKey(Scope.RANDOM, "null-" + n, hmac(seed, Integer.toString(n).getBytes(StandardCharsets.UTF_8)));
  }

  public Scope scope() {
    return scope;
  }

  public String id() {
    return id;
  }

  /** A copy of the key bytes, for the PRF. */
  byte[] secret() {
    return secret.clone();
  }

  static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WatermarkKey k && k.scope == scope && k.id.equals(id) && Arrays.equals(k.secret, secret);
  }

  @Override
  public int hashCode() {
    return scope.hashCode() * 31 + id.hashCode();
  }

  @Override
  public String toString() {
    return scope.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
  }
}
