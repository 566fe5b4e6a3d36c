package io.distillguard.sim.calibrate;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.LogisticScorer;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Calibrates a {@link DetectionModel} on simulated traffic (see {@code docs/detection.md}):
 *
 * <ol>
 *   <li>runs each scenario with no enforcement (every request served) through the detectors and samples every
 *       account's suspicion vector every {@code checkpointEvery} of its exchanges and at its end;</li>
 *   <li>fits the logistic weights on those samples: campaign accounts are positives, benign accounts (ordinary and
 *       legitimate heavy users) negatives; licensed distillers (allow-listed by contract) and the accounts of
 *       strategies only cross-account linkage can see (hydra, evasive) are left out. Each account weighs the same
 *       within its group, and the groups weigh: every campaign strategy alike (together as much as all negatives),
 *       ordinary accounts half the negatives, heavy users the other half — they are few, but they are the hard
 *       negatives the block threshold must clear;</li>
 *   <li>runs the scenarios again scoring every exchange, and sets the thresholds from benign accounts' maximum score
 *       over the run: watch and throttle at the target false-positive quantiles (pooled, with a confidence bound, and
 *       within each scenario), block strictly above every benign account's maximum with a margin, degrade half way
 *       (in log-odds) between throttle and block.</li>
 * </ol>
 *
 * Deterministic: the scenarios fix their seeds, runs are single-threaded and the fit is Newton's method.
 */
public final class Calibrator {
  private Calibrator() {}

  /**
   * Least log-odds between the highest benign score and block: e (2.7) times the odds. Blocking loses a customer, so
   * block keeps a clear distance from every benign account seen, not just the smallest step above the highest.
   */
  public static final double DEFAULT_BLOCK_MARGIN = 1.0;

  /**
   * Watch and throttle are set so that the 95% upper confidence bound of the benign rate, not just the rate seen,
   * meets the target: the rate measured on a few tens of accounts over a threshold is a noisy estimate.
   */
  public static final double DEFAULT_CONFIDENCE = 0.95;

  /** Default least exchanges before each level (see {@code docs/detection.md} for the reasoning). */
  public static final Map<RiskLevel, Long> DEFAULT_MIN_EVIDENCE = Map.of(RiskLevel.WATCH, 20L, RiskLevel.THROTTLE,
      50L, RiskLevel.DEGRADE, 100L, RiskLevel.BLOCK, 200L);

  /**
   * Calibration settings.
   *
   * @param scenarios       scenario files (tuning split unless {@code allowHoldout})
   * @param dataDir         public datasets directory, or null for the built-in fixtures
   * @param targetWatch     share of benign accounts allowed to reach watch
   * @param targetThrottle  share of benign accounts allowed to reach throttle
   * @param minEvidence     least exchanges per level
   * @param checkpointEvery sample interval in an account's exchanges
   * @param l2              weight penalty of the fit
   * @param interactions    pairwise terms, as detector name pairs
   * @param blockMargin     log-odds added to the highest benign score to place block
   * @param confidence      confidence of the upper bound on the benign rates that must meet the targets
   * @param allowHoldout    allow holdout-split scenarios (never for the shipped model)
   * @param command         the command line, for provenance
   * @param date            the date to record (ISO), for provenance
   * @param progress        where to report progress, or null
   */
  public record Options(List<Path> scenarios, Path dataDir, double targetWatch, double targetThrottle,
      Map<RiskLevel, Long> minEvidence, int checkpointEvery, double l2, List<List<String>> interactions,
      double blockMargin, double confidence, boolean allowHoldout, String command, String date,
      PrintStream progress) {
    public Options {
      scenarios = List.copyOf(scenarios);
      if (scenarios.isEmpty()) {
        throw new IllegalArgumentException("no scenarios to calibrate on");
      }
      if (!(targetWatch > 0 && targetWatch < 1) || !(targetThrottle > 0 && targetThrottle <= targetWatch)) {
        throw new IllegalArgumentException("target false-positive rates must satisfy 0 < throttle <= watch < 1");
      }
      EnumMap<RiskLevel, Long> m = new EnumMap<>(RiskLevel.class);
      m.putAll(DEFAULT_MIN_EVIDENCE);
      m.putAll(minEvidence);
      minEvidence = Map.copyOf(m);
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException("checkpoint interval must be at least 1");
      }
      interactions = interactions.stream().map(List::copyOf).toList();
      for (List<String> p : interactions) {
        if (p.size() != 2 || !DetectionModel.DETECTORS.containsAll(p) || p.get(0).equals(p.get(1))) {
          throw new IllegalArgumentException("interaction " + p + ": expected two different detectors of "
              + DetectionModel.DETECTORS);
        }
      }
      if (!(blockMargin >= 0)) {
        throw new IllegalArgumentException("block margin must be 0 or more");
      }
      if (!(confidence >= 0 && confidence < 1)) {
        throw new IllegalArgumentException("confidence must be at least 0 and below 1");
      }
      command = command == null ? "" : command;
      date = date == null ? "" : date;
    }

