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
 * @param linkageThreads  threads linkage's one subtask scores candidate pairs on during a recomputation (1: its own
 *                        thread only); the clusters are the same whatever the number
 * @param linkageKeyParallelism subtasks of linkage's stage keyed by linkage key, 0 for the job's parallelism; the
 *                        clusters are the same whatever the number (the profiles' stage folds exchanges in the order
 *                        they reach it, whichever subtask answers their filings)
 */
public record JobSettings(EngineSpec engine, Duration stateTtl, Duration dedupeTtl, Duration outOfOrderness,
    Duration allowedLateness, Duration idleness, Duration linkageInterval, boolean linkage, int linkageThreads,
    int linkageKeyParallelism) implements Serializable {

  public JobSettings {
    Objects.requireNonNull(engine, "engine");
    positive(stateTtl, "state TTL");
    positive(dedupeTtl, "dedupe TTL");
    notNegative(outOfOrderness, "out-of-orderness");
    notNegative(allowedLateness, "allowed lateness");
    positive(idleness, "idleness");
    positive(linkageInterval, "linkage interval");
    if (linkageThreads < 1 || linkageThreads > 256) {
      throw new IllegalArgumentException("linkage threads must be between 1 and 256");
    }
    if (linkageKeyParallelism < 0 || linkageKeyParallelism > 32_768) {
      throw new IllegalArgumentException("linkage key parallelism must be between 0 (the job's) and 32768");
    }
  }

  /** Defaults: state kept 7 days idle, ids 1 hour, 5 s out of order, 1 min lateness, clusters every 5 minutes. */
  public static JobSettings defaults() {
    return new JobSettings(EngineSpec.defaults(), Duration.ofDays(7), Duration.ofHours(1), Duration.ofSeconds(5),
        Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(5), true, 1, 0);
  }

  public JobSettings withEngine(EngineSpec e) {
    return new JobSettings(e, stateTtl, dedupeTtl, outOfOrderness, allowedLateness, idleness, linkageInterval,
        linkage, linkageThreads, linkageKeyParallelism);
  }

  public JobSettings withLateness(Duration outOfOrder, Duration lateness) {
    return new JobSettings(engine, stateTtl, dedupeTtl, outOfOrder, lateness, idleness, linkageInterval, linkage,
        linkageThreads, linkageKeyParallelism);
  }

  public JobSettings withLinkage(boolean on, Duration interval) {
    return new JobSettings(engine, stateTtl, dedupeTtl, outOfOrderness, allowedLateness, idleness, interval, on,
        linkageThreads, linkageKeyParallelism);
  }

  public JobSettings withTtl(Duration state, Duration dedupe) {
    return new JobSettings(engine, state, dedupe, outOfOrderness, allowedLateness, idleness, linkageInterval,
        linkage, linkageThreads, linkageKeyParallelism);
  }

  public JobSettings withLinkageThreads(int n) {
    return new JobSettings(engine, stateTtl, dedupeTtl, outOfOrderness, allowedLateness, idleness, linkageInterval,
        linkage, n, linkageKeyParallelism);
  }

  public JobSettings withLinkageKeyParallelism(int n) {
    return new JobSettings(engine, stateTtl, dedupeTtl, outOfOrderness, allowedLateness, idleness, linkageInterval,
        linkage, linkageThreads, n);
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
