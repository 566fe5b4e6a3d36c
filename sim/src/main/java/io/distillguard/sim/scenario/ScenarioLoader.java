package io.distillguard.sim.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distillguard.sim.campaign.CampaignStrategies;
import io.distillguard.sim.campaign.CampaignStrategy;
import io.distillguard.sim.data.DatasetInfo;
import io.distillguard.sim.data.Split;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads scenario files strictly: unknown keys and bad values raise {@link IllegalArgumentException} naming the file
 * and the field path, e.g. {@code week.yaml: campaigns[2].params.rate: bad rate 'fast'}. The schema is documented in
 * {@code scenarios/README.md}.
 */
public final class ScenarioLoader {
  /** Monday 2025-03-03 00:00 UTC: the default start, so weekly rhythm begins on a weekday. */
  public static final Instant DEFAULT_START = Instant.parse("2025-03-03T00:00:00Z");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ScenarioLoader() {}

  public static Scenario load(Path yamlFile) {
    String text;
    try {
      text = Files.readString(yamlFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read scenario " + yamlFile + ": " + e.getMessage(), e);
    }
    return parse(text, yamlFile.getFileName().toString());
  }

  public static Scenario parse(String yaml, String sourceName) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(sourceName + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      throw new IllegalArgumentException(sourceName + ": empty scenario");
    }
    YamlNode top = new YamlNode(root, "", sourceName);
    String name = top.requiredString("name");
    String description = top.string("description", "");
    long seed = top.longValue("seed", null);
    Instant start = DEFAULT_START;
    String startText = top.string("start", null);
    if (startText != null) {
      try {
        start = Instant.parse(startText);
      } catch (DateTimeParseException e) {
        throw top.error("start", "expected an ISO-8601 instant like 2025-03-03T00:00:00Z, got '" + startText + "'");
      }
    }
    Duration duration = top.duration("duration", null);
    if (duration == null) {
      throw top.error("duration", "required (e.g. 1d, 7d, 36h)");
    }
    if (duration.isZero() || duration.isNegative()) {
      throw top.error("duration", "must be positive");
    }
    DataSpec data = parseData(top.object("data"));
    Map<String, Double> models = parseModels(top.object("models"));
    PopulationSpec population = parsePopulation(top.object("population"), data);
    List<CampaignSpec> campaigns = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (YamlNode c : top.objects("campaigns")) {
      CampaignSpec spec = parseCampaign(c, data, duration, models);
      if (!ids.add(spec.id())) {
        throw c.error(c.child("id"), "duplicate campaign id '" + spec.id() + "'");
      }
      campaigns.add(spec);
    }
    top.finish();
    return new Scenario(name, description, seed, start, duration, data, models, population, campaigns, sourceName);
  }

  private static DataSpec parseData(YamlNode n) {
    if (!n.present()) {
      n.finish();
      return DataSpec.TUNING;
    }
    Split split = null;
    String splitText = n.string("split", null);
    if (splitText != null) {
      try {
        split = Split.parse(splitText);
      } catch (IllegalArgumentException e) {
        throw n.error(n.child("split"), e.getMessage());
      }
    }
    List<String> datasets = n.strings("datasets");
    for (int i = 0; i < datasets.size(); i++) {
      String d = datasets.get(i);
      DatasetInfo info;
      try {
        info = DatasetInfo.of(d);
      } catch (IllegalArgumentException e) {
        throw n.error(n.child("datasets") + "[" + i + "]", e.getMessage());
      }
      if (split != null && info.split() != split) {
        throw n.error(n.child("datasets") + "[" + i + "]", "dataset '" + d + "' belongs to the "
            + info.split().id() + " split, not " + split.id());
      }
    }
    Split templates = null;
    String templatesText = n.string("templates", null);
    if (templatesText != null) {
      try {
        templates = Split.parse(templatesText);
      } catch (IllegalArgumentException e) {
        throw n.error(n.child("templates"), e.getMessage());
      }
    }
    if (split == null && datasets.isEmpty()) {
      throw n.error(n.path(), "name a split (tuning or holdout) or a list of datasets");
    }
    if (split == Split.HOLDOUT && templates == Split.TUNING) {
      throw n.error(n.child("templates"), "a holdout scenario must use holdout templates");
    }
    n.finish();
    return new DataSpec(split, datasets, templates);
  }

