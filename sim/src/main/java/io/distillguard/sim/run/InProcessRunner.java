package io.distillguard.sim.run;

import io.distillguard.core.Account;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.Verdict;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.linkage.ClusterTies;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageEngine;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Pushes a simulation's traffic through the detection core in one thread, with no network and no upstream, and
 * applies enforcement the way the gateway does:
 *
 * <ul>
 *   <li>{@code blocked} accounts get 403 {@code account_blocked} and are not served;</li>
 *   <li>{@code throttled} accounts are held to the throttled limits (10 requests a minute by default) and get 429
 *       {@code account_throttled} with {@code Retry-After} beyond them;</li>
 *   <li>{@code degraded} and {@code watch} accounts are served ({@code degraded} answers lose their reasoning text);
 *       like the gateway's limiter, only {@code throttled} switches to the throttled limits;</li>
 *   <li>every account is held to its tier's request and token limits (free 60, default 600 requests a minute) by an
 *       event-time bucket with the semantics of {@code gateway/.../limits/Limiter}; over them it gets 429
 *       {@code rate_limit_exceeded}.</li>
 * </ul>
 *
 * <p>Served and refused exchanges alike go to the {@link DetectionEngine}, as the gateway records both. Each
 * account is held to its tier's levels (the policy's per-tier overrides), as in the gateway. A verdict
 * applies from the very next request; the gateway's enforcement caches pick verdicts up within a second, so a fast
 * client can get a few more answers through a real gateway than here.
 *
 * <p>Exchanges carry synthetic answers ({@link SyntheticAnswers}), token counts from the request's
 * {@code expectedOutputTokens} (prompt tokens ≈ characters / 4), a header fingerprint derived from the user agent's
 * family (the simulator does not model header order), and synthetic latencies. Not thread-safe; one run at a time.
 *
 * <p>With an {@link ExpensiveTier} in the options, the exchanges it {@link ExpensiveTier#wants wants} (sampled, of
 * accounts at its level or above) are embedded and tested right after the cheap tier has seen them, and its findings
 * go to the engine at once: the gateway's bounded worker is assumed to keep up, which the gateway's own counters
 * ({@code dropped}) check. The baseline set runs without it (it is volume only by definition).
 */
public final class InProcessRunner {
  /** Label group of licensed distillers, whom an operator allow-lists by contract. */
  public static final String LICENSED_GROUP = "licensed-distiller";

  /**
   * Run settings.
   *
   * @param limits         tier and throttled limits
   * @param sampleInterval how often (event time) listeners get {@link RunListener#onSample}
   * @param allowlist      accounts the operator allow-lists in the policy (decided on the accounts known at start)
   * @param progressEvery  events between progress callbacks
   * @param progress       progress callback, or null
   * @param expensive      a fresh expensive tier for each run, or null for the cheap tier alone
   */
  public record Options(SimLimits limits, Duration sampleInterval, Predicate<SimAccount> allowlist,
      long progressEvery, Progress progress, Supplier<ExpensiveTier> expensive) {
    public Options {
      Objects.requireNonNull(limits, "limits");
      Objects.requireNonNull(sampleInterval, "sampleInterval");
      if (sampleInterval.isZero() || sampleInterval.isNegative()) {
        throw new IllegalArgumentException("sampleInterval must be positive");
      }
      allowlist = allowlist == null ? a -> false : allowlist;
      progressEvery = Math.max(1, progressEvery);
    }

    public Options(SimLimits limits, Duration sampleInterval, Predicate<SimAccount> allowlist, long progressEvery,
        Progress progress) {
      this(limits, sampleInterval, allowlist, progressEvery, progress, null);
    }

    public Options withExpensive(Supplier<ExpensiveTier> e) {
      return new Options(limits, sampleInterval, allowlist, progressEvery, progress, e);
    }

    /** Gateway default limits, hourly samples, licensed distillers allow-listed, no progress. */
    public static Options defaults() {
      return new Options(SimLimits.gatewayDefaults(), Duration.ofHours(1), InProcessRunner::licensed, 1L << 18,
          null);
    }

    public Options withProgress(Progress p) {
      return new Options(limits, sampleInterval, allowlist, progressEvery, p, expensive);
    }

    public Options withLimits(SimLimits l) {
      return new Options(l, sampleInterval, allowlist, progressEvery, progress, expensive);
    }

    public Options withSampleInterval(Duration d) {
      return new Options(limits, d, allowlist, progressEvery, progress, expensive);
    }
  }

  /** Progress of a run. */
  @FunctionalInterface
  public interface Progress {
    /** @param simTime event time of the latest request */
    void update(long events, Instant simTime);
  }

