package io.distillguard.sim.population;

import java.util.SplittableRandom;

/**
 * Client and signup addresses. Residential addresses come from per-country blocks; companies sit behind a NAT in
 * one /24; product integrations and proxies egress from cloud and hosting ranges. Addresses are invented (no
 * real allocation is implied) but consistent: the same kind of client always gets the same kind of block.
 */
public final class IpSpace {
  /** First octets of large cloud providers' ranges (integrations, licensed users, reseller backends). */
  static final int[] CLOUD = {3, 13, 18, 20, 34, 35, 40, 52, 54, 104, 137};
  /** First octets of hosting/VPS and proxy-provider ranges (where campaign infrastructure is rented). */
  static final int[] HOSTING = {5, 23, 45, 46, 62, 91, 141, 146, 185, 188, 193, 194, 195, 212};

  private IpSpace() {}

  /** A /24 subnet, addresses cached as strings. */
  public static final class Subnet {
    private final int a;
    private final int b;
    private final int c;
    private final String prefix;
    private final String[] cache = new String[256];

    public Subnet(int a, int b, int c) {
      this.a = a;
      this.b = b;
      this.c = c;
      this.prefix = a + "." + b + "." + c + ".";
    }

    /** Address with the given host byte (1..254). */
    public String address(int host) {
      int h = Math.floorMod(host - 1, 254) + 1;
      String s = cache[h];
      if (s == null) {
        s = prefix + h;
        cache[h] = s;
      }
      return s;
    }

    public String random(SplittableRandom rng) {
      return address(1 + rng.nextInt(254));
    }

    /** CIDR notation, e.g. {@code 185.7.33.0/24}. */
    public String cidr() {
      return prefix + "0/24";
    }

    public boolean contains(String ip) {
      return ip.startsWith(prefix);
    }

    @Override
    public String toString() {
      return cidr();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Subnet s && s.a == a && s.b == b && s.c == c;
    }

    @Override
    public int hashCode() {
      return (a << 16) ^ (b << 8) ^ c;
    }
  }

  public static Subnet subnet(int[] firstOctets, SplittableRandom rng) {
    return new Subnet(firstOctets[rng.nextInt(firstOctets.length)], rng.nextInt(256), rng.nextInt(256));
  }

  public static String residential(Geo.Country country, SplittableRandom rng) {
    return subnet(country.ipBlocks(), rng).random(rng);
  }

  public static Subnet corporate(Geo.Country country, SplittableRandom rng) {
    return subnet(country.ipBlocks(), rng);
  }

  public static Subnet cloud(SplittableRandom rng) {
    return subnet(CLOUD, rng);
  }

  public static Subnet hosting(SplittableRandom rng) {
    return subnet(HOSTING, rng);
  }

  /** A residential address in a random country (residential proxy exits). */
  public static String residentialAnywhere(SplittableRandom rng) {
    return residential(Geo.pick(rng), rng);
  }
}
