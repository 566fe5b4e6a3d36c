package io.distillguard.gateway.net;

import io.vertx.core.MultiMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A short fingerprint of the client software: the request's header names, lower-cased, in the order sent. Two
 * accounts driven by the same scraper share it even when they rotate user agents; values are left out so it does
 * not change with every key or body length.
 */
public final class HeaderFingerprint {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private HeaderFingerprint() {}

  public static String of(MultiMap headers) {
    long h = FNV_OFFSET;
    for (Map.Entry<String, String> e : headers) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      for (int i = 0; i < name.length(); i++) {
        h ^= name.charAt(i);
        h *= FNV_PRIME;
      }
      h ^= ',';
      h *= FNV_PRIME;
    }
    return HexFormat.of().toHexDigits(h);
  }
}