  /**
   * What a run did, for the record.
   *
   * @param wallNanos   wall-clock time of the run
   * @param cpuNanos    CPU time of the running thread (0 when the JVM cannot measure it): unlike wall time, not
   *                    inflated when other processes share the cores
   * @param sourceNanos estimated wall time spent in the traffic source ({@code next} and {@code report}),
   *                    extrapolated from every 16th event
   */
  public record Result(String detectorSet, long events, long served, long refusedByEnforcement,
      long refusedByLimits, long verdicts, int accounts, Instant firstEvent, Instant lastEvent, long wallNanos,
      long cpuNanos, long sourceNanos) {

    public double eventsPerSecond() {
      return wallNanos == 0 ? 0 : events * 1e9 / wallNanos;
    }

    /** Events per second of the runner and detection alone, without the time spent generating traffic. */
    public double eventsPerSecondExcludingSource() {
      long own = wallNanos - sourceNanos;
      return own <= 0 ? 0 : events * 1e9 / own;
    }

    /** Events per CPU second of the running thread; 0 when CPU time is unknown. */
    public double eventsPerCpuSecond() {
      return cpuNanos <= 0 ? 0 : events * 1e9 / cpuNanos;
    }

    /** Events per CPU second without traffic generation (its share of CPU taken as its share of wall time). */
    public double eventsPerCpuSecondExcludingSource() {
      if (cpuNanos <= 0 || wallNanos <= 0) {
        return 0;
      }
      double own = cpuNanos * (1 - sourceNanos / (double) wallNanos);
      return own <= 0 ? 0 : events * 1e9 / own;
    }
  }

  private final DetectorSet detectors;
  private final Options options;
  private Supplier<LinkageEngine> linkage;
  private Duration linkageInterval = Duration.ofMinutes(15);

