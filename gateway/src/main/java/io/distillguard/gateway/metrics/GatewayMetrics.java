package io.distillguard.gateway.metrics;

import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.detection.DetectionService;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.gateway.limits.Limiter;
import io.distillguard.gateway.log.ExchangeLog;
import io.distillguard.core.detect.RiskLevel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's Prometheus metrics. The overhead timer is the point of the product's latency promise: the time a
 * request spent in the gateway itself, i.e. total latency minus the time spent waiting for the upstream.
 */
public final class GatewayMetrics {
  private static final double[] SCORE_BUCKETS = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6,
      0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0};
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void bindExchangeLog(ExchangeLog log) {
    Gauge.builder("distillguard.exchange.queue.depth", log, ExchangeLog::queueDepth)
        .description("Exchanges waiting in memory for the store").register(registry);
    Gauge.builder("distillguard.exchange.backlog", log, ExchangeLog::backlog)
        .description("Exchanges journaled but not yet committed to the store").register(registry);
    FunctionCounter.builder("distillguard.exchange.spilled", log, ExchangeLog::spilled)
        .description("Exchanges that found the queue full and were read back from the journal").register(registry);
    FunctionCounter.builder("distillguard.exchange.dropped", log, ExchangeLog::dropped)
        .description("Exchanges lost because both journal and queue failed (must stay 0)").register(registry);
    FunctionCounter.builder("distillguard.exchange.stored", log, ExchangeLog::storedCount)
        .description("Exchanges committed to the store").register(registry);
  }

  public void bindLimiter(Limiter limiter) {
    Gauge.builder("distillguard.limits.tracked", limiter, Limiter::trackedSubjects)
        .description("Accounts and keys with live limit state (idle ones are forgotten)").register(registry);
  }

  /** Rate limits shared with other nodes (limits.backend: postgresql). */
  public void bindLimitSync(io.distillguard.gateway.limits.LimitSync sync) {
    FunctionCounter.builder("distillguard.limits.sync", sync, io.distillguard.gateway.limits.LimitSync::syncs)
        .description("Syncs of rate-limit consumption with the other gateway nodes that reached the store")
        .register(registry);
    FunctionCounter.builder("distillguard.limits.sync.failures", sync,
            io.distillguard.gateway.limits.LimitSync::failures)
        .description("Syncs that could not reach the store: until the next one works, this node enforces its "
            + "local limits alone (fail-open to local limits)").register(registry);
    Gauge.builder("distillguard.limits.sync.healthy", sync, s -> s.healthy() ? 1 : 0)
        .description("1 while the last rate-limit sync worked, 0 while enforcing local limits alone")
        .register(registry);
    Gauge.builder("distillguard.limits.nodes", sync, io.distillguard.gateway.limits.LimitSync::liveNodes)
        .description("Gateway nodes with a recent heartbeat in the shared store, this one included")
        .register(registry);
  }

  public void bindLinkage(io.distillguard.gateway.linkage.LinkageService linkage) {
    FunctionCounter.builder("distillguard.linkage.skipped", linkage,
            io.distillguard.gateway.linkage.LinkageService::skipped)
        .description("Exchanges not folded into linkage because its queue was full (still logged)")
        .register(registry);
    FunctionCounter.builder("distillguard.linkage.actions", linkage,
            io.distillguard.gateway.linkage.LinkageService::actions)
        .description("Accounts raised to their cluster's level").register(registry);
    FunctionCounter.builder("distillguard.linkage.recomputations", linkage,
            io.distillguard.gateway.linkage.LinkageService::recomputations)
        .description("Cluster recomputations").register(registry);
    bindTies(linkage);
  }

  /** The request-path check of new accounts, against this node's linkage or the job's snapshot (remote mode). */
  public void bindTies(io.distillguard.gateway.linkage.TieSource ties) {
    FunctionCounter.builder("distillguard.linkage.tied", ties,
            io.distillguard.gateway.linkage.TieSource::tiedOnRequestCount)
        .description("Requests of young accounts in no cluster given an acted-on cluster's level on the request path "
            + "(their sign-up and request tie them to it)").register(registry);
    Gauge.builder("distillguard.linkage.tying.keys", ties, t -> t.ties().size())
        .description("Keys that tie a new account to an acted-on cluster").register(registry);
  }

  public void bindDetection(DetectionService detection, EnforcementCache enforcement) {
    FunctionCounter.builder("distillguard.detection.processed", detection, DetectionService::processed)
        .description("Exchanges folded into detector state").register(registry);
    FunctionCounter.builder("distillguard.detection.skipped", detection, DetectionService::skipped)
        .description("Exchanges not scored because the detection queue was full (still logged)").register(registry);
    FunctionCounter.builder("distillguard.detection.failures", detection, DetectionService::failures)
        .description("Exchanges a detector failed on (must stay 0)").register(registry);
    FunctionCounter.builder("distillguard.detection.escalations", detection, DetectionService::escalations)
        .description("Automatic status escalations").register(registry);
    Gauge.builder("distillguard.detection.backlog", detection, DetectionService::backlog)
        .description("Exchanges waiting for the detection thread").register(registry);
    Gauge.builder("distillguard.detection.propagation.mean", detection, d -> d.meanPropagationMicros() / 1e6)
        .baseUnit("seconds").description("Mean time from an exchange's arrival to its verdict in the enforcement "
            + "cache").register(registry);
    FunctionCounter.builder("distillguard.detection.reverts", detection, DetectionService::reverts)
        .description("Analyst decisions that lowered an account below the level detection had raised it to "
            + "(false positives found by review)").register(registry);
    for (RiskLevel l : RiskLevel.values()) {
      Gauge.builder("distillguard.detection.accounts", detection, d -> d.accountsAt(l)).tag("level", l.wireName())
          .description("Scored accounts by the level of their latest risk").register(registry);
    }
    DistributionSummary scores = DistributionSummary.builder("distillguard.detection.score")
        .description("An account's score after each exchange was folded in")
        .serviceLevelObjectives(SCORE_BUCKETS).register(registry);
    Timer propagation = Timer.builder("distillguard.detection.propagation")
        .description("Time from an exchange's arrival to the escalation it caused reaching the enforcement cache")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    Map<RiskLevel, Counter> byLevel = new java.util.EnumMap<>(RiskLevel.class);
    for (RiskLevel l : RiskLevel.values()) {
      if (l != RiskLevel.NONE) {
        byLevel.put(l, Counter.builder("distillguard.detection.escalations.by.level").tag("to", l.wireName())
            .description("Automatic escalations by the level reached").register(registry));
      }
    }
    detection.observer(new DetectionService.Observer() {
      @Override
      public void scored(double score) {
        scores.record(score);
      }

      @Override
      public void escalated(RiskLevel to, long propagationMicros) {
        Counter c = byLevel.get(to);
        if (c != null) {
          c.increment();
        }
        if (propagationMicros >= 0) {
          propagation.record(propagationMicros, TimeUnit.MICROSECONDS);
        }
      }
    });
    for (AccountStatus s : AccountStatus.values()) {
      if (s != AccountStatus.ACTIVE) {
        Gauge.builder("distillguard.accounts", enforcement, e -> e.count(s)).tag("status", s.wireName())
            .description("Accounts at each restricted status").register(registry);
      }
    }
  }

  /** Records one finished request. */
  public void record(String endpoint, int status, String outcome, long latencyMicros, long upstreamMicros) {
    // Meters are looked up in maps of our own: Micrometer's builder + register resolves and allocates on every call.
    counters.computeIfAbsent(new CounterKey(endpoint, status, outcome), this::newCounter).increment();
    EndpointTimers t = timers.computeIfAbsent(endpoint, this::newTimers);
    t.latency.record(latencyMicros, TimeUnit.MICROSECONDS);
    if (upstreamMicros > 0) {
      t.upstream.record(upstreamMicros, TimeUnit.MICROSECONDS);
      t.overhead.record(Math.max(0, latencyMicros - upstreamMicros), TimeUnit.MICROSECONDS);
    }
  }

  private record CounterKey(String endpoint, int status, String outcome) {}

  private record EndpointTimers(Timer latency, Timer upstream, Timer overhead) {}

  private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, EndpointTimers> timers = new ConcurrentHashMap<>();

  private Counter newCounter(CounterKey k) {
    return Counter.builder("distillguard.requests")
        .tag("endpoint", k.endpoint()).tag("status", Integer.toString(k.status())).tag("outcome", k.outcome())
        .register(registry);
  }

  private EndpointTimers newTimers(String endpoint) {
    return new EndpointTimers(
        Timer.builder("distillguard.request.latency").tag("endpoint", endpoint)
            .publishPercentileHistogram().register(registry),
        Timer.builder("distillguard.upstream.latency").tag("endpoint", endpoint)
            .publishPercentileHistogram().register(registry),
        Timer.builder("distillguard.gateway.overhead").tag("endpoint", endpoint)
            .description("Request latency minus upstream time: what the gateway itself added")
            .publishPercentileHistogram()
            // The promise is in microseconds; the default buckets start at 1 ms and would hide it.
            .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(1))
            .register(registry));
  }

  public String scrape() {
    return registry.scrape();
  }
}