  private static Map<String, Double> parseModels(YamlNode n) {
    if (!n.present()) {
      return Scenario.DEFAULT_MODELS;
    }
    Map<String, Double> models = new LinkedHashMap<>();
    for (String k : n.keys()) {
      models.put(k, n.number(k, 0, 0, 1e9));
    }
    if (models.isEmpty()) {
      throw n.error(n.path(), "at least one model");
    }
    n.finish();
    return models;
  }

  private static PopulationSpec parsePopulation(YamlNode n, DataSpec data) {
    int accounts = n.integer("accounts", 1000, 0, 10_000_000);
    PopulationSpec d = PopulationSpec.defaults(accounts);
    YamlNode activity = n.object("activity");
    double median = activity.number("median_per_day", d.medianPerDay(), 0.01, 1e6);
    double sigma = activity.number("sigma", d.sigma(), 0, 5);
    double max = activity.number("max_per_day", d.maxPerDay(), 0.01, 1e7);
    activity.finish();
    YamlNode orgs = n.object("organizations");
    double orgShare = orgs.number("share", d.orgShare(), 0, 1);
    double sharedPayment = orgs.number("shared_payment", d.sharedPayment(), 0, 1);
    orgs.finish();
    double freeTier = n.number("free_tier", d.freeTier(), 0, 1);
    double newSignups = n.number("new_signups", d.newSignups(), 0, 1);
    YamlNode heavy = n.object("heavy");
    PopulationSpec.Heavy hd = d.heavy();
    PopulationSpec.Heavy h = new PopulationSpec.Heavy(
        heavy.integer("batch_eval", hd.batchEval(), 0, 100_000),
        heavy.integer("integration", hd.integration(), 0, 100_000),
        heavy.integer("researcher", hd.researcher(), 0, 100_000),
        heavy.integer("licensed_distiller", hd.licensedDistiller(), 0, 100_000));
    heavy.finish();
    List<String> datasets = n.strings("datasets");
    checkDatasets(n, "datasets", datasets, data, DatasetInfo.Kind.BENIGN);
    n.finish();
    if (datasets.isEmpty() && data.allowed(DatasetInfo.Kind.BENIGN).isEmpty() && accounts + h.total() > 0) {
      throw n.error(n.child("datasets"), "the scenario's data allows no benign dataset for the population");
    }
    return new PopulationSpec(accounts, median, sigma, max, orgShare, sharedPayment, freeTier, newSignups, h,
        datasets);
  }

  private static void checkDatasets(YamlNode n, String key, List<String> datasets, DataSpec data,
      DatasetInfo.Kind kind) {
    for (int i = 0; i < datasets.size(); i++) {
      String p = n.child(key) + "[" + i + "]";
      DatasetInfo info;
      try {
        info = DatasetInfo.of(datasets.get(i));
      } catch (IllegalArgumentException e) {
        throw n.error(p, e.getMessage());
      }
      if (kind != null && info.kind() != kind) {
        throw n.error(p, "'" + info.name() + "' is not a " + kind.name().toLowerCase() + " dataset");
      }
      if (!data.allows(info.name())) {
        throw n.error(p, "'" + info.name() + "' is outside the scenario's data (" + data.describe() + ")");
      }
    }
  }

