package io.distillguard.linkage;

/**
 * Client addresses reduced to the subnet an operator rents or a company NATs behind: IPv4 /24, IPv6 /48. The value
 * is reversible ({@link #cidr}), so indicator bundles can carry subnets in CIDR notation. Parses literals only (never
 * resolves names), and anything that is not an address gives 0.
 */
public final class Subnets {
  private static final long V4 = 1L << 56;
  private static final long V6 = 2L << 56;

  private Subnets() {}

  /** The subnet of an address literal, or 0 for null, a name, or malformed input. */
  public static long of(String ip) {
    if (ip == null || ip.isEmpty() || ip.length() > 64) {
      return 0;
    }
    return ip.indexOf(':') >= 0 ? v6(ip) : v4(ip);
  }

  /** CIDR notation of a subnet value ({@code 203.0.113.0/24}, {@code 2001:db8:7::/48}); null for 0. */
  public static String cidr(long subnet) {
    if ((subnet & V4) != 0 && (subnet & V6) == 0) {
      long v = subnet & 0xFFFFFF;
      return (v >>> 16) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF) + ".0/24";
    }
    if ((subnet & V6) != 0) {
      long v = subnet & 0xFFFF_FFFF_FFFFL;
      return Long.toHexString(v >>> 32) + ":" + Long.toHexString((v >>> 16) & 0xFFFF) + ":"
          + Long.toHexString(v & 0xFFFF) + "::/48";
    }
    return null;
  }

  /** Parses CIDR notation as {@link #cidr} writes it (any host part is ignored); 0 when malformed. */
  public static long parseCidr(String cidr) {
    if (cidr == null) {
      return 0;
    }
    int slash = cidr.indexOf('/');
    String addr = slash < 0 ? cidr : cidr.substring(0, slash);
    if (slash >= 0) {
      String bits = cidr.substring(slash + 1);
      boolean six = addr.indexOf(':') >= 0;
      if (!bits.equals(six ? "48" : "24")) {
        return 0;
      }
    }
    return of(addr);
  }

  private static long v4(String ip) {
    long v = 0;
    int octets = 0;
    int cur = -1;
    for (int i = 0; i <= ip.length(); i++) {
      char c = i == ip.length() ? '.' : ip.charAt(i);
      if (c >= '0' && c <= '9') {
        cur = (cur < 0 ? 0 : cur * 10) + (c - '0');
        if (cur > 255) {
          return 0;
        }
      } else if (c == '.') {
        if (cur < 0 || octets == 4) {
          return 0;
        }
        if (octets < 3) {
          v = (v << 8) | cur;
        }
        octets++;
        cur = -1;
      } else {
        return 0;
      }
    }
    return octets == 4 ? V4 | v : 0;
  }

  private static long v6(String ip) {
    String s = ip;
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.indexOf('.') >= 0) {
      return 0; // IPv4-mapped forms are left out: a proxy would present the IPv4 address itself
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return 0;
    }
    String head = dbl >= 0 ? s.substring(0, dbl) : s;
    String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
    int[] h = groups(head);
    int[] t = groups(tail);
    if (h == null || t == null || h.length + t.length > 8 || (dbl < 0 && h.length != 8)) {
      return 0;
    }
    int[] all = new int[8];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(t, 0, all, 8 - t.length, t.length);
    return V6 | ((long) all[0] << 32) | ((long) all[1] << 16) | all[2];
  }

  private static int[] groups(String s) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        int d = Character.digit(p.charAt(k), 16);
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      out[i] = v;
    }
    return out;
  }
}
