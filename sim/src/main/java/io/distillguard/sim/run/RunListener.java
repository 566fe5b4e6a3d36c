package io.distillguard.sim.run;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.Verdict;
import io.distillguard.sim.SimRequest;
import java.time.Instant;

/**
 * What an in-process run tells whoever records it, in event order. For each request: {@link #onExchange} (after
 * enforcement decided, before detection saw it), then {@link #onVerdict} when detection raised the account's level
 * on that exchange. Samples come between requests, at most once per sample interval of event time.
 */
public interface RunListener {

  /** Before the first request. */
  default void onStart(TrafficSource source) {}

  /** One request and what the simulated gateway did with it; {@code exchange} is what detection is fed. */
  void onExchange(SimRequest request, Disposition disposition, Exchange exchange);

  /** Detection raised the level of the request's account; enforcement applies it from the next request on. */
  void onVerdict(SimRequest request, Verdict verdict);

  /** A periodic look at every account's risk, as of {@code at} (no request at or after it processed yet). */
  default void onSample(Instant at, DetectionEngine engine) {}

  /** Cross-account linkage acted on an account (its cluster's level rose, or it joined a cluster at a level). */
  default void onLinkage(io.distillguard.linkage.LinkageAction action) {}

  /** After the last request and linkage's final recomputation, when the run has linkage. */
  default void onLinkageEnd(io.distillguard.linkage.LinkageEngine linkage) {}

  /** After the last request; {@code at} is the end of the simulated period. */
  default void onEnd(Instant at, TrafficSource source) {}
}
