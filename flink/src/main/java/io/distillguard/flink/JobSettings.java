package io.distillguard.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * What the job's operators need to know, apart from where records come from and go to.
 *
 * @param engine          the detection engine every operator builds
 * @param stateTtl        an idle account's detection state is dropped after this long (processing time)
 * @param dedupeTtl       exchange ids are remembered this long to drop re-sent exchanges
 * @param outOfOrderness  the watermark trails the largest event time seen by this much
 * @param allowedLateness an exchange this far behind the watermark is still folded in; later ones are not
 * @param idleness        a partition without records for this long stops holding the watermark back
 * @param linkageInterval clusters are recomputed at each multiple of this on event time
 * @param linkage         false to run per-account detection only
 */
public record JobSettings(EngineSpec engine, Duration stateTtl, Duration dedupeTtl, Duration outOfOrderness,
    Duration allowedLateness, Duration idleness, Duration linkageInterval, boolean linkage) implements Serializable {

  public JobSettings {
    Objects.requireNonNull(engine, "engine");
    positive(stateTtl, "state TTL");
    positive(dedupeTtl, "dedupe TTL");
    notNegative(outOfOrderness, "out-of-orderness");
    notNegative(allowedLateness, "allowed lateness");
    positive(idleness, "idleness");
    positive(linkageInterval, "linkage interval");
  }

  /** Defaults: state kept 7 days idle, ids 1 hour, 5 s out of order, 1 min lateness, clusters every 5 minutes. */
  public static JobSettings defaults() {
    return new JobSettings(EngineSpec.defaults(), Duration.ofDays(7), Duration.ofHours(1), Duration.ofSeconds(5),
        Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(5), true);
  }

  public JobSettings withEngine(EngineSpec e) {
    return new JobSettings(e, stateTtl, dedupeTtl, outOfOrderness, allowedLateness, idleness, linkageInterval,
        linkage);
  }

  public JobSettings withLateness(Duration outOfOrder, Duration lateness) {
    return new JobSettings(engine, stateTtl, dedupeTtl, outOfOrder, lateness, idleness, linkageInterval, linkage);
  }

  public JobSettings withLinkage(boolean on, Duration interval) {
    return new JobSettings(engine, stateTtl, dedupeTtl, outOfOrderness, allowedLateness, idleness, interval, on);
  }

  public JobSettings withTtl(Duration state, Duration dedupe) {
    return new JobSettings(engine, state, dedupe, outOfOrderness, allowedLateness, idleness, linkageInterval,
        linkage);
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  private static void notNegative(Duration d, String name) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative");
    }
  }
}
