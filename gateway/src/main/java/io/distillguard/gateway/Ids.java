package io.distillguard.gateway;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Exchange ids: time-ordered (milliseconds first) with 64 random bits, so ids sort by arrival and never collide. */
public final class Ids {
  private Ids() {}

  private static final HexFormat HEX = HexFormat.of();

  public static String exchangeId() {
    // Built by hand: String.format costs more than the rest of the id's work together, on every request.
    String millis = HEX.toHexDigits(System.currentTimeMillis());
    return "ex_" + millis.substring(16 - 11) + HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
  }
}
