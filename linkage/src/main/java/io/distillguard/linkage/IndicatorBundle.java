package io.distillguard.linkage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillguard.core.detect.RiskLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A cluster's indicators, to share with another deployment: the subnets its accounts send from (CIDR), and as
 * 64-bit hashes (16 hex digits) their client fingerprints, system prompts, template skeletons and payment
 * fingerprints, plus its clock window. No prompt text, no account id: a template hash says which wrapper, not what
 * was asked. Hashes are computed the same way in every deployment, so an importing gateway can match its own new
 * accounts against them ({@link LinkageEngine#importIndicators}).
 *
 * <p>JSON with snake_case fields; {@link #parse} refuses unknown fields, malformed values and oversized lists with a
 * message naming the field.
 *
 * @param level the exporting cluster's level: pre-scores from this bundle never go above it
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record IndicatorBundle(
    @JsonProperty("format") int format,
    @JsonProperty("cluster_id") String clusterId,
    @JsonProperty("exported_at") String exportedAt,
    @JsonProperty("members") int members,
    @JsonProperty("score") double score,
    @JsonProperty("level") String level,
    @JsonProperty("subnets") List<String> subnets,
    @JsonProperty("client_fingerprints") List<String> clientFingerprints,
    @JsonProperty("system_prompts") List<String> systemPrompts,
    @JsonProperty("templates") List<String> templates,
    @JsonProperty("payment_fingerprints") List<String> paymentFingerprints,
    @JsonProperty("timing") Timing timing) {

  public static final int FORMAT = 1;
  /** Longest list a bundle may carry. */
  public static final int MAX_ENTRIES = 4096;
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{16}");
  private static final List<String> FIELDS = List.of("format", "cluster_id", "exported_at", "members", "score",
      "level", "subnets", "client_fingerprints", "system_prompts", "templates", "payment_fingerprints", "timing");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * The clock the cluster's requests sit on: the window (1-based) of {@code window_seconds} within a lattice of
   * {@code lattice_seconds}.
   */
  public record Timing(@JsonProperty("lattice_seconds") int latticeSeconds,
      @JsonProperty("window_seconds") int windowSeconds, @JsonProperty("window") int window) {}

  public IndicatorBundle {
    subnets = subnets == null ? List.of() : List.copyOf(subnets);
    clientFingerprints = clientFingerprints == null ? List.of() : List.copyOf(clientFingerprints);
    systemPrompts = systemPrompts == null ? List.of() : List.copyOf(systemPrompts);
    templates = templates == null ? List.of() : List.copyOf(templates);
    paymentFingerprints = paymentFingerprints == null ? List.of() : List.copyOf(paymentFingerprints);
  }

  /** Indicators of a cluster: values shared by at least two members (or a fifth of them, for big clusters). */
  static IndicatorBundle of(ClusterView c, List<AccountProfile> members, Instant at) {
    int min = Math.max(2, members.size() / 5);
    Map<Long, Integer> subnets = new HashMap<>();
    Map<Long, Integer> clients = new HashMap<>();
    Map<Long, Integer> systems = new HashMap<>();
    Map<Long, Integer> templates = new HashMap<>();
    Map<Long, Integer> payments = new HashMap<>();
    for (AccountProfile p : members) {
      for (int i = 0; i < p.subnets.slots(); i++) {
        if (p.subnets.counts[i] > 0) {
          subnets.merge(p.subnets.keys[i], 1, Integer::sum);
        }
      }
      if (p.clients.top() != 0) {
        clients.merge(p.clients.top(), 1, Integer::sum);
      }
      if (p.systems.top() != 0) {
        systems.merge(p.systems.top(), 1, Integer::sum);
      }
      for (int i = 0; i < p.templates.slots(); i++) {
        if (p.templates.counts[i] > 0 && p.templates.counts[i] >= 0.6 * p.templated) {
          templates.merge(p.templates.keys[i], 1, Integer::sum);
        }
      }
      if (p.payment != 0) {
        payments.merge(p.payment, 1, Integer::sum);
      }
    }
    List<String> cidrs = new ArrayList<>();
    for (long s : frequent(subnets, Math.min(min, 2))) {
      cidrs.add(Subnets.cidr(s));
    }
    ClusterFeatures f = c.features();
    Timing timing = f != null && f.dominantLattice() != 0 && f.latticeShare() >= 0.3
        ? new Timing(AccountProfile.LATTICE_SECONDS, AccountProfile.WINDOW_SECONDS, (int) f.dominantLattice()) : null;
    return new IndicatorBundle(FORMAT, c.id(), at.toString(), c.size(), round(c.risk().score()),
        c.level().wireName(), cidrs, hex(frequent(clients, min)), hex(frequent(systems, min)),
        hex(frequent(templates, min)), hex(frequent(payments, 2)), timing);
  }

  private static List<Long> frequent(Map<Long, Integer> counts, int min) {
    TreeSet<Long> out = new TreeSet<>(Long::compareUnsigned);
    for (Map.Entry<Long, Integer> e : counts.entrySet()) {
      if (e.getValue() >= min) {
        out.add(e.getKey());
      }
    }
    List<Long> list = new ArrayList<>(out);
    return list.size() > MAX_ENTRIES ? list.subList(0, MAX_ENTRIES) : list;
  }

  private static List<String> hex(List<Long> values) {
    List<String> out = new ArrayList<>(values.size());
    for (long v : values) {
      out.add(String.format("%016x", v));
    }
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The bundle as JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("indicator bundle could not be written", e);
    }
  }

  /**
   * Reads and checks a bundle.
   *
   * @throws IllegalArgumentException with a message naming the offending field
   */
  public static IndicatorBundle parse(String json) {
    IndicatorBundle b;
    try {
      com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(json == null ? "" : json);
      if (tree == null || !tree.isObject()) {
        throw new IllegalArgumentException("not an indicator bundle: expected a JSON object");
      }
      for (java.util.Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!FIELDS.contains(f)) {
          throw new IllegalArgumentException("unknown field '" + shorten(f) + "'; expected " + String.join(", ",
              FIELDS));
        }
      }
      for (String f : List.of("format", "cluster_id", "level")) {
        if (!tree.hasNonNull(f)) {
          throw new IllegalArgumentException(f + ": required");
        }
      }
      b = JSON.treeToValue(tree, IndicatorBundle.class);
    } catch (JsonProcessingException e) {
      String where = e.getOriginalMessage();
      if (where != null && where.length() > 200) {
        where = where.substring(0, 200);
      }
      throw new IllegalArgumentException("not an indicator bundle: " + (where == null ? "malformed JSON"
          : where.replaceAll("\\p{Cntrl}", "?")));
    }
    b.check();
    return b;
  }

  private void check() {
    if (format != FORMAT) {
      throw new IllegalArgumentException("format: only format " + FORMAT + " is understood");
    }
    if (clusterId == null || !ID.matcher(clusterId).matches()) {
      throw new IllegalArgumentException("cluster_id: 1-128 characters of letters, digits and . _ : @ -");
    }
    if (exportedAt != null) {
      try {
        Instant.parse(exportedAt);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("exported_at: must be an ISO-8601 instant");
      }
    }
    if (members < 0) {
      throw new IllegalArgumentException("members: must not be negative");
    }
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("score: must be in [0, 1]");
    }
    levelValue();
    checkList("subnets", subnets);
    for (String s : subnets) {
      if (Subnets.parseCidr(s) == 0) {
        throw new IllegalArgumentException("subnets: '" + shorten(s) + "' is not an IPv4 /24 or IPv6 /48 in CIDR "
            + "notation");
      }
    }
    checkHex("client_fingerprints", clientFingerprints);
    checkHex("system_prompts", systemPrompts);
    checkHex("templates", templates);
    checkHex("payment_fingerprints", paymentFingerprints);
    if (timing != null && (timing.latticeSeconds() != AccountProfile.LATTICE_SECONDS
        || timing.windowSeconds() != AccountProfile.WINDOW_SECONDS || timing.window() < 1
        || timing.window() > AccountProfile.LATTICE_SECONDS / AccountProfile.WINDOW_SECONDS)) {
      throw new IllegalArgumentException("timing: lattice_seconds must be " + AccountProfile.LATTICE_SECONDS
          + ", window_seconds " + AccountProfile.WINDOW_SECONDS + " and window 1-"
          + AccountProfile.LATTICE_SECONDS / AccountProfile.WINDOW_SECONDS);
    }
  }

  /** The exporting cluster's level. */
  public RiskLevel levelValue() {
    if (level != null) {
      for (RiskLevel l : RiskLevel.values()) {
        if (l.wireName().equals(level)) {
          return l;
        }
      }
    }
    throw new IllegalArgumentException("level: must be one of none, watch, throttle, degrade, block");
  }

  private static void checkList(String field, List<String> values) {
    if (values.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(field + ": at most " + MAX_ENTRIES + " entries");
    }
    for (String v : values) {
      if (v == null) {
        throw new IllegalArgumentException(field + ": entries must be strings");
      }
    }
  }

  private static void checkHex(String field, List<String> values) {
    checkList(field, values);
    for (String v : values) {
      if (!HEX.matcher(v).matches()) {
        throw new IllegalArgumentException(field + ": '" + shorten(v) + "' is not 16 lower-case hex digits");
      }
    }
  }

  private static String shorten(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
