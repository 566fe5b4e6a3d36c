package io.distillguard.provenance.watermark;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed pseudo-random choice behind the watermark: HMAC-SHA256 of (context, variant set) under the key gives
 * two independent uniform numbers, one deciding whether this (context, set) is watermarked at a given strength and
 * one picking its preferred variant, uniformly among the set's words.
 *
 * <p>Because the preferred variant is uniform and depends on nothing but the key, a text written without the key
 * hits it with probability exactly 1/|set| at every distinct (context, set), whatever the text's own word
 * frequencies: that is the null hypothesis the detector tests. Conditioning on the context (CATER) means each word
 * of a set is preferred in some contexts and not in others, so single-word frequency counts do not reveal the
 * watermark.
 *
 * <p>Not thread-safe (one {@link Mac}); create one per thread or per answer.
 */
public final class KeyedChoice {
  private final Mac mac;
  private final byte[] setBytes = new byte[5];
  private long last;

  public KeyedChoice(WatermarkKey key) {
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Computes the choice for a word of set {@code setId} after {@code context}; read it with the accessors. */
  public KeyedChoice at(String context, int setId) {
    mac.update(context.getBytes(StandardCharsets.UTF_8));
    setBytes[0] = 0;
    setBytes[1] = (byte) (setId >>> 24);
    setBytes[2] = (byte) (setId >>> 16);
    setBytes[3] = (byte) (setId >>> 8);
    setBytes[4] = (byte) setId;
    mac.update(setBytes);
    last = ByteBuffer.wrap(mac.doFinal()).getLong();
    return this;
  }

  /** Whether this (context, set) is watermarked at {@code strength} (0..1); stronger keys select a superset. */
  public boolean selected(double strength) {
    return (last >>> 32) < strength * 4294967296.0;
  }

  /** The preferred variant's index among {@code size} variants. */
  public int preferred(int size) {
    return (int) (((last & 0xffffffffL) * size) >>> 32);
  }
}