    /**
     * Defaults: watch 1%, throttle 0.05%, checkpoints every 25 exchanges, cadence×persistence, block margin 1. Throttle
     * is calibrated at half the product's 0.1% target: at 0.1% the benign rate of four populations the fit never saw
     * ranged from 0.022% to 0.137% (docs/detection.md).
     */
    public static Options defaults(List<Path> scenarios, Path dataDir) {
      return new Options(scenarios, dataDir, 0.01, 0.0005, DEFAULT_MIN_EVIDENCE, 25, 0.01,
          List.of(List.of("cadence", "persistence")), DEFAULT_BLOCK_MARGIN, DEFAULT_CONFIDENCE, false, "", "", null);
    }

    public Options withBlockMargin(double logOdds) {
      return new Options(scenarios, dataDir, targetWatch, targetThrottle, minEvidence, checkpointEvery, l2,
          interactions, logOdds, confidence, allowHoldout, command, date, progress);
    }

    /** Confidence of the false-positive bound (0: the plain quantile). */
    public Options withConfidence(double c) {
      return new Options(scenarios, dataDir, targetWatch, targetThrottle, minEvidence, checkpointEvery, l2,
          interactions, blockMargin, c, allowHoldout, command, date, progress);
    }

    public Options withTargets(double watch, double throttle) {
      return new Options(scenarios, dataDir, watch, throttle, minEvidence, checkpointEvery, l2, interactions,
          blockMargin, confidence, allowHoldout, command, date, progress);
    }

    public Options withMinEvidence(Map<RiskLevel, Long> m) {
      return new Options(scenarios, dataDir, targetWatch, targetThrottle, m, checkpointEvery, l2, interactions,
          blockMargin, confidence, allowHoldout, command, date, progress);
    }

    public Options withProvenance(String cmd, String day) {
      return new Options(scenarios, dataDir, targetWatch, targetThrottle, minEvidence, checkpointEvery, l2,
          interactions, blockMargin, confidence, allowHoldout, cmd, day, progress);
    }

    public Options withProgress(PrintStream p) {
      return new Options(scenarios, dataDir, targetWatch, targetThrottle, minEvidence, checkpointEvery, l2,
          interactions, blockMargin, confidence, allowHoldout, command, date, p);
    }

    public Options withAllowHoldout(boolean allow) {
      return new Options(scenarios, dataDir, targetWatch, targetThrottle, minEvidence, checkpointEvery, l2,
          interactions, blockMargin, confidence, allow, command, date, progress);
    }