  private static CampaignSpec parseCampaign(YamlNode c, DataSpec data, Duration scenarioDuration,
      Map<String, Double> models) {
    String id = c.requiredString("id");
    for (int i = 0; i < id.length(); i++) {
      char ch = id.charAt(i);
      if (!(Character.isLetterOrDigit(ch) || ch == '-' || ch == '_' || ch == '.')) {
        throw c.error(c.child("id"), "use letters, digits, '-', '_' or '.' only, got '" + id + "'");
      }
    }
    String strategyName = c.requiredString("strategy");
    CampaignStrategy strategy;
    try {
      strategy = CampaignStrategies.get(strategyName);
    } catch (IllegalArgumentException e) {
      throw c.error(c.child("strategy"), e.getMessage());
    }
    Duration start = c.duration("start", Duration.ZERO);
    if (start.compareTo(scenarioDuration) >= 0) {
      throw c.error(c.child("start"), "starts at " + Durations.format(start) + ", after the scenario ends ("
          + Durations.format(scenarioDuration) + ")");
    }
    Duration duration = c.duration("duration", null);
    if (duration != null && duration.isZero()) {
      throw c.error(c.child("duration"), "must be positive");
    }
    int accounts = c.integer("accounts", 0, 0, 1_000_000);
    List<String> datasets = c.strings("datasets");
    checkDatasets(c, "datasets", datasets, data, null);
    Split templates = null;
    String t = c.string("templates", null);
    if (t != null) {
      try {
        templates = Split.parse(t);
      } catch (IllegalArgumentException e) {
        throw c.error(c.child("templates"), e.getMessage());
      }
      if (data.split() == Split.HOLDOUT && templates != Split.HOLDOUT) {
        throw c.error(c.child("templates"), "a holdout scenario must use holdout templates");
      }
    }
    int prompts = c.integer("prompts", 0, 0, 100_000_000);
    int passes = c.integer("passes", 1, 1, 10_000);
    int replacements = c.integer("replacements", -1, -1, 10_000_000);
    String model = c.string("model", null);
    if (model != null && !models.containsKey(model)) {
      throw c.error(c.child("model"), "unknown model '" + model + "' (scenario models: " + models.keySet() + ")");
    }
    Params params = parseParams(c.object("params"), strategy);
    try {
      strategy.check(params);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      int colon = m.indexOf(':');
      String param = colon > 0 ? "." + m.substring(0, colon) : "";
      throw c.error(c.child("params") + param, colon > 0 ? m.substring(colon + 1).strip() : m);
    }
    c.finish();
    CampaignSpec spec = new CampaignSpec(id, strategy.name(), start, duration, accounts, datasets, templates,
        prompts, passes, replacements, model, params);
    if (CampaignStrategies.datasets(spec, data).isEmpty()) {
      throw c.error(c.child("datasets"), "none of the default datasets of strategy " + strategy.name() + " "
          + strategy.defaultDatasets(data.split() == null ? io.distillguard.sim.data.Split.TUNING : data.split())
          + " is allowed by the scenario's data (" + data.describe() + "); name datasets");
    }
    return spec;
  }

  private static Params parseParams(YamlNode p, CampaignStrategy strategy) {
    Map<String, ParamType> schema = strategy.params();
    Map<String, Object> values = new LinkedHashMap<>();
    for (String key : p.keys()) {
      ParamType type = schema.get(key);
      String path = p.child(key);
      if (type == null) {
        throw p.error(path, "unknown parameter of strategy " + strategy.name() + " (known: "
            + String.join(", ", schema.keySet()) + ")");
      }
      JsonNode v = p.raw(key);
      if (v == null) {
        continue;
      }
      values.put(key, convert(p, path, type, v));
    }
    return new Params(values);
  }

  private static Object convert(YamlNode p, String path, ParamType type, JsonNode v) {
    switch (type) {
      case INT:
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
          throw p.error(path, "expected a whole number >= 0, got " + YamlNode.kind(v));
        }
        return v.asInt();
      case NUMBER:
        if (!v.isNumber()) {
          throw p.error(path, "expected a number, got " + YamlNode.kind(v));
        }
        return v.asDouble();
      case FRACTION:
        if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 1) {
          throw p.error(path, "expected a number between 0 and 1, got " + YamlNode.kind(v));
        }
        return v.asDouble();
      case RATE:
        if (!v.isTextual()) {
          throw p.error(path, "expected a rate like 120/min, 1/min, 3/s, 500/d, got " + YamlNode.kind(v));
        }
        try {
          return Durations.parseRate(v.asText());
        } catch (IllegalArgumentException e) {
          throw p.error(path, e.getMessage());
        }
      case DURATION:
        if (!v.isValueNode()) {
          throw p.error(path, "expected a duration like 7d, 36h, 90m, 500ms, got " + YamlNode.kind(v));
        }
        try {
          return Durations.parse(v.asText());
        } catch (IllegalArgumentException e) {
          throw p.error(path, e.getMessage());
        }
      case STRING:
        if (!v.isValueNode()) {
          throw p.error(path, "expected a text value, got " + YamlNode.kind(v));
        }
        return v.asText();
      case STRINGS: {
        List<String> out = new ArrayList<>();
        if (v.isValueNode()) {
          out.add(v.asText());
        } else if (v.isArray()) {
          for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isValueNode()) {
              throw p.error(path + "[" + i + "]", "expected a text value, got " + YamlNode.kind(v.get(i)));
            }
            out.add(v.get(i).asText());
          }
        } else {
          throw p.error(path, "expected a list of texts, got " + YamlNode.kind(v));
        }
        return List.copyOf(out);
      }
      case BOOL:
        if (!v.isBoolean()) {
          throw p.error(path, "expected true or false, got " + YamlNode.kind(v));
        }
        return v.asBoolean();
      default:
        throw new IllegalStateException(type.name());
    }
  }
}
