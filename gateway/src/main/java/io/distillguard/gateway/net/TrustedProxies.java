package io.distillguard.gateway.net;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides the client address of a request: the socket peer, or the address a trusted proxy reports in
 * {@code X-Forwarded-For}. Only literal IP addresses are accepted (no name is ever resolved), so a hostile header
 * cannot make the gateway do DNS look-ups.
 */
public final class TrustedProxies {
  private final List<Cidr> trusted;

  public TrustedProxies(List<String> cidrs) {
    List<Cidr> list = new ArrayList<>();
    for (String c : cidrs) {
      list.add(parseCidr(c));
    }
    this.trusted = List.copyOf(list);
  }

  /**
   * The client address: walking {@code X-Forwarded-For} from the right, the first hop that is not a trusted proxy.
   * Entries that are not IP literals end the walk (everything left of them is unverifiable).
   *
   * @param peer          the socket peer address (an IP literal)
   * @param forwardedFor  the {@code X-Forwarded-For} header, or null
   */
  public String clientAddress(String peer, String forwardedFor) {
    byte[] peerBytes = NetUtil.createByteArrayFromIpAddressString(peer);
    if (forwardedFor == null || peerBytes == null || !isTrusted(peerBytes)) {
      return peer;
    }
    String candidate = peer;
    int end = forwardedFor.length();
    while (end > 0) {
      int comma = forwardedFor.lastIndexOf(',', end - 1);
      String hop = forwardedFor.substring(comma + 1, end).trim();
      end = comma < 0 ? 0 : comma;
      byte[] hopBytes = NetUtil.createByteArrayFromIpAddressString(hop);
      if (hopBytes == null) {
        return candidate;
      }
      candidate = NetUtil.bytesToIpAddress(hopBytes);
      if (!isTrusted(hopBytes)) {
        return candidate;
      }
    }
    return candidate;
  }

  boolean isTrusted(byte[] address) {
    for (Cidr c : trusted) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** Parses {@code 10.0.0.0/8}, {@code ::1/128} or a bare address (a /32 or /128). */
  public static Cidr parseCidr(String text) {
    if (text == null) {
      throw new IllegalArgumentException("empty CIDR block");
    }
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text.trim() : text.substring(0, slash).trim();
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
    }
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
      }
    }
    return new Cidr(bytes, prefix);
  }

  /** An address block. IPv4-mapped IPv6 peers are compared as IPv4. */
  public record Cidr(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      byte[] a = address;
      if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
        a = java.util.Arrays.copyOfRange(a, 12, 16);
      }
      if (a.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
      for (int i = 0; i < 10; i++) {
        if (a[i] != 0) {
          return false;
        }
      }
      return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
  }
}
