package io.distillguard.linkage;

/**
 * Linkage keys: 64-bit values under which accounts that share something are filed, so that candidate pairs come
 * from shared keys and never from comparing all pairs. The top six bits say what was shared (a tag); the rest is a
 * mixed hash of the shared value.
 */
final class Keys {
  static final int PAYMENT = 1;
  static final int SIGNUP_DOMAIN = 2;
  static final int SIGNUP_SUBNET = 3;
  static final int SUBNET = 4;
  static final int CLIENT = 5;
  static final int SYSTEM = 6;
  static final int TEMPLATE = 7;
  static final int TIMING = 8;

  private static final long MASK = (1L << 58) - 1;

  private Keys() {}

  static long of(int tag, long value) {
    return ((long) tag << 58) | (mix(value ^ ((long) tag * 0x9E3779B97F4A7C15L)) & MASK);
  }

  static int tag(long key) {
    return (int) (key >>> 58);
  }

  /** The family a key's sharing counts for. */
  static Family family(long key) {
    switch (tag(key)) {
      case PAYMENT:
      case SIGNUP_DOMAIN:
      case SIGNUP_SUBNET:
        return Family.IDENTITY;
      case SUBNET:
        return Family.NETWORK;
      case CLIENT:
        return Family.CLIENT;
      case SYSTEM:
      case TEMPLATE:
        return Family.CONTENT;
      default:
        return Family.TIMING;
    }
  }

  /** murmur3's 64-bit finalizer: spreads structured values (subnets, small ints) over all bits. */
  static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
