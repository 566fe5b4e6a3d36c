package io.distillguard.detection;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Signal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The expensive detection tier: sentence embeddings of a sample of suspect accounts' prompts, and two tests on them.
 *
 * <ul>
 *   <li><b>{@value #SHIFT}</b>: the unbiased MMD² between the account's prompts (a uniform reservoir) and a
 *       {@link BenignReference} of benign prompts, with its permutation p-value. Harvesting draws its prompts from
 *       instruction, template and benchmark pools, whose distribution differs from what people ask.</li>
 *   <li><b>{@value #NN}</b>: PRADA's test, the Shapiro–Wilk W of each new prompt's distance to its nearest earlier
 *       one ({@link NearestNeighbourTest}).</li>
 * </ul>
 *
 * Each becomes a {@link Signal} whose suspicion rises from 0 to 1 between thresholds calibrated on benign suspects
 * (the reference's {@link BenignReference.Calibration}), and is 0 unless its test rejects at {@code alpha}. A
 * {@link Finding} pairs it with the log-odds weight detection adds to the account's score for it.
 *
 * <p>{@link #wants} is the cheap gate (level, sampling, text present) and may be called from any thread;
 * {@link #observe} embeds and tests and must be called from one thread at a time (the tier's worker). Per-account
 * state is {@link AccountEmbeddings}, kept for at most {@code maxAccounts} accounts (least recently observed out).
 */
public final class ExpensiveTier {
  public static final String SHIFT = "embedding-shift";
  public static final String NN = "embedding-nn";
  /** Least change of a suspicion worth reporting again. */
  private static final double REPORT_DELTA = 0.01;

  /**
   * Settings.
   *
   * @param minLevel     least level (from the cheap tier) at which an account's prompts are embedded
   * @param sampleRate   share of a suspect's exchanges embedded, chosen by a hash of the exchange id (0..1]
   * @param reservoir    prompts kept per account for the MMD test and as nearest-neighbour candidates
   * @param distances    latest nearest-neighbour distances kept per account for W
   * @param minSamples   prompts (and distances) before a test speaks (at least 3)
   * @param testEvery    new prompts between two MMD tests of an account (the nearest-neighbour test is cheap and
   *                     runs on every prompt)
   * @param permutations MMD permutation count (the p-value's resolution is 1 / (permutations + 1))
   * @param alpha        a test's p-value must be at most this for its signal to be above 0
   * @param maxAccounts  accounts with state at once; the least recently observed is dropped beyond
   * @param weightShift  log-odds added to the account's score per unit of {@value #SHIFT} suspicion
   * @param weightNn     log-odds added per unit of {@value #NN} suspicion
   * @param cacheSize    embeddings of recent texts kept to skip the model on repeats (0: none)
   */
  public record Settings(RiskLevel minLevel, double sampleRate, int reservoir, int distances, int minSamples,
      int testEvery, int permutations, double alpha, int maxAccounts, double weightShift, double weightNn,
      int cacheSize) {
    public Settings {
      Objects.requireNonNull(minLevel, "minLevel");
      if (!(sampleRate > 0 && sampleRate <= 1)) {
        throw new IllegalArgumentException("sample-rate must be in (0, 1]: " + sampleRate);
      }
      if (minSamples < 3 || reservoir < minSamples || distances < minSamples) {
        throw new IllegalArgumentException("need 3 <= min-samples <= reservoir, distances: " + minSamples + ", "
            + reservoir + ", " + distances);
      }
      if (reservoir > 4096 || distances > 4096) {
        throw new IllegalArgumentException("reservoir and distances are at most 4096: " + reservoir + ", "
            + distances);
      }
      if (testEvery < 1 || permutations < 0 || permutations > 10_000) {
        throw new IllegalArgumentException("test-every >= 1 and 0 <= permutations <= 10000: " + testEvery + ", "
            + permutations);
      }
      if (!(alpha > 0 && alpha <= 1)) {
        throw new IllegalArgumentException("alpha must be in (0, 1]: " + alpha);
      }
      if (maxAccounts < 1) {
        throw new IllegalArgumentException("max-accounts must be positive: " + maxAccounts);
      }
      if (!(weightShift >= 0) || !(weightNn >= 0) || !Double.isFinite(weightShift + weightNn)) {
        throw new IllegalArgumentException("weights must be finite and >= 0: " + weightShift + ", " + weightNn);
      }
      if (cacheSize < 0) {
        throw new IllegalArgumentException("cache-size must be >= 0: " + cacheSize);
      }
    }

    /**
     * The defaults: see {@code docs/detection.md} for how they were chosen. The weights are 0 (findings are shown to
     * analysts, with their explanations, but do not move scores): on the tuning scenarios weights of 1.5 and 1.0
     * caught no campaign sooner and blocked a legitimate benchmark runner.
     */
    public static Settings defaults() {
      return new Settings(RiskLevel.WATCH, 0.5, 32, 64, 16, 4, 200, 0.01, 2048, 0, 0, 4096);
    }

    public Settings withMinLevel(RiskLevel l) {
      return new Settings(l, sampleRate, reservoir, distances, minSamples, testEvery, permutations, alpha,
          maxAccounts, weightShift, weightNn, cacheSize);
    }

    public Settings withSampleRate(double r) {
      return new Settings(minLevel, r, reservoir, distances, minSamples, testEvery, permutations, alpha,
          maxAccounts, weightShift, weightNn, cacheSize);
    }

    public Settings withWeights(double shift, double nn) {
      return new Settings(minLevel, sampleRate, reservoir, distances, minSamples, testEvery, permutations, alpha,
          maxAccounts, shift, nn, cacheSize);
    }

    /**
     * Whether an exchange of an account at {@code level} is to be embedded: the level is at least
     * {@code minLevel}, the exchange is in the sample, and it has prompt text. Cheap, allocation-free, thread-safe.
     */
    public boolean wants(Exchange e, RiskLevel level) {
      return e.accountId() != null && level.atLeast(minLevel) && sampled(e.id(), sampleRate) && promptOf(e) != null;
    }

    public Settings withMaxAccounts(int n) {
      return new Settings(minLevel, sampleRate, reservoir, distances, minSamples, testEvery, permutations, alpha,
          n, weightShift, weightNn, cacheSize);
    }
  }

  /**
   * A signal for detection and the log-odds weight it carries in the account's score.
   *
   * @param signal one of {@value #SHIFT} and {@value #NN}
   */
  public record Finding(Signal signal, double weight) {}

  private final Embedder embedder;
  private final BenignReference reference;
  private final Settings settings;
  private final Mmd mmd;
  private final Map<String, AccountEmbeddings> accounts;
  private long embedded;
  private long embedNanos;
  private long skippedEmpty;
  private long notAdmitted;
  private long evicted;

  public ExpensiveTier(Embedder embedder, BenignReference reference, Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.reference = Objects.requireNonNull(reference, "reference");
    if (!embedder.name().equals(reference.model()) || embedder.dimension() != reference.dimension()) {
      throw new IllegalArgumentException("the reference was built with " + reference.model() + " ("
          + reference.dimension() + " dimensions), not " + embedder.name() + " (" + embedder.dimension() + ")");
    }
    this.embedder = settings.cacheSize() > 0 ? new CachingEmbedder(embedder, settings.cacheSize()) : embedder;
    this.mmd = Mmd.withMedianBandwidth(reference.vectors());
    int max = settings.maxAccounts();
    this.accounts = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, AccountEmbeddings> eldest) {
        if (size() > max) {
          evicted++;
          return true;
        }
        return false;
      }
    };
  }

  public Settings settings() {
    return settings;
  }

  public BenignReference reference() {
    return reference;
  }

  /**
   * Whether this exchange of an account at {@code level} should be embedded ({@link Settings#wants}).
   */
  public boolean wants(Exchange e, RiskLevel level) {
    return settings.wants(e, level);
  }

  /** True for the share {@code sampleRate} of exchange ids, by a hash of the id (the same id, the same answer). */
  static boolean sampled(String id, double sampleRate) {
    if (sampleRate >= 1) {
      return true;
    }
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53 < sampleRate;
  }

  /**
   * The prompt an exchange adds: its last message that is neither the assistant's nor the system's (a follow-up's
   * new turn, not the whole conversation again); null when there is none or it is redacted.
   */
  public static String promptOf(Exchange e) {
    List<ChatMessage> m = e.messages();
    for (int i = m.size() - 1; i >= 0; i--) {
      ChatMessage c = m.get(i);
      if (!"assistant".equals(c.role()) && !"system".equals(c.role())) {
        return c.content() == null || c.content().isBlank() ? null : c.content();
      }
    }
    return null;
  }

  /**
   * Embeds one prompt of the account, folds it into the account's state and reruns the tests that are due. Once the
   * account's reservoir is full, a prompt it would not keep is counted and not embedded
   * ({@link AccountEmbeddings#admit}); its nearest-neighbour distances then come from the prompts kept.
   *
   * @return the findings whose suspicion changed since last reported (empty when none did, the prompt had nothing
   *     to embed, or it was not admitted)
   */
  public List<Finding> observe(String accountId, String prompt) {
    String text = PromptText.clean(prompt);
    if (text == null) {
      skippedEmpty++;
      return List.of();
    }
    AccountEmbeddings a = accounts.computeIfAbsent(accountId, id -> new AccountEmbeddings(settings.reservoir(),
        embedder.dimension(), settings.distances(), id.hashCode() * 0x9E3779B97F4A7C15L));
    int slot = a.admit();
    if (slot < 0) {
      notAdmitted++;
      return List.of();
    }
    long t0 = System.nanoTime();
    float[] v = embedder.embed(text);
    embedNanos += System.nanoTime() - t0;
    embedded++;
    a.add(v, slot);
    List<Finding> out = new ArrayList<>(2);
    if (a.size >= settings.minSamples() && (a.shift == null || a.sinceShiftTest >= settings.testEvery())) {
      a.shift = mmd.test(a.sample(), settings.permutations(), a.seen * 31 + accountId.hashCode());
      a.sinceShiftTest = 0;
      Signal s = shiftSignal(a.shift);
      if (Math.abs(s.suspicion() - a.reportedShift) >= REPORT_DELTA) {
        a.reportedShift = s.suspicion();
        out.add(new Finding(s, settings.weightShift()));
      }
    }
    if (a.distanceCount >= settings.minSamples()) {
      a.nn = NearestNeighbourTest.test(a.recentDistances());
      Signal s = nnSignal(a.nn);
      if (Math.abs(s.suspicion() - a.reportedNn) >= REPORT_DELTA) {
        a.reportedNn = s.suspicion();
        out.add(new Finding(s, settings.weightNn()));
      }
    }
    return out;
  }

  Signal shiftSignal(Mmd.Result r) {
    BenignReference.Calibration c = reference.calibration();
    double s = r.pValue() <= settings.alpha() ? ramp(r.mmd2(), c.mmdLow(), c.mmdHigh()) : 0;
    String text = String.format(Locale.ROOT, "prompts %.2f MMD² from benign reference (%s, %d sampled)", r.mmd2(),
        p(r.pValue()), r.n());
    return new Signal(SHIFT, s, r.n(), text);
  }

  Signal nnSignal(NearestNeighbourTest.Result r) {
    BenignReference.Calibration c = reference.calibration();
    double s = r.pValue() <= settings.alpha() ? ramp(c.wHigh() - r.w(), 0, c.wHigh() - c.wLow()) : 0;
    String text = String.format(Locale.ROOT, "nearest-neighbour distances look %s: W=%.2f (%s, %d prompts)",
        s > 0 ? "synthetic" : "natural", r.w(), p(r.pValue()), r.n());
    return new Signal(NN, s, r.n(), text);
  }

  private static String p(double p) {
    if (p < 0.001) {
      return "p<0.001";
    }
    if (p < 0.01) {
      return "p<0.01";
    }
    return String.format(Locale.ROOT, "p=%.2f", p);
  }

  private static double ramp(double x, double lo, double hi) {
    if (!(x > lo)) {
      return 0;
    }
    return x >= hi ? 1 : (x - lo) / (hi - lo);
  }

  /** The latest MMD result of an account, or null (tests). */
  Mmd.Result shiftOf(String accountId) {
    AccountEmbeddings a = accounts.get(accountId);
    return a == null ? null : a.shift;
  }

  /** The latest nearest-neighbour result of an account, or null. */
  NearestNeighbourTest.Result nnOf(String accountId) {
    AccountEmbeddings a = accounts.get(accountId);
    return a == null ? null : a.nn;
  }

  /** The latest statistics of an account: {MMD², its p, W, its p}, NaN where a test has not run; null if unknown. */
  public double[] statistics(String accountId) {
    AccountEmbeddings a = accounts.get(accountId);
    if (a == null) {
      return null;
    }
    return new double[] {a.shift == null ? Double.NaN : a.shift.mmd2(), a.shift == null ? Double.NaN
        : a.shift.pValue(), a.nn == null ? Double.NaN : a.nn.w(), a.nn == null ? Double.NaN : a.nn.pValue()};
  }

  /** Prompts embedded (model runs and cache hits). */
  public long embedded() {
    return embedded;
  }

  /** Mean wall time of one embedding, cache hits included, in microseconds. */
  public double meanEmbedMicros() {
    return embedded == 0 ? 0 : embedNanos / 1e3 / embedded;
  }

  /** Model runs (embeddings not served from the cache). */
  public long modelRuns() {
    return embedder instanceof CachingEmbedder c ? c.misses() : embedded;
  }

  /** Sampled prompts not embedded because the account's reservoir would not have kept them. */
  public long notAdmitted() {
    return notAdmitted;
  }

  /** Prompts that had nothing to embed. */
  public long skippedEmpty() {
    return skippedEmpty;
  }

  /** Accounts with state now. */
  public int accounts() {
    return accounts.size();
  }

  /** Accounts whose state was dropped to stay within {@code maxAccounts}. */
  public long evicted() {
    return evicted;
  }

  /** Bytes of one account's state with these settings. */
  public long bytesPerAccount() {
    return new AccountEmbeddings(settings.reservoir(), embedder.dimension(), settings.distances(), 0).bytes();
  }
}