    public Options withInteractions(List<List<String>> pairs) {
      return new Options(scenarios, dataDir, targetWatch, targetThrottle, minEvidence, checkpointEvery, l2, pairs,
          blockMargin, confidence, allowHoldout, command, date, progress);
    }
  }

  /** The calibrated model and the table that explains it. */
  public record Result(DetectionModel model, String table, long requests, int benignAccounts) {}

  /** One account's scores over a run without enforcement. */
  static final class AccountScores {
    final AccountKind kind;
    final String group;
    final String scenario;
    final double[] maxFrom = new double[4]; // max score over exchanges >= min evidence of watch..block
    double max;
    long exchanges;
    /** Exchanges at the first score at or above each level's threshold (set after thresholds are known). */
    float[] series;
    int seriesSize;

    AccountScores(AccountKind kind, String group, String scenario) {
      this.kind = kind;
      this.group = group;
      this.scenario = scenario;
    }

    void add(float v) {
      if (series == null) {
        series = new float[64];
      } else if (seriesSize == series.length) {
        series = Arrays.copyOf(series, seriesSize * 2);
      }
      series[seriesSize++] = v;
    }

    /** Exchanges (1-based) at the first score >= t from {@code minEvidence} on, or -1. */
    long firstAtOrAbove(double t, long minEvidence) {
      for (int i = (int) Math.max(0, minEvidence - 1); i < seriesSize; i++) {
        if (series[i] >= t) {
          return i + 1;
        }
      }
      return -1;
    }
  }

  /** Runs the whole calibration. */
  public static Result run(Options o) {
    DataSets data = DataSets.load(o.dataDir());
    List<Scenario> scenarios = new ArrayList<>();
    for (Path p : o.scenarios()) {
      Scenario s = ScenarioLoader.load(p);
      boolean holdout = s.data().split() == Split.HOLDOUT || s.data().templates() == Split.HOLDOUT;
      if (holdout && !o.allowHoldout()) {
        throw new IllegalArgumentException(p + ": a holdout-split scenario; calibrate on tuning-split scenarios only "
            + "and measure the holdout separately (--holdout)");
      }
      scenarios.add(s);
    }
    List<String> detectors = DetectionModel.DETECTORS;
    int dims = detectors.size();
    int[][] pairs = new int[o.interactions().size()][];
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] = new int[] {detectors.indexOf(o.interactions().get(i).get(0)),
          detectors.indexOf(o.interactions().get(i).get(1))};
    }

    // ---- pass 1: sample suspicion vectors
    List<double[]> rows = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    List<Integer> rowAccount = new ArrayList<>();
    List<String> accountGroup = new ArrayList<>(); // weighting group of each fitted account
    List<Integer> accountRows = new ArrayList<>();
    long requests = 0;
    for (int si = 0; si < scenarios.size(); si++) {
      Scenario s = scenarios.get(si);
      log(o, "sampling %s (%d/%d)...", s.name(), si + 1, scenarios.size());
      SignalSampler.Samples samples = SignalSampler.run(Simulation.create(s, data), freshDetectors(),
          o.checkpointEvery(), null);
      requests += samples.requests();
      for (SignalSampler.AccountTrace t : samples.accounts()) {
        boolean positive;
        String group;
        switch (t.kind) {
          case CAMPAIGN -> {
            positive = true;
            group = "campaign:" + t.group;
          }
          case ORDINARY -> {
            positive = false;
            group = "ordinary";
          }
          case HEAVY -> {
            positive = false;
            group = "heavy";
          }
          default -> {
            continue;
          }
        }
        int account = accountGroup.size();
        accountGroup.add(group);
        accountRows.add(t.size());
        for (int k = 0; k < t.size(); k++) {
          double[] r = new double[dims + pairs.length];
          for (int d = 0; d < dims; d++) {
            r[d] = t.value(k, d);
          }
          for (int p = 0; p < pairs.length; p++) {
            r[dims + p] = r[pairs[p][0]] * r[pairs[p][1]];
          }
          rows.add(r);
          labels.add(positive);
          rowAccount.add(account);
        }
      }
    }

    // ---- group weights: campaign strategies alike, ordinary half and heavy half of the negatives
    Map<String, Integer> groupSizes = new TreeMap<>();
    for (String g : accountGroup) {
      groupSizes.merge(g, 1, Integer::sum);
    }
    long strategies = groupSizes.keySet().stream().filter(g -> g.startsWith("campaign:")).count();
    if (strategies == 0) {
      throw new IllegalArgumentException("the scenarios have no campaign accounts that per-account detection can "
          + "see (only hydra/evasive or none): nothing to learn from");
    }
    boolean anyHeavy = groupSizes.containsKey("heavy");
    double[][] x = rows.toArray(new double[0][]);
    boolean[] y = new boolean[x.length];
    double[] w = new double[x.length];
    for (int r = 0; r < x.length; r++) {
      y[r] = labels.get(r);
      int a = rowAccount.get(r);
      String g = accountGroup.get(a);
      double groupWeight = g.startsWith("campaign:") ? 1.0 / strategies
          : g.equals("ordinary") ? (anyHeavy ? 0.5 : 1.0) : 0.5;
      w[r] = groupWeight / groupSizes.get(g) / accountRows.get(a);
    }
    log(o, "fitting on %,d samples of %,d accounts...", x.length, accountGroup.size());
    LogisticFit.Result fit = LogisticFit.fit(x, y, w, new LogisticFit.Options(o.l2(), true, 100, 1e-9));
    rows.clear();
    Map<String, Double> weights = new LinkedHashMap<>();
    for (int d = 0; d < dims; d++) {
      weights.put(detectors.get(d), round(fit.weights()[d], 4));
    }
    List<LogisticScorer.Interaction> interactions = new ArrayList<>();
    for (int p = 0; p < pairs.length; p++) {
      interactions.add(new LogisticScorer.Interaction(detectors.get(pairs[p][0]), detectors.get(pairs[p][1]),
          round(fit.weights()[dims + p], 4)));
    }
    double bias = round(fit.bias(), 4);
    LogisticScorer scorer = new LogisticScorer(bias, weights, interactions);

    // ---- pass 2: every exchange scored; benign maxima and campaign score series
    List<AccountScores> all = new ArrayList<>();
    long[] levelsEvidence = new long[4];
    for (int l = 0; l < 4; l++) {
      levelsEvidence[l] = o.minEvidence().get(DetectionModel.LEVELS.get(l));
    }
    for (int si = 0; si < scenarios.size(); si++) {
      Scenario s = scenarios.get(si);
      log(o, "scoring %s (%d/%d)...", s.name(), si + 1, scenarios.size());
      all.addAll(score(Simulation.create(s, data), s.name(), scorer, levelsEvidence));
    }

    // ---- thresholds
    List<AccountScores> benign = all.stream().filter(a -> a.kind == AccountKind.ORDINARY
        || a.kind == AccountKind.HEAVY).toList();
    double watch = quantileThreshold(benign, 0, o.targetWatch(), o.confidence());
    double throttle = quantileThreshold(benign, 1, o.targetThrottle(), o.confidence());
    // The targets hold for each scenario's population too, not only for all of them pooled: pooling lets a large
    // scenario with many easy accounts (hydra-scale) make room for another's hard ones (week-10k went to 0.11%).
    Map<String, List<AccountScores>> byScenario = byScenario(benign);
    String bindingScenario = null;
    for (Map.Entry<String, List<AccountScores>> e : byScenario.entrySet()) {
      watch = Math.max(watch, quantileThreshold(e.getValue(), 0, o.targetWatch(), 0));
    }
    Map.Entry<String, Double> perScenario = perScenarioThreshold(benign, 1, o.targetThrottle());
    if (perScenario != null && perScenario.getValue() > throttle) {
      throttle = perScenario.getValue();
      bindingScenario = perScenario.getKey();
    }
    throttle = Math.max(watch, throttle);
    double benignMax = 0;
    for (AccountScores a : benign) {
      benignMax = Math.max(benignMax, a.maxFrom[3]);
    }
    // How far may an unseen population's highest benign score lie above the highest seen? Leave one scenario out:
    // the most any scenario's highest benign score exceeded the highest of all the others, in log-odds. The block
    // margin is that, and at least the configured minimum.
    Map<String, Double> scenarioMax = new LinkedHashMap<>();
    for (AccountScores a : benign) {
      scenarioMax.merge(a.scenario, a.maxFrom[3], Math::max);
    }
    double loso = 0;
    for (Map.Entry<String, Double> e : scenarioMax.entrySet()) {
      double others = 0;
      for (Map.Entry<String, Double> f : scenarioMax.entrySet()) {
        if (!f.getKey().equals(e.getKey())) {
          others = Math.max(others, f.getValue());
        }
      }
      if (scenarioMax.size() > 1 && others > 0) {
        loso = Math.max(loso, LogisticScorer.logit(e.getValue()) - LogisticScorer.logit(others));
      }
    }
    double margin = Math.max(o.blockMargin(), loso);
    double block = ceil4(LogisticScorer.sigmoid(LogisticScorer.logit(benignMax) + margin));
    if (block <= benignMax) {
      block = ceil4(benignMax + 1e-4);
    }
    block = Math.max(block, throttle);
    double degrade = round(LogisticScorer.sigmoid((LogisticScorer.logit(throttle) + LogisticScorer.logit(block)) / 2),
        4);
    degrade = Math.min(block, Math.max(throttle, degrade));
    Map<RiskLevel, Double> thresholds = Map.of(RiskLevel.WATCH, watch, RiskLevel.THROTTLE, throttle,
        RiskLevel.DEGRADE, degrade, RiskLevel.BLOCK, block);

    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("command", o.command());
    provenance.put("date", o.date());
    provenance.put("split", o.allowHoldout() ? "includes holdout (not for shipping)" : "tuning");
    List<String> names = new ArrayList<>();
    List<String> seeds = new ArrayList<>();
    for (int i = 0; i < scenarios.size(); i++) {
      names.add(scenarios.get(i).name() + " (" + o.scenarios().get(i).getFileName() + ")");
      seeds.add(scenarios.get(i).name() + "=" + scenarios.get(i).seed());
    }
    provenance.put("scenarios", String.join(", ", names));
    provenance.put("seeds", String.join(", ", seeds));
    provenance.put("data", data.real() ? "public datasets of the tuning split from the data directory ("
        + shortDir(data.dir()) + "; see scenarios/README.md)"
        : "built-in fixtures (no data directory)");
    provenance.put("fit", String.format(Locale.ROOT, "logistic regression, Newton, L2 %s, weights >= 0, %d "
        + "iterations; %,d samples (every %d exchanges and at each account's end) of %,d accounts; campaign "
        + "strategies weigh alike, ordinary and heavy benign half the negatives each; hydra, evasive and licensed "
        + "distillers left out", o.l2(), fit.iterations(), x.length, o.checkpointEvery(), accountGroup.size()));
    provenance.put("thresholds", String.format(Locale.ROOT, "from the maximum score over the run of %,d benign "
        + "accounts (no enforcement): watch at %s, throttle at %s of them (%d and %d accounts allowed over: the %.0f%% "
        + "upper confidence bound of the rate meets the target) and of each scenario's own (plain rate%s); block %.2f "
        + "log-odds above the highest (%.4f): the larger of the minimum margin %.2f and the leave-one-scenario-out "
        + "excess %.2f; degrade half way between throttle and block", benign.size(), rate(o.targetWatch()),
        rate(o.targetThrottle()), allowedExceedances(benign.size(), o.targetWatch(), o.confidence()),
        allowedExceedances(benign.size(), o.targetThrottle(), o.confidence()), 100 * o.confidence(),
        bindingScenario == null ? "" : "; " + bindingScenario + " set throttle", margin, benignMax, o.blockMargin(),
        loso));
    // Detectors fitted to weight 0 are left out of the model (they would cost time and explain nothing), unless an
    // interaction needs them.
    Map<String, Double> kept = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      boolean inInteraction = interactions.stream().anyMatch(ix -> ix.weight() != 0
          && (ix.a().equals(e.getKey()) || ix.b().equals(e.getKey())));
      if (e.getValue() != 0 || inInteraction) {
        kept.put(e.getKey(), e.getValue());
      }
    }
    List<String> dropped = weights.keySet().stream().filter(k -> !kept.containsKey(k)).toList();
    if (!dropped.isEmpty()) {
      provenance.put("dropped", String.join(", ", dropped) + ": fitted to weight 0");
    }
    DetectionModel model = new DetectionModel("default", bias, kept,
        interactions.stream().filter(ix -> ix.weight() != 0).toList(),
        DetectionModel.DEFAULT_PACE_REQUESTS_PER_DAY, DetectionModel.DEFAULT_PACE_TOKENS_PER_DAY, thresholds,
        o.minEvidence(), Map.of(), Set.of(), provenance);
    String table = table(model, all, benign.size(), requests, scenarios.size(), benignMax)
        + String.format(Locale.ROOT, "%nBlock margin: %.2f log-odds above the highest benign score (minimum %.2f; "
        + "leave-one-scenario-out excess %.2f: the most one scenario's highest benign score exceeded all the "
        + "others').%n", margin, o.blockMargin(), loso);
    return new Result(model, table, requests, benign.size());
  }

  private static List<Detector<?>> freshDetectors() {
    List<Detector<?>> out = new ArrayList<>();
    for (String d : DetectionModel.DETECTORS) {
      out.add(DetectionModel.detector(d, DetectionModel.DEFAULT_PACE_REQUESTS_PER_DAY,
          DetectionModel.DEFAULT_PACE_TOKENS_PER_DAY));
    }
    return out;
  }

  /** Pass 2: every exchange scored with no enforcement. */
  @SuppressWarnings("unchecked")
  static List<AccountScores> score(Simulation sim, String scenario, LogisticScorer scorer, long[] levelsEvidence) {
    List<Detector<Object>> detectors = new ArrayList<>();
    for (Detector<?> d : freshDetectors()) {
      detectors.add((Detector<Object>) d);
    }
    String[] names = detectors.stream().map(Detector::name).toArray(String[]::new);
    double[] s = new double[names.length];
    Map<String, String> strategies = sim.campaignStrategies();
    Map<String, AccountScores> accounts = new LinkedHashMap<>();
    Map<String, Object[]> states = new HashMap<>();
    long seq = 0;
    for (SimRequest r; (r = sim.next()) != null; ) {
      seq++;
      String id = r.account().id();
      AccountScores a = accounts.get(id);
      Object[] st = states.get(id);
      if (a == null) {
        AccountKind kind = AccountKind.of(r.account(), strategies);
        String group = kind.campaign() ? strategies.getOrDefault(r.account().label().group(), "")
            : r.account().label() == null ? "" : r.account().label().group();
        a = new AccountScores(kind, group, scenario);
        accounts.put(id, a);
        st = new Object[names.length];
        for (int i = 0; i < st.length; i++) {
          st[i] = detectors.get(i).newState();
        }
        states.put(id, st);
      }
      Exchange e = SimExchanges.exchange(r, seq, 200, null);
      for (int i = 0; i < names.length; i++) {
        Detector<Object> d = detectors.get(i);
        d.observe(st[i], e);
        s[i] = d.suspicion(st[i]);
      }
      double v = scorer.combine(names, s);
      a.exchanges++;
      a.max = Math.max(a.max, v);
      for (int l = 0; l < 4; l++) {
        if (a.exchanges >= levelsEvidence[l]) {
          a.maxFrom[l] = Math.max(a.maxFrom[l], v);
        }
      }
      if (a.kind.campaign()) {
        a.add((float) v);
      }
      sim.report(r, SimExchanges.result(e, 0));
    }
    return new ArrayList<>(accounts.values());
  }

  /**
   * The lowest threshold (rounded up to 4 decimals) at or above which the accounts' maximum scores lie for at most
   * {@link #allowedExceedances} of them: few enough that the false-positive rate's upper confidence bound stays at
   * {@code target}, so the target holds on traffic not seen here too, not just on average.
   */
  static double quantileThreshold(List<AccountScores> benign, int level, double target, double confidence) {
    double[] m = new double[benign.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = benign.get(i).maxFrom[level];
    }
    Arrays.sort(m);
    int allowed = allowedExceedances(m.length, target, confidence);
    // the (allowed+1)-th largest must stay below the threshold
    double below = m[m.length - 1 - Math.min(allowed, m.length - 1)];
    double t = ceil4(below + 1e-9);
    return Math.min(0.9999, Math.max(0.0001, t));
  }

  private static Map<String, List<AccountScores>> byScenario(List<AccountScores> accounts) {
    Map<String, List<AccountScores>> by = new LinkedHashMap<>();
    for (AccountScores a : accounts) {
      by.computeIfAbsent(a.scenario, k -> new ArrayList<>()).add(a);
    }
    return by;
  }

  /**
   * The highest of the scenarios' own plain-quantile thresholds for a level ({@link #quantileThreshold} within each
   * scenario, no confidence bound), with the scenario that sets it; null for no accounts.
   */
  static Map.Entry<String, Double> perScenarioThreshold(List<AccountScores> benign, int level, double target) {
    Map.Entry<String, Double> best = null;
    for (Map.Entry<String, List<AccountScores>> e : byScenario(benign).entrySet()) {
      double t = quantileThreshold(e.getValue(), level, target, 0);
      if (best == null || t > best.getValue()) {
        best = Map.entry(e.getKey(), t);
      }
    }
    return best;
  }

  /**
   * The most accounts out of {@code n} that may exceed a threshold so that the one-sided upper confidence bound of the
   * rate (exact Poisson bound, at {@code confidence}) is at most {@code target}; with confidence 0, plain
   * {@code floor(target · n)}.
   */
  static int allowedExceedances(int n, double target, double confidence) {
    double budget = target * n;
    if (confidence <= 0) {
      return (int) Math.floor(budget);
    }
    int k = -1;
    while (poissonUpper(k + 1, confidence) <= budget) {
      k++;
    }
    return Math.max(0, k);
  }

  /** The upper {@code confidence} bound on a Poisson mean after observing {@code k}: P(X <= k | mean) = 1 - c. */
  static double poissonUpper(int k, double confidence) {
    double lo = 0;
    double hi = k + 10 + 10 * Math.sqrt(k + 1);
    for (int i = 0; i < 200; i++) {
      double mid = (lo + hi) / 2;
      if (poissonCdf(k, mid) > 1 - confidence) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  /** P(X <= k) for a Poisson mean, summed in log space (no underflow for large means). */
  static double poissonCdf(int k, double mean) {
    if (mean <= 0) {
      return 1;
    }
    double logMean = Math.log(mean);
    double[] logs = new double[k + 1];
    double logTerm = -mean;
    double max = logTerm;
    logs[0] = logTerm;
    for (int i = 1; i <= k; i++) {
      logTerm += logMean - Math.log(i);
      logs[i] = logTerm;
      max = Math.max(max, logTerm);
    }
    double sum = 0;
    for (double l : logs) {
      sum += Math.exp(l - max);
    }
    return Math.min(1, Math.exp(max + Math.log(sum)));
  }

  /** The last two parts of a directory path, e.g. {@code shared/data}: enough to recognize, no machine paths. */
  private static String shortDir(Path dir) {
    if (dir == null) {
      return "?";
    }
    Path abs = dir.toAbsolutePath().normalize();
    int n = abs.getNameCount();
    return n >= 2 ? abs.subpath(n - 2, n).toString().replace('\\', '/') : abs.toString();
  }

  private static double ceil4(double v) {
    return Math.ceil(v * 10_000) / 10_000;
  }

  private static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }

  private static String rate(double r) {
    return String.format(Locale.ROOT, "%s%%", new java.math.BigDecimal(Double.toString(r * 100))
        .stripTrailingZeros().toPlainString());
  }

  private static void log(Options o, String fmt, Object... args) {
    if (o.progress() != null) {
      o.progress().println(String.format(Locale.ROOT, fmt, args));
    }
  }

  // ------------------------------------------------------------------------------------------ the table

  static String table(DetectionModel m, List<AccountScores> all, int benignCount, long requests, int scenarios,
      double benignMax) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Calibrated on %d scenarios, %,d requests, %,d benign accounts.%n%n",
        scenarios, requests, benignCount));
    TextTable weights = new TextTable("term", "weight (log-odds per unit of suspicion)");
    weights.row("bias", TextTable.f(m.bias(), 4));
    m.weights().entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> weights.row(e.getKey(), TextTable.f(e.getValue(), 4)));
    for (LogisticScorer.Interaction x : m.interactions()) {
      weights.row(x.name(), TextTable.f(x.weight(), 4));
    }
    sb.append(weights.render()).append('\n');

    List<AccountScores> benign = all.stream().filter(a -> a.kind == AccountKind.ORDINARY
        || a.kind == AccountKind.HEAVY).toList();
    TextTable levels = new TextTable("level", "threshold", "min evidence", "benign accounts at or above",
        "of them heavy users");
    for (int l = 0; l < 4; l++) {
      RiskLevel level = DetectionModel.LEVELS.get(l);
      double t = m.threshold(level);
      int lv = l;
      long above = benign.stream().filter(a -> a.maxFrom[lv] >= t).count();
      long heavy = benign.stream().filter(a -> a.kind == AccountKind.HEAVY && a.maxFrom[lv] >= t).count();
      levels.row(level.wireName(), TextTable.f(t, 4), TextTable.n(m.minEvidence().get(level)),
          TextTable.pct(above, benign.size()), TextTable.n(heavy));
    }
    sb.append(levels.render());
    sb.append(String.format(Locale.ROOT, "Highest benign score: %.4f. Scores without enforcement; the measured run "
        + "(--measure) applies the levels.%n%n", benignMax));

    // by group
    Map<String, List<AccountScores>> groups = new TreeMap<>();
    for (AccountScores a : all) {
      String g = switch (a.kind) {
        case ORDINARY -> "benign ordinary";
        case HEAVY -> "benign heavy: " + a.group;
        case LICENSED -> "licensed distiller (allow-listed; not fitted)";
        case CAMPAIGN -> "campaign: " + a.group;
        case CAMPAIGN_LINKAGE -> "campaign: " + a.group + " (linkage; not fitted)";
      };
      groups.computeIfAbsent(g, k -> new ArrayList<>()).add(a);
    }
    double throttle = m.threshold(RiskLevel.THROTTLE);
    double block = m.threshold(RiskLevel.BLOCK);
    long evThrottle = m.minEvidence().get(RiskLevel.THROTTLE);
    long evBlock = m.minEvidence().get(RiskLevel.BLOCK);
    TextTable t = new TextTable("accounts (all scenarios)", "n", "max score: median", "p99", "highest",
        ">= throttle", "> block", "exchanges to throttle (median)", "to block (median)");
    for (Map.Entry<String, List<AccountScores>> e : groups.entrySet()) {
      List<AccountScores> as = e.getValue();
      double[] maxes = as.stream().mapToDouble(a -> a.max).sorted().toArray();
      long atThrottle = as.stream().filter(a -> a.max >= throttle && a.exchanges >= evThrottle).count();
      long atBlock = as.stream().filter(a -> a.maxFrom[3] >= block).count();
      String toThrottle = "";
      String toBlock = "";
      if (as.get(0).kind.campaign()) {
        toThrottle = median(as.stream().mapToLong(a -> a.firstAtOrAbove(throttle, evThrottle)).filter(v -> v > 0)
            .toArray());
        toBlock = median(as.stream().mapToLong(a -> a.firstAtOrAbove(block, evBlock)).filter(v -> v > 0)
            .toArray());
      }
      t.row(e.getKey(), TextTable.n(as.size()), TextTable.f(maxes[maxes.length / 2], 3),
          TextTable.f(maxes[(int) Math.min(maxes.length - 1, Math.floor(0.99 * maxes.length))], 3),
          TextTable.f(maxes[maxes.length - 1], 3), TextTable.n(atThrottle), TextTable.n(atBlock), toThrottle,
          toBlock);
    }
    sb.append(t.render());
    return sb.toString();
  }

  private static String median(long[] v) {
    if (v.length == 0) {
      return "–";
    }
    Arrays.sort(v);
    return TextTable.n(v[v.length / 2]);
  }
}
