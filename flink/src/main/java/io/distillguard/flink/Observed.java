package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.linkage.Observation;
import java.util.Objects;

/**
 * An accepted exchange on its way to linkage, with what the stage keyed by account made of it ({@link LinkageKeys}):
 * its observation, its number among the account's exchanges, and the keys it files the account under (each answered
 * by the stage keyed by linkage key).
 *
 * @param sequence the exchange's number among its account's exchanges, from 1
 * @param keys     the keys filed, in filing order (often none); not copied, not to be changed
 */
public record Observed(Exchange exchange, Observation observation, long sequence, long[] keys) {

  public Observed {
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(observation, "observation");
    Objects.requireNonNull(keys, "keys");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Observed x && x.exchange.equals(exchange) && x.observation.equals(observation)
        && x.sequence == sequence && java.util.Arrays.equals(x.keys, keys);
  }

  @Override
  public int hashCode() {
    return exchange.hashCode() * 31 + Long.hashCode(sequence);
  }

  @Override
  public String toString() {
    return "Observed[" + sequence + ", " + keys.length + " keys]";
  }
}
