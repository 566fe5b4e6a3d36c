package io.distillguard.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Aggregates over the exchange log and the alerts feed for the dashboard, computed by the database. */
public interface Analytics {

  /** One account's traffic: exchanges recorded and the event time of the last. */
  record Activity(long exchanges, long rejected, Instant lastSeen) {}

  /**
   * Counts in one time bucket starting at {@code start}; {@code part} is the share that matters most: exchanges the
   * gateway rejected, or alerts that blocked.
   */
  record Bucket(Instant start, long count, long part) {}

  /** Every account's activity, by account id (accounts without traffic are absent). */
  Map<String, Activity> activity();

  /** Event time of the newest exchange, or null when there is none. */
  Instant latestExchange();

  /** Exchanges per bucket in {@code [from, to)}, empty buckets included, oldest first. */
  List<Bucket> traffic(Instant from, Instant to, Duration bucket);

  /** Alerts per bucket by the event time that triggered them (part: to block), in {@code [from, to)}. */
  List<Bucket> alerts(Instant from, Instant to, Duration bucket);
}