  public InProcessRunner(DetectorSet detectors, Options options) {
    this.detectors = Objects.requireNonNull(detectors, "detectors");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Runs cross-account linkage beside per-account detection: every account is told to linkage on its first request,
   * every exchange is folded in, clusters are recomputed every {@code interval} of event time, and linkage's actions
   * (a cluster's level, for all its members, including accounts that join it later) raise account statuses as
   * verdicts do.
   *
   * @param factory a fresh engine for each run, or null for none
   */
  public InProcessRunner withLinkage(Supplier<LinkageEngine> factory, Duration interval) {
    this.linkage = factory;
    this.linkageInterval = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /** True for accounts whose label says they are licensed to distil (an operator knows its contracts). */
  public static boolean licensed(SimAccount a) {
    return a.label() != null && a.label().kind() == Label.Kind.BENIGN_HEAVY && LICENSED_GROUP.equals(
        a.label().group());
  }

  /** Per-account enforcement and limit state. */
  private static final class AccountRun {
    final SimLimits.Limit tierLimit;
    final String keyId;
    AccountStatus status = AccountStatus.ACTIVE;
    LimitBuckets buckets;

    AccountRun(SimAccount a, SimLimits limits) {
      this.tierLimit = limits.forTier(a.attributes().get("tier"));
      this.keyId = a.id() + "-k";
    }
  }

  /** Runs the source to its end, telling {@code listener} everything. */
  public Result run(TrafficSource source, RunListener listener) {
    Set<String> allow = new HashSet<>();
    for (SimAccount a : source.accounts()) {
      if (options.allowlist().test(a)) {
        allow.add(a.id());
      }
    }
    Map<String, AccountRun> accounts = new HashMap<>();
    // The engine asks on an account's first exchange, after the account's run state below is made.
    Map<String, String> tiers = new HashMap<>();
    DetectionEngine engine = detectors.newEngine(allow, tiers::get);
    Map<String, String> fingerprints = new HashMap<>();
    Digests digests = new Digests();
    ExpensiveTier expensive = options.expensive() == null || DetectorSet.BASELINE.equals(detectors.name()) ? null
        : options.expensive().get();
    LinkageEngine links = linkage == null ? null : linkage.get();
    long linkEvery = linkageInterval.toNanos();
    long nextLink = Long.MIN_VALUE;
    listener.onStart(source);

    long interval = options.sampleInterval().toNanos();
    long nextSample = Long.MIN_VALUE;
    long events = 0;
    long served = 0;
    long byEnforcement = 0;
    long byLimits = 0;
    long verdicts = 0;
    long sourceSampled = 0;
    Instant first = null;
    Instant last = null;
    long wallStart = System.nanoTime();
    long cpuStart = threadCpuNanos();
    boolean timed = false;
    long t0 = 0;
    if (source.start() != null) {
      nextSample = nanos(source.start()) + interval;
    }

    while (true) {
      timed = (events & 15) == 0;
      if (timed) {
        t0 = System.nanoTime();
      }
      SimRequest r = source.next();
      if (timed) {
        sourceSampled += System.nanoTime() - t0;
      }
      if (r == null) {
        break;
      }
      long now = nanos(r.time());
      if (first == null) {
        first = r.time();
        if (nextSample == Long.MIN_VALUE) {
          nextSample = Math.floorDiv(now, interval) * interval + interval;
        }
      }
      while (now >= nextSample) {
        listener.onSample(instant(nextSample), engine);
        nextSample += interval;
      }
      if (links != null) {
        if (nextLink == Long.MIN_VALUE) {
          nextLink = Math.floorDiv(now, linkEvery) * linkEvery + linkEvery;
        }
        while (now >= nextLink) {
          applyLinkage(links.recompute(instant(nextLink)), accounts, listener);
          nextLink += linkEvery;
        }
      }
      last = r.time();
      events++;

      SimAccount account = r.account();
      AccountRun ar = accounts.get(account.id());
      if (ar == null) {
        ar = new AccountRun(account, options.limits());
        accounts.put(account.id(), ar);
        tiers.put(account.id(), account.attributes().getOrDefault(Account.TIER, Account.DEFAULT_TIER));
        if (links != null) {
          applyLinkage(links.account(account.id(), account.attributes(), account.createdAt()), accounts, listener);
        }
      }

      // An account linkage has not placed is checked before it is answered against the keys of acted-on clusters,
      // as the gateway's ClusterTieStage does: a tie gives this request the cluster's level (linkage, folding the
      // exchange in, joins the account and raises its status for the requests after it).
      AccountStatus status = ar.status;
      if (links != null && status != AccountStatus.BLOCKED && links.clusterOf(account.id()) == null
          && ClusterTies.young(account.createdAt() == null ? Long.MIN_VALUE : account.createdAt().toEpochMilli(),
          r.time().toEpochMilli())) {
        ClusterTies ties = links.ties();
        if (ties.size() > 0) {
          ClusterTies.Tie tie = ties.match(account.attributes(), account.createdAt(),
              exchange(r, ar, Disposition.SERVED, events, fingerprints, digests));
          if (tie != null && tie.level().status().compareTo(status) > 0) {
            status = tie.level().status();
          }
        }
      }

      Disposition d;
      long retryAfter = 0;
      if (status == AccountStatus.BLOCKED) {
        d = Disposition.BLOCKED;
      } else {
        SimLimits.Limit limit = status == AccountStatus.THROTTLED ? options.limits().throttled() : ar.tierLimit;
        if (ar.buckets == null || ar.buckets.limit != limit) {
          // First request, or the enforcement status changed the limits: start over, as the gateway does.
          ar.buckets = new LimitBuckets(limit, now);
        }
        long wait = ar.buckets.acquire(now);
        if (wait == 0) {
          d = Disposition.SERVED;
        } else {
          d = status == AccountStatus.THROTTLED ? Disposition.THROTTLED : Disposition.RATE_LIMITED;
          retryAfter = LimitBuckets.retryAfterSeconds(wait);
        }
      }

      Exchange e = exchange(r, ar, d, events, fingerprints, digests);
      if (d.served()) {
        served++;
        ar.buckets.charge((long) e.promptTokens() + e.completionTokens());
      } else if (d.byEnforcement()) {
        byEnforcement++;
      } else {
        byLimits++;
      }
      listener.onExchange(r, d, e);

      Verdict v = engine.accept(e);
      if (v != null) {
        verdicts++;
        apply(ar, r, v, listener);
      }
      if (expensive != null && expensive.wants(e, engine.level(e.accountId()))) {
        for (ExpensiveTier.Finding f : expensive.observe(e.accountId(), ExpensiveTier.promptOf(e))) {
          Verdict x = engine.external(e.accountId(), e.eventTime(), f.signal(), f.weight());
          if (x != null) {
            verdicts++;
            apply(ar, r, x, listener);
          }
        }
      }

      if (links != null) {
        applyLinkage(links.accept(e), accounts, listener);
      }

      SimResult result = new SimResult(d.status(), retryAfter, e.responseText(), e.promptTokens(),
          e.completionTokens());
      if (timed) {
        t0 = System.nanoTime();
      }
      source.report(r, result);
      if (timed) {
        sourceSampled += System.nanoTime() - t0;
      }
      if (options.progress() != null && events % options.progressEvery() == 0) {
        options.progress().update(events, r.time());
      }
    }

    Instant end = source.end() != null ? source.end() : last;
    if (end != null) {
      long endNanos = nanos(end);
      while (nextSample != Long.MIN_VALUE && nextSample <= endNanos) {
        listener.onSample(instant(nextSample), engine);
        nextSample += interval;
      }
      listener.onSample(end, engine);
    }
    if (links != null) {
      applyLinkage(links.recompute(end != null ? end : Instant.EPOCH), accounts, listener);
      listener.onLinkageEnd(links);
    }
    listener.onEnd(end, source);
    long wall = System.nanoTime() - wallStart;
    long cpuEnd = threadCpuNanos();
    long cpu = cpuStart < 0 || cpuEnd < 0 ? 0 : cpuEnd - cpuStart;
    if (options.progress() != null && last != null) {
      options.progress().update(events, last);
    }
    long samplesTimed = (events + 16) / 16;
    long sourceNanos = events == 0 ? 0 : Math.min(wall, sourceSampled * (events + 1) / samplesTimed);
    return new Result(detectors.name(), events, served, byEnforcement, byLimits, verdicts, accounts.size(), first,
        last, wall, cpu, sourceNanos);
  }

  private static void apply(AccountRun ar, SimRequest r, Verdict v, RunListener listener) {
    AccountStatus s = v.level().status();
    if (s.compareTo(ar.status) > 0) {
      ar.status = s;
    }
    listener.onVerdict(r, v);
  }

  /** Raises members' statuses to their cluster's level, as the gateway's enforcement cache does. */
  private static void applyLinkage(List<LinkageAction> actions, Map<String, AccountRun> accounts,
      RunListener listener) {
    for (LinkageAction a : actions) {
      AccountRun ar = accounts.get(a.accountId());
      AccountStatus s = a.level().status();
      if (ar != null && s.compareTo(ar.status) > 0) {
        ar.status = s;
      }
      listener.onLinkage(a);
    }
  }

  private static Exchange exchange(SimRequest r, AccountRun ar, Disposition d, long seq,
      Map<String, String> fingerprints, Digests digests) {
    List<ChatMessage> messages = r.messages();
    String promptSha = digests.prompt(messages);
    int promptChars = Exchange.promptLength(messages);
    String ua = r.userAgent();
    String fp = ua == null ? null : fingerprints.computeIfAbsent(ua, InProcessRunner::headerFingerprint);
    String text = null;
    int promptTokens = 0;
    int completionTokens = 0;
    long latency;
    long upstream = 0;
    long firstByte = 0;
    if (d.served()) {
      long promptHash = promptSha == null ? 0 : Long.parseUnsignedLong(promptSha, 0, 16, 16);
      boolean reasoning = ar.status != AccountStatus.DEGRADED
          && SyntheticAnswers.elicitsReasoning(digests.lastUserText);
      text = SyntheticAnswers.answer(reasoning, promptHash);
      promptTokens = Math.max(1, (promptChars + 3) / 4);
      completionTokens = Math.max(0, r.expectedOutputTokens());
      firstByte = 250_000;
      upstream = firstByte + 20_000L * completionTokens;
      latency = upstream + 2_000;
    } else {
      latency = 1_000;
    }
    return new Exchange("ex-" + Long.toString(seq, 36), r.time(), r.account().id(), ar.keyId, r.clientIp(), ua, fp,
        r.endpoint(), r.model(), r.params(), r.stream(), messages, text, promptSha, promptChars,
        digests.text(text), text == null ? 0 : text.length(), promptTokens, completionTokens, d.status(),
        d.served() ? Outcome.OK : Outcome.REJECTED, d.errorCode(), latency, upstream, firstByte);
  }

  /**
   * A header-order fingerprint standing in for the gateway's: FNV-1a over the user agent's family (the first word,
   * without its version), so clients of the same software share it across versions.
   */
  static String headerFingerprint(String userAgent) {
    String family = uaFamily(userAgent);
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < family.length(); i++) {
      h ^= family.charAt(i);
      h *= 0x100000001b3L;
    }
    return String.format("%016x", h);
  }

  /** {@code OpenAI/Python 1.54.4} → {@code OpenAI/Python}; {@code python-requests/2.32.3} → {@code python-requests}. */
  static String uaFamily(String userAgent) {
    String s = userAgent.strip();
    int space = s.indexOf(' ');
    String word = space < 0 ? s : s.substring(0, space);
    int slash = word.indexOf('/');
    while (slash >= 0) {
      if (slash + 1 < word.length() && Character.isDigit(word.charAt(slash + 1))) {
        return word.substring(0, slash);
      }
      slash = word.indexOf('/', slash + 1);
    }
    return word;
  }

  private static long threadCpuNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    try {
      return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : -1;
    } catch (UnsupportedOperationException e) {
      return -1;
    }
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
