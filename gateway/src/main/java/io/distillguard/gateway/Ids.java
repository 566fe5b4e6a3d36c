package io.distillguard.gateway;

import java.util.concurrent.ThreadLocalRandom;

/** Exchange ids: time-ordered (milliseconds first) with 64 random bits, so ids sort by arrival and never collide. */
public final class Ids {
  private Ids() {}

  public static String exchangeId() {
    return String.format("ex_%011x%016x", System.currentTimeMillis(), ThreadLocalRandom.current().nextLong());
  }
}
