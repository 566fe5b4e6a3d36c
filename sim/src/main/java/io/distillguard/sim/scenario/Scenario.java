package io.distillguard.sim.scenario;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A simulated period of traffic: who the benign customers are, which campaigns run, which data they draw from. Read
 * from a YAML file by {@link ScenarioLoader}; everything the simulation generates is a function of this object and
 * the data directory.
 */
public final class Scenario {
  private final String name;
  private final String description;
  private final long seed;
  private final Instant start;
  private final Duration duration;
  private final DataSpec data;
  private final Map<String, Double> models;
  private final PopulationSpec population;
  private final List<CampaignSpec> campaigns;
  private final String source;

  public Scenario(String name, String description, long seed, Instant start, Duration duration, DataSpec data,
      Map<String, Double> models, PopulationSpec population, List<CampaignSpec> campaigns, String source) {
    this.name = Objects.requireNonNull(name, "name");
    this.description = description == null ? "" : description;
    this.seed = seed;
    this.start = Objects.requireNonNull(start, "start");
    this.duration = Objects.requireNonNull(duration, "duration");
    this.data = Objects.requireNonNull(data, "data");
    this.models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    if (this.models.isEmpty()) {
      throw new IllegalArgumentException("models: at least one model");
    }
    this.population = Objects.requireNonNull(population, "population");
    this.campaigns = List.copyOf(campaigns);
    this.source = source == null ? name : source;
  }

  public static final Map<String, Double> DEFAULT_MODELS = defaultModels();

  private static Map<String, Double> defaultModels() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("builtin-large", 0.4);
    m.put("builtin-small", 0.6);
    return java.util.Collections.unmodifiableMap(m);
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public long seed() {
    return seed;
  }

  public Instant start() {
    return start;
  }

  public Duration duration() {
    return duration;
  }

  public Instant end() {
    return start.plus(duration);
  }

  public DataSpec data() {
    return data;
  }

  /** Model name to share of benign traffic, in file order; the first is the flagship campaigns target. */
  public Map<String, Double> models() {
    return models;
  }

  public String flagshipModel() {
    return models.keySet().iterator().next();
  }

  public PopulationSpec population() {
    return population;
  }

  public List<CampaignSpec> campaigns() {
    return campaigns;
  }

  /** Where the scenario came from (file name) for messages. */
  public String source() {
    return source;
  }

  public Scenario withSeed(long newSeed) {
    return new Scenario(name, description, newSeed, start, duration, data, models, population, campaigns, source);
  }

  public Scenario withDuration(Duration d) {
    return new Scenario(name, description, seed, start, d, data, models, population, campaigns, source);
  }

  public Scenario withPopulation(PopulationSpec p) {
    return new Scenario(name, description, seed, start, duration, data, models, p, campaigns, source);
  }

  public Scenario withCampaigns(List<CampaignSpec> c) {
    return new Scenario(name, description, seed, start, duration, data, models, population, c, source);
  }

  public Scenario withData(DataSpec d) {
    return new Scenario(name, description, seed, start, duration, d, models, population, campaigns, source);
  }

  @Override
  public String toString() {
    return "Scenario[" + name + ", seed " + seed + ", " + start + " + " + Durations.format(duration) + ", "
        + population.accounts() + " benign accounts, " + campaigns.size() + " campaigns, " + data.describe() + "]";
  }
}
