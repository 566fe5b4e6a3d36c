package io.distillguard.sim.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prompt pools and trace statistics the simulator draws from. Read from a data directory in the layout of
 * {@code ../shared/data} (never copied into the repository); without one, small built-in fixtures written for this
 * project (a few dozen prompts per dataset, in {@code fixtures.yaml}) stand in for every dataset so everything
 * still runs. Pools are read lazily on first use and cached; instances are safe to share between threads.
 */
public final class DataSets {
  /** System property the build passes to tests (see the parent POM). */
  public static final String PROPERTY = "distillguard.data";
  /** Environment variable naming the data directory. */
  public static final String ENV = "DISTILLGUARD_DATA";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static Map<String, PromptPool> fixtureCache;
  private static String fixtureGenerationPrompt;

  private final Path dir;
  private final Map<String, PromptPool> pools = new HashMap<>();
  private TraceFit traces;

  private DataSets(Path dir) {
    this.dir = dir;
  }

  /** Reads from {@code dir}; a null or missing directory gives the built-in fixtures. */
  public static DataSets load(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return new DataSets(null);
    }
    boolean any = false;
    for (DatasetInfo info : DatasetInfo.CATALOG.values()) {
      if (Files.isDirectory(dir.resolve(info.folder()))) {
        any = true;
        break;
      }
    }
    return new DataSets(any ? dir.toAbsolutePath().normalize() : null);
  }

  /** Only the built-in fixtures. */
  public static DataSets fixtures() {
    return new DataSets(null);
  }

  /**
   * The data directory named by the {@code distillguard.data} system property, else {@code DISTILLGUARD_DATA},
   * else {@code ../shared/data} when it exists; null when none exists.
   */
  public static Path defaultDirectory() {
    String p = System.getProperty(PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv(ENV);
    }
    Path candidate = p == null || p.isBlank() ? Path.of("..", "shared", "data") : Path.of(p);
    return Files.isDirectory(candidate) ? candidate.toAbsolutePath().normalize() : null;
  }

  /** {@link #load} of {@link #defaultDirectory()}. */
  public static DataSets fromEnvironment() {
    return load(defaultDirectory());
  }

  /** True when prompts come from the public datasets (at least one present), false for fixtures only. */
  public boolean real() {
    return dir != null;
  }

  /** The data directory, or null for fixtures. */
  public Path dir() {
    return dir;
  }

  /** True when this dataset is read from the data directory (not the fixture). */
  public boolean realDataset(String name) {
    return pool(name).real();
  }

  /** The prompts of a dataset (see {@link DatasetInfo#CATALOG} for names). */
  public synchronized PromptPool pool(String name) {
    PromptPool p = pools.get(name);
    if (p != null) {
      return p;
    }
    DatasetInfo info = DatasetInfo.of(name);
    if (dir != null) {
      p = DatasetReaders.read(dir, info);
    }
    if (p == null) {
      p = fixturePools().get(name);
      if (p == null) {
        throw new IllegalStateException("no fixture for dataset " + name);
      }
    }
    pools.put(name, p);
    return p;
  }

  /** The Alpaca mass-generation prompt (from stanford-alpaca-seed, or the fixture's paraphrase). */
  public String alpacaGenerationPrompt() {
    String s = dir == null ? null : DatasetReaders.alpacaGenerationPrompt(dir);
    if (s == null) {
      fixturePools();
      s = fixtureGenerationPrompt;
    }
    return s;
  }

  /** Session, answer-length and burstiness statistics of the real serving traces (see {@link TraceFit}). */
  public synchronized TraceFit traces() {
    if (traces == null) {
      traces = dir == null ? TraceFit.DEFAULT : TraceFit.fit(dir.resolve("traces"));
    }
    return traces;
  }

  /** One line per dataset: real files or fixture, prompt count. Reads every pool. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(dir == null ? "built-in fixtures (no data directory)" : "data directory " + dir).append('\n');
    for (DatasetInfo info : DatasetInfo.CATALOG.values()) {
      PromptPool p = pool(info.name());
      sb.append(String.format(java.util.Locale.ROOT, "  %-28s %-7s %-6s %6d prompts  %s%n", info.name(),
          info.split().id(), info.kind().name().toLowerCase(java.util.Locale.ROOT), p.size(),
          p.real() ? p.origin() : "fixture"));
    }
    sb.append("  traces: ").append(traces());
    return sb.toString();
  }

  @Override
  public String toString() {
    return dir == null ? "DataSets[fixtures]" : "DataSets[" + dir + "]";
  }

  // ---------------------------------------------------------------------------------------------- fixtures

  static synchronized Map<String, PromptPool> fixturePools() {
    if (fixtureCache != null) {
      return fixtureCache;
    }
    JsonNode root;
    try (InputStream in = DataSets.class.getResourceAsStream("fixtures.yaml")) {
      if (in == null) {
        throw new IllegalStateException("fixtures.yaml missing from the classpath");
      }
      root = YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, PromptPool> out = new LinkedHashMap<>();
    fixtureGenerationPrompt = root.path("alpaca-generation-prompt").asText();
    for (DatasetInfo info : DatasetInfo.CATALOG.values()) {
      JsonNode items = root.path(info.name());
      List<Prompt> prompts = new ArrayList<>();
      int i = 0;
      for (JsonNode item : items) {
        String text = item.isTextual() ? item.asText() : item.path("text").asText();
        List<String> follow = new ArrayList<>();
        for (JsonNode f : item.path("follow")) {
          follow.add(f.asText());
        }
        String lang = item.path("lang").asText("en");
        String group = item.path("group").asText("");
        prompts.add(new Prompt(info.name() + ":fixture:" + lang + ":" + i, text.strip(), item.path("input").asText(""),
            item.path("answer").asText(""), follow, lang, group));
        i++;
      }
      out.put(info.name(), new PromptPool(info, prompts, false, "fixture"));
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("alpaca-generation-prompt") && !DatasetInfo.CATALOG.containsKey(k)) {
        throw new IllegalStateException("fixtures.yaml: unknown dataset " + k);
      }
    }
    fixtureCache = out;
    return out;
  }
}
