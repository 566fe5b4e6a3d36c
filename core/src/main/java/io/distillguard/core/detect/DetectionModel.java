package io.distillguard.core.detect;

import io.distillguard.core.detect.Policy.TierOverride;
import io.distillguard.core.detectors.CadenceDetector;
import io.distillguard.core.detectors.ConversationDetector;
import io.distillguard.core.detectors.CoverageDetector;
import io.distillguard.core.detectors.CrossLanguageDetector;
import io.distillguard.core.detectors.HarvestParamsDetector;
import io.distillguard.core.detectors.LanguageDetector;
import io.distillguard.core.detectors.PaceDetector;
import io.distillguard.core.detectors.PersistenceDetector;
import io.distillguard.core.detectors.PivotDetector;
import io.distillguard.core.detectors.ReasoningDetector;
import io.distillguard.core.detectors.SplitStreamDetector;
import io.distillguard.core.detectors.TemplateDetector;
import io.distillguard.core.detectors.TimingDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A calibrated detection configuration: which detectors, the {@link LogisticScorer} weights that combine them, the
 * score thresholds of each level, the least evidence (exchanges) for each level, per-tier overrides, the accounts
 * licensed to distill, and where it all came from (scenarios, seeds, split, date, command). Written by
 * {@code ./distillguard calibrate}; the gateway loads it ({@code detection.model}, default {@link #loadDefault()}).
 *
 * <p>File format: {@link Properties} (UTF-8), keys
 *
 * <pre>
 * format=1
 * name=default
 * bias=-7.2
 * weight.&lt;detector&gt;=2.9                      (at least one; detectors run in the canonical order)
 * interaction.&lt;detector&gt;*&lt;detector&gt;=1.5       (optional pairwise terms)
 * detector.pace.requests-per-day=2000         (pace detector's reference; optional)
 * detector.pace.tokens-per-day=1000000
 * threshold.watch|throttle|degrade|block=0.5  (all four; 0 &lt; watch &lt;= throttle &lt;= degrade &lt;= block &lt; 1)
 * min-evidence.watch|throttle|degrade|block=200   (exchanges; optional, default 0, non-decreasing)
 * tier.&lt;tier&gt;.threshold.&lt;level&gt;=0.9         (per-tier overrides of either kind)
 * tier.&lt;tier&gt;.min-evidence.&lt;level&gt;=500
 * allowlist=acct-1,acct-2                     (licensed to distill: never above watch)
 * provenance.&lt;anything&gt;=free text             (scenarios, seeds, split, date, command, metrics)
 * </pre>
 *
 * Unknown keys and bad values are errors naming the key. Immutable and thread-safe.
 */
public final class DetectionModel {
  /** Classpath location of the bundled default model. */
  public static final String DEFAULT_RESOURCE = "/io/distillguard/core/detect/default-model.properties";
  /** The levels a model sets thresholds for, in increasing order. */
  public static final List<RiskLevel> LEVELS = List.of(RiskLevel.WATCH, RiskLevel.THROTTLE, RiskLevel.DEGRADE,
      RiskLevel.BLOCK);
  /** Detector names a model may weigh, in the order engines run them. */
  public static final List<String> DETECTORS = List.of(ReasoningDetector.NAME, TemplateDetector.NAME,
      CoverageDetector.NAME, HarvestParamsDetector.NAME, ConversationDetector.NAME, TimingDetector.NAME,
      LanguageDetector.NAME, PaceDetector.NAME, CrossLanguageDetector.NAME, PersistenceDetector.NAME,
      SplitStreamDetector.NAME, CadenceDetector.NAME, PivotDetector.NAME);
  public static final double DEFAULT_PACE_REQUESTS_PER_DAY = 2000;
  public static final double DEFAULT_PACE_TOKENS_PER_DAY = 1_000_000;

  private static final Pattern TIER = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Thrown for a model file that cannot be used; the message names the source and the key. */
  public static final class InvalidModelException extends IllegalArgumentException {
    public InvalidModelException(String message) {
      super(message);
    }
  }

  private final String name;
  private final double bias;
  private final Map<String, Double> weights;
  private final List<LogisticScorer.Interaction> interactions;
  private final double paceRequestsPerDay;
  private final double paceTokensPerDay;
  private final Map<RiskLevel, Double> thresholds;
  private final Map<RiskLevel, Long> minEvidence;
  private final Map<String, TierOverride> tiers;
  private final Set<String> allowlist;
  private final Map<String, String> provenance;
  private final LogisticScorer scorer;

  /**
   * A model from its parts; checked as a file would be (messages name the model file's keys).
   *
   * @param weights    detector name to weight; only {@link #DETECTORS} are allowed
   * @param provenance free-form facts about where the model came from, kept in order
   */
  public DetectionModel(String name, double bias, Map<String, Double> weights,
      List<LogisticScorer.Interaction> interactions, double paceRequestsPerDay, double paceTokensPerDay,
      Map<RiskLevel, Double> thresholds, Map<RiskLevel, Long> minEvidence, Map<String, TierOverride> tiers,
      Set<String> allowlist, Map<String, String> provenance) {
    this.name = name == null || name.isBlank() ? "unnamed" : name;
    String src = "model '" + this.name + "'";
    check(Double.isFinite(bias), src, "bias", "must be a finite number");
    this.bias = bias;
    check(!weights.isEmpty(), src, "weight.*", "at least one detector weight is required; detectors: "
        + String.join(", ", DETECTORS));
    Map<String, Double> w = new LinkedHashMap<>();
    for (String d : DETECTORS) {
      if (weights.containsKey(d)) {
        Double v = weights.get(d);
        check(v != null && Double.isFinite(v), src, "weight." + d, "must be a finite number");
        w.put(d, v);
      }
    }
    for (String d : weights.keySet()) {
      check(DETECTORS.contains(d), src, "weight." + d, "unknown detector; available: " + String.join(", ",
          DETECTORS));
    }
    this.weights = Collections.unmodifiableMap(w);
    Set<String> pairs = new HashSet<>();
    for (LogisticScorer.Interaction x : interactions) {
      String key = "interaction." + x.name();
      check(w.containsKey(x.a()) && w.containsKey(x.b()), src, key, "both detectors need a weight");
      check(pairs.add(x.a().compareTo(x.b()) < 0 ? x.name() : x.b() + "*" + x.a()), src, key, "appears twice");
    }
    this.interactions = List.copyOf(interactions);
    check(paceRequestsPerDay > 0 && Double.isFinite(paceRequestsPerDay), src, "detector.pace.requests-per-day",
        "must be positive");
    check(paceTokensPerDay > 0 && Double.isFinite(paceTokensPerDay), src, "detector.pace.tokens-per-day",
        "must be positive");
    this.paceRequestsPerDay = paceRequestsPerDay;
    this.paceTokensPerDay = paceTokensPerDay;
    EnumMap<RiskLevel, Double> t = new EnumMap<>(RiskLevel.class);
    for (RiskLevel l : LEVELS) {
      Double v = thresholds.get(l);
      check(v != null, src, "threshold." + l.wireName(), "is required");
      t.put(l, v);
    }
    checkThresholds(src, "threshold.", t);
    this.thresholds = Collections.unmodifiableMap(t);
    EnumMap<RiskLevel, Long> m = new EnumMap<>(RiskLevel.class);
    for (RiskLevel l : LEVELS) {
      m.put(l, minEvidence.getOrDefault(l, 0L));
    }
    checkEvidence(src, "min-evidence.", m);
    this.minEvidence = Collections.unmodifiableMap(m);
    Map<String, TierOverride> tm = new TreeMap<>();
    for (Map.Entry<String, TierOverride> e : tiers.entrySet()) {
      String prefix = "tier." + e.getKey() + ".";
      check(TIER.matcher(e.getKey()).matches(), src, prefix + "*", "tier names are 1-64 letters, digits, - or _");
      EnumMap<RiskLevel, Double> tt = new EnumMap<>(t);
      tt.putAll(e.getValue().thresholds());
      checkThresholds(src, prefix + "threshold.", tt);
      EnumMap<RiskLevel, Long> tmv = new EnumMap<>(m);
      tmv.putAll(e.getValue().minEvidence());
      checkEvidence(src, prefix + "min-evidence.", tmv);
      tm.put(e.getKey(), e.getValue());
    }
    this.tiers = Collections.unmodifiableMap(tm);
    for (String a : allowlist) {
      check(a != null && !a.isBlank() && a.strip().equals(a), src, "allowlist",
          "account ids must be non-empty without surrounding spaces");
    }
    this.allowlist = Collections.unmodifiableSet(new TreeSet<>(allowlist));
    this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    this.scorer = new LogisticScorer(bias, this.weights, this.interactions);
  }

  // ------------------------------------------------------------------------------------------ loading

  /** The model bundled with the core library ({@value #DEFAULT_RESOURCE}). */
  public static DetectionModel loadDefault() {
    try (InputStream in = DetectionModel.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("bundled detection model missing: " + DEFAULT_RESOURCE);
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "default-model.properties");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads a model file.
   *
   * @throws InvalidModelException when the file is missing, unreadable or invalid (naming the file and key)
   */
  public static DetectionModel load(Path file) {
    String src = file.toString();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(r, src);
    } catch (NoSuchFileException e) {
      throw new InvalidModelException(src + ": no such file");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new InvalidModelException(src + ": not UTF-8 text");
    } catch (IOException e) {
      throw new InvalidModelException(src + ": cannot read: " + e.getMessage());
    }
  }

  /** Parses a model in {@link Properties} format; {@code source} names it in error messages. */
  public static DetectionModel parse(Reader reader, String source) throws IOException {
    Properties p = new Properties();
    try {
      p.load(reader);
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(source + ": not a properties file: " + e.getMessage());
    }
    return fromProperties(p, source);
  }

  /** A model from properties (see the class comment for the keys). */
  public static DetectionModel fromProperties(Properties p, String source) {
    String name = "unnamed";
    Double bias = null;
    Map<String, Double> weights = new LinkedHashMap<>();
    List<LogisticScorer.Interaction> interactions = new ArrayList<>();
    double paceRequests = DEFAULT_PACE_REQUESTS_PER_DAY;
    double paceTokens = DEFAULT_PACE_TOKENS_PER_DAY;
    Map<RiskLevel, Double> thresholds = new EnumMap<>(RiskLevel.class);
    Map<RiskLevel, Long> evidence = new EnumMap<>(RiskLevel.class);
    Map<String, Map<RiskLevel, Double>> tierThresholds = new TreeMap<>();
    Map<String, Map<RiskLevel, Long>> tierEvidence = new TreeMap<>();
    Set<String> allow = new LinkedHashSet<>();
    Map<String, String> provenance = new TreeMap<>();
    for (String key : new TreeSet<>(p.stringPropertyNames())) {
      String v = p.getProperty(key).strip();
      if (key.equals("format")) {
        check(v.equals("1"), source, key, "unsupported format '" + printable(v) + "' (this build reads 1)");
      } else if (key.equals("name")) {
        name = v;
      } else if (key.equals("bias")) {
        bias = number(source, key, v);
      } else if (key.startsWith("weight.")) {
        String d = key.substring("weight.".length());
        check(DETECTORS.contains(d), source, key, "unknown detector; available: " + String.join(", ", DETECTORS));
        weights.put(d, number(source, key, v));
      } else if (key.startsWith("interaction.")) {
        String[] ab = key.substring("interaction.".length()).split("\\*", -1);
        check(ab.length == 2, source, key, "expected interaction.<detector>*<detector>");
        for (String d : ab) {
          check(DETECTORS.contains(d), source, key, "unknown detector '" + printable(d) + "'; available: "
              + String.join(", ", DETECTORS));
        }
        check(!ab[0].equals(ab[1]), source, key, "a detector cannot interact with itself");
        interactions.add(new LogisticScorer.Interaction(ab[0], ab[1], number(source, key, v)));
      } else if (key.equals("detector.pace.requests-per-day")) {
        paceRequests = number(source, key, v);
      } else if (key.equals("detector.pace.tokens-per-day")) {
        paceTokens = number(source, key, v);
      } else if (key.startsWith("threshold.")) {
        thresholds.put(level(source, key, key.substring("threshold.".length())), number(source, key, v));
      } else if (key.startsWith("min-evidence.")) {
        evidence.put(level(source, key, key.substring("min-evidence.".length())), count(source, key, v));
      } else if (key.startsWith("tier.")) {
        String rest = key.substring("tier.".length());
        int dot = rest.indexOf('.');
        check(dot > 0, source, key, "expected tier.<tier>.threshold.<level> or tier.<tier>.min-evidence.<level>");
        String tier = rest.substring(0, dot);
        String what = rest.substring(dot + 1);
        check(TIER.matcher(tier).matches(), source, key, "tier names are 1-64 letters, digits, - or _");
        if (what.startsWith("threshold.")) {
          tierThresholds.computeIfAbsent(tier, x -> new EnumMap<>(RiskLevel.class))
              .put(level(source, key, what.substring("threshold.".length())), number(source, key, v));
        } else if (what.startsWith("min-evidence.")) {
          tierEvidence.computeIfAbsent(tier, x -> new EnumMap<>(RiskLevel.class))
              .put(level(source, key, what.substring("min-evidence.".length())), count(source, key, v));
        } else {
          throw new InvalidModelException(source + ": " + key
              + ": expected tier.<tier>.threshold.<level> or tier.<tier>.min-evidence.<level>");
        }
      } else if (key.equals("allowlist")) {
        for (String a : v.split(",")) {
          if (!a.isBlank()) {
            allow.add(a.strip());
          }
        }
      } else if (key.startsWith("provenance.") && key.length() > "provenance.".length()) {
        provenance.put(key.substring("provenance.".length()), p.getProperty(key));
      } else {
        throw new InvalidModelException(source + ": " + printable(key) + ": unknown key (known: format, name, bias, "
            + "weight.*, interaction.*, detector.pace.*, threshold.*, min-evidence.*, tier.*, allowlist, "
            + "provenance.*)");
      }
    }
    check(bias != null, source, "bias", "is required");
    check(!weights.isEmpty(), source, "weight.*", "at least one detector weight is required; detectors: "
        + String.join(", ", DETECTORS));
    for (RiskLevel l : LEVELS) {
      check(thresholds.containsKey(l), source, "threshold." + l.wireName(), "is required");
    }
    Map<String, TierOverride> tiers = new TreeMap<>();
    Set<String> tierNames = new TreeSet<>(tierThresholds.keySet());
    tierNames.addAll(tierEvidence.keySet());
    for (String t : tierNames) {
      tiers.put(t, new TierOverride(tierThresholds.getOrDefault(t, Map.of()), tierEvidence.getOrDefault(t,
          Map.of())));
    }
    try {
      return new DetectionModel(name, bias, weights, interactions, paceRequests, paceTokens, thresholds, evidence,
          tiers, allow, provenance);
    } catch (InvalidModelException e) {
      // re-attribute to the file rather than the model name
      String m = e.getMessage();
      String prefix = "model '" + (name.isBlank() ? "unnamed" : name) + "': ";
      throw new InvalidModelException(source + ": " + (m.startsWith(prefix) ? m.substring(prefix.length()) : m));
    }
  }

  // ------------------------------------------------------------------------------------------ use

  /** The scorer with this model's weights. */
  public LogisticScorer scorer() {
    return scorer;
  }

  /** Fresh detector instances for the weighted detectors, in canonical order. */
  public List<Detector<?>> detectors() {
    List<Detector<?>> out = new ArrayList<>();
    for (String d : weights.keySet()) {
      out.add(detector(d, paceRequestsPerDay, paceTokensPerDay));
    }
    return out;
  }

  /** A detector by name, with the pace references given. */
  public static Detector<?> detector(String name, double paceRequestsPerDay, double paceTokensPerDay) {
    switch (name) {
      case ReasoningDetector.NAME: return new ReasoningDetector();
      case TemplateDetector.NAME: return new TemplateDetector();
      case CoverageDetector.NAME: return new CoverageDetector();
      case HarvestParamsDetector.NAME: return new HarvestParamsDetector();
      case ConversationDetector.NAME: return new ConversationDetector();
      case TimingDetector.NAME: return new TimingDetector();
      case LanguageDetector.NAME: return new LanguageDetector();
      case PaceDetector.NAME: return new PaceDetector(paceRequestsPerDay, paceTokensPerDay);
      case CrossLanguageDetector.NAME: return new CrossLanguageDetector();
      case PersistenceDetector.NAME: return new PersistenceDetector();
      case SplitStreamDetector.NAME: return new SplitStreamDetector();
      case CadenceDetector.NAME: return new CadenceDetector();
      // a fresh catalog per detector, so each engine learns model releases from its own traffic
      case PivotDetector.NAME: return new PivotDetector(paceRequestsPerDay);
      default:
        throw new IllegalArgumentException("unknown detector '" + printable(name) + "'; available: "
            + String.join(", ", DETECTORS));
    }
  }

  /** The model's policy: default levels, per-tier overrides and the model's allowlist. */
  public Policy policy() {
    return new Policy(thresholds, minEvidence, allowlist, tiers);
  }

  /**
   * The levels for one account tier (the tier's overrides over the model's levels; null or an unknown tier: the
   * model's), with the model's allowlist plus {@code extraAllowlist}.
   */
  public Policy policy(String tier, Set<String> extraAllowlist) {
    return policy().forTier(tier).withAllowlist(extraAllowlist);
  }

  /** A fresh engine with this model's detectors, scorer and policy; every account gets the default levels. */
  public DetectionEngine newEngine() {
    return newEngine(AccountTiers.NONE, Set.of());
  }

  /**
   * A fresh engine that holds each account to its tier's levels.
   *
   * @param tiers where the engine learns an account's tier (from memory; the core does no I/O)
   */
  public DetectionEngine newEngine(AccountTiers tiers, Set<String> extraAllowlist) {
    return new DetectionEngine(detectors(), scorer, policy().withAllowlist(extraAllowlist), tiers);
  }

  /** A fresh engine for one tier's accounts only (see {@link #policy(String, Set)}). */
  public DetectionEngine newEngine(String tier, Set<String> extraAllowlist) {
    return new DetectionEngine(detectors(), scorer, policy(tier, extraAllowlist));
  }

  /** This model as a named {@link DetectorSet} (its policy with the tier overrides), for the evaluation harness. */
  public DetectorSet detectorSet(String setName) {
    return new DetectorSet(setName, "calibrated logistic model '" + name + "'", detectors(), scorer, policy());
  }

  // ------------------------------------------------------------------------------------------ accessors

  public String name() {
    return name;
  }

  public double bias() {
    return bias;
  }

  public Map<String, Double> weights() {
    return weights;
  }

  public List<LogisticScorer.Interaction> interactions() {
    return interactions;
  }

  public double paceRequestsPerDay() {
    return paceRequestsPerDay;
  }

  public double paceTokensPerDay() {
    return paceTokensPerDay;
  }

  public Map<RiskLevel, Double> thresholds() {
    return thresholds;
  }

  public double threshold(RiskLevel level) {
    return thresholds.get(level);
  }

  public Map<RiskLevel, Long> minEvidence() {
    return minEvidence;
  }

  public Map<String, TierOverride> tiers() {
    return tiers;
  }

  public Set<String> allowlist() {
    return allowlist;
  }

  public Map<String, String> provenance() {
    return provenance;
  }

  // ------------------------------------------------------------------------------------------ changes

  /** The same model with other thresholds and minimum evidence (levels not given keep this model's). */
  public DetectionModel withLevels(Map<RiskLevel, Double> newThresholds, Map<RiskLevel, Long> newEvidence) {
    EnumMap<RiskLevel, Double> t = new EnumMap<>(thresholds);
    t.putAll(newThresholds);
    EnumMap<RiskLevel, Long> m = new EnumMap<>(minEvidence);
    m.putAll(newEvidence);
    return new DetectionModel(name, bias, weights, interactions, paceRequestsPerDay, paceTokensPerDay, t, m, tiers,
        allowlist, provenance);
  }

  /** The same model with more accounts allow-listed. */
  public DetectionModel withAllowlist(Set<String> more) {
    Set<String> a = new TreeSet<>(allowlist);
    a.addAll(more);
    return new DetectionModel(name, bias, weights, interactions, paceRequestsPerDay, paceTokensPerDay, thresholds,
        minEvidence, tiers, a, provenance);
  }

  // ------------------------------------------------------------------------------------------ writing

  /** The model as properties text, keys in a fixed order (same model, same bytes). */
  public String toPropertiesText() {
    StringBuilder sb = new StringBuilder();
    sb.append("# DistillGuard detection model (java.util.Properties, UTF-8). See docs/detection.md.\n");
    sb.append("# score = sigmoid(bias + sum weight.d * suspicion(d) + sum interaction.a*b * s(a) * s(b))\n");
    line(sb, "format", "1");
    line(sb, "name", name);
    sb.append('\n');
    line(sb, "bias", num(bias));
    weights.forEach((d, w) -> line(sb, "weight." + d, num(w)));
    for (LogisticScorer.Interaction x : interactions) {
      line(sb, "interaction." + x.name(), num(x.weight()));
    }
    line(sb, "detector.pace.requests-per-day", num(paceRequestsPerDay));
    line(sb, "detector.pace.tokens-per-day", num(paceTokensPerDay));
    sb.append('\n');
    for (RiskLevel l : LEVELS) {
      line(sb, "threshold." + l.wireName(), num(thresholds.get(l)));
    }
    for (RiskLevel l : LEVELS) {
      line(sb, "min-evidence." + l.wireName(), Long.toString(minEvidence.get(l)));
    }
    for (Map.Entry<String, TierOverride> e : tiers.entrySet()) {
      for (Map.Entry<RiskLevel, Double> t : e.getValue().thresholds().entrySet()) {
        line(sb, "tier." + e.getKey() + ".threshold." + t.getKey().wireName(), num(t.getValue()));
      }
      for (Map.Entry<RiskLevel, Long> t : e.getValue().minEvidence().entrySet()) {
        line(sb, "tier." + e.getKey() + ".min-evidence." + t.getKey().wireName(), Long.toString(t.getValue()));
      }
    }
    line(sb, "allowlist", String.join(",", allowlist));
    if (!provenance.isEmpty()) {
      sb.append('\n');
      provenance.forEach((k, v) -> line(sb, "provenance." + k, v));
    }
    return sb.toString();
  }

  /** Writes {@link #toPropertiesText()} to a file (UTF-8). */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toPropertiesText(), StandardCharsets.UTF_8);
  }

  private static void line(StringBuilder sb, String key, String value) {
    sb.append(escape(key, true)).append('=').append(escape(value, false)).append('\n');
  }

  /** Properties escaping: backslash, separators in keys, a leading space, line breaks and control characters. */
  private static String escape(String s, boolean key) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\f' -> b.append("\\f");
        case '=', ':', '#', '!' -> b.append(key || (i == 0 && (c == '#' || c == '!')) ? "\\" + c : String.valueOf(c));
        case ' ' -> b.append(key || i == 0 ? "\\ " : " ");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** Shortest round-tripping decimal form. */
  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  // ------------------------------------------------------------------------------------------ checks

  private static RiskLevel level(String source, String key, String s) {
    for (RiskLevel l : LEVELS) {
      if (l.wireName().equals(s)) {
        return l;
      }
    }
    throw new InvalidModelException(source + ": " + printable(key) + ": unknown level '" + printable(s)
        + "' (levels: watch, throttle, degrade, block)");
  }

  private static double number(String source, String key, String v) {
    try {
      double d = Double.parseDouble(v);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new InvalidModelException(source + ": " + printable(key) + ": not a number: '" + printable(v) + "'");
  }

  private static long count(String source, String key, String v) {
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new InvalidModelException(source + ": " + printable(key) + ": expected a whole number of exchanges >= 0, "
        + "got '" + printable(v) + "'");
  }

  private static void checkThresholds(String source, String prefix, Map<RiskLevel, Double> t) {
    double previous = 0;
    for (RiskLevel l : LEVELS) {
      double v = t.get(l);
      check(v > 0 && v < 1, source, prefix + l.wireName(), "must be between 0 and 1 (exclusive): " + num(v));
      check(v >= previous, source, prefix + l.wireName(), "must be at least the threshold of the level below ("
          + num(previous) + "): levels rise watch <= throttle <= degrade <= block");
      previous = v;
    }
  }

  private static void checkEvidence(String source, String prefix, Map<RiskLevel, Long> m) {
    long previous = 0;
    for (RiskLevel l : LEVELS) {
      long v = m.get(l);
      check(v >= 0, source, prefix + l.wireName(), "must be 0 or more");
      check(v >= previous, source, prefix + l.wireName(), "must be at least the minimum evidence of the level "
          + "below (" + previous + ")");
      previous = v;
    }
  }

  private static void check(boolean ok, String source, String key, String problem) {
    if (!ok) {
      throw new InvalidModelException(source + ": " + printable(key) + ": " + problem);
    }
  }

  private static String printable(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DetectionModel m && m.toPropertiesText().equals(toPropertiesText());
  }

  @Override
  public int hashCode() {
    return toPropertiesText().hashCode();
  }

  @Override
  public String toString() {
    return "DetectionModel[" + name + ": " + scorer + ", thresholds " + thresholds + ", min evidence " + minEvidence
        + "]";
  }
}
