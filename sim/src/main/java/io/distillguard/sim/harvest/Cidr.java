package io.distillguard.sim.harvest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.SplittableRandom;

/** An IPv4 or IPv6 network in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:db8::/32}); draws addresses in it. */
public final class Cidr {
  private final byte[] base;
  private final int prefix;
  private final String text;

  private Cidr(byte[] base, int prefix, String text) {
    this.base = base;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Parses {@code address/prefix} (a bare address is a single host).
   *
   * @throws IllegalArgumentException naming the text when it is not a CIDR
   */
  public static Cidr parse(String s) {
    String t = s == null ? "" : s.trim();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    if (addr.isEmpty() || !addr.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("not a CIDR network: '" + t + "' (expected e.g. 203.0.113.0/24)");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(addr).getAddress(); // literal addresses only: no lookup for [0-9a-f:.]
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not a CIDR network: '" + t + "' (expected e.g. 203.0.113.0/24)");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("bad prefix length in '" + t + "': must be 0 to " + bits);
      }
    }
    for (int i = prefix; i < bits; i++) {
      bytes[i / 8] &= (byte) ~(0x80 >>> (i % 8));
    }
    return new Cidr(bytes, prefix, t);
  }

  /** A uniformly random address of the network. */
  public String random(SplittableRandom rng) {
    byte[] b = base.clone();
    int bits = b.length * 8;
    for (int i = prefix; i < bits; i++) {
      if (rng.nextBoolean()) {
        b[i / 8] |= (byte) (0x80 >>> (i % 8));
      }
    }
    try {
      return InetAddress.getByAddress(b).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
