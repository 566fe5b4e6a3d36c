package io.distillguard.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, validating, writing and using detection models. */
class DetectionModelTest {
  static final String MINIMAL = """
      format=1
      name=test
      bias=-4
      weight.reasoning=2
      weight.templates=1.5
      interaction.reasoning*templates=1
      threshold.watch=0.3
      threshold.throttle=0.5
      threshold.degrade=0.7
      threshold.block=0.9
      min-evidence.throttle=50
      min-evidence.degrade=50
      min-evidence.block=200
      tier.enterprise.threshold.block=0.95
      tier.free.min-evidence.throttle=30
      allowlist=licensed-1, licensed-2
      provenance.command=./distillguard calibrate
      """;

  @TempDir Path dir;

  static DetectionModel parse(String text) {
    try {
      return DetectionModel.parse(new StringReader(text), "m.properties");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static String without(String key) {
    return MINIMAL.lines().filter(l -> !l.startsWith(key + "=")).reduce("", (a, b) -> a + b + "\n");
  }

  static String with(String line) {
    return MINIMAL + line + "\n";
  }

  @Test
  void theBundledModelLoadsAndSaysWhereItCameFrom() {
    DetectionModel m = DetectionModel.loadDefault();
    assertThat(m.weights()).isNotEmpty();
    assertThat(DetectionModel.DETECTORS).containsAll(m.weights().keySet());
    assertThat(m.threshold(RiskLevel.WATCH)).isLessThanOrEqualTo(m.threshold(RiskLevel.THROTTLE));
    assertThat(m.threshold(RiskLevel.THROTTLE)).isLessThanOrEqualTo(m.threshold(RiskLevel.DEGRADE));
    assertThat(m.threshold(RiskLevel.DEGRADE)).isLessThanOrEqualTo(m.threshold(RiskLevel.BLOCK));
    assertThat(m.minEvidence().get(RiskLevel.BLOCK)).isGreaterThanOrEqualTo(100);
    assertThat(m.provenance()).containsKeys("command", "date", "split", "scenarios", "seeds");
    assertThat(m.provenance().get("split")).isEqualTo("tuning");
    assertThat(m.provenance().get("scenarios")).doesNotContain("holdout");
    assertThat(m.newEngine().detectorNames()).isEqualTo(m.weights().keySet().stream().toList());
  }

  @Test
  void readsEveryPart() {
    DetectionModel m = parse(MINIMAL);
    assertThat(m.name()).isEqualTo("test");
    assertThat(m.bias()).isEqualTo(-4);
    assertThat(m.weights()).containsExactly(Map.entry("reasoning", 2.0), Map.entry("templates", 1.5));
    assertThat(m.interactions()).containsExactly(new LogisticScorer.Interaction("reasoning", "templates", 1));
    assertThat(m.threshold(RiskLevel.THROTTLE)).isEqualTo(0.5);
    assertThat(m.minEvidence()).containsEntry(RiskLevel.WATCH, 0L).containsEntry(RiskLevel.BLOCK, 200L);
    assertThat(m.allowlist()).containsExactly("licensed-1", "licensed-2");
    assertThat(m.provenance()).containsEntry("command", "./distillguard calibrate");
    assertThat(m.paceRequestsPerDay()).isEqualTo(DetectionModel.DEFAULT_PACE_REQUESTS_PER_DAY);
  }

  @Test
  void tierOverridesAndTheAllowlistShapeThePolicy() {
    DetectionModel m = parse(MINIMAL);
    assertThat(m.policy().levelFor(0.92, 500)).isEqualTo(RiskLevel.BLOCK);
    assertThat(m.policy("enterprise", Set.of()).levelFor(0.92, 500)).isEqualTo(RiskLevel.DEGRADE);
    assertThat(m.policy("enterprise", Set.of()).levelFor(0.96, 500)).isEqualTo(RiskLevel.BLOCK);
    assertThat(m.policy().levelFor(0.6, 40)).as("min evidence").isEqualTo(RiskLevel.WATCH);
    assertThat(m.policy("free", Set.of()).levelFor(0.6, 40)).isEqualTo(RiskLevel.THROTTLE);
    assertThat(m.policy("unknown-tier", Set.of()).levelFor(0.92, 500)).isEqualTo(RiskLevel.BLOCK);
    assertThat(m.policy().levelFor("licensed-1", 0.99, 10_000)).isEqualTo(RiskLevel.WATCH);
    assertThat(m.policy(null, Set.of("extra")).levelFor("extra", 0.99, 10_000)).isEqualTo(RiskLevel.WATCH);
    assertThat(m.policy().tiers()).containsOnlyKeys("enterprise", "free");
  }

  @Test
  void anEngineOfTheModelHoldsEachAccountToItsTier() {
    DetectionModel m = parse(MINIMAL);
    DetectionEngine e = m.newEngine(id -> id.startsWith("free-") ? "free" : null, Set.of());
    assertThat(e.policyOf("free-1").minEvidence()).containsEntry(RiskLevel.THROTTLE, 30L);
    assertThat(e.policyOf("other").minEvidence()).containsEntry(RiskLevel.THROTTLE, 50L);
    DetectorSet set = m.detectorSet("m");
    assertThat(set.policy().tiers()).containsOnlyKeys("enterprise", "free");
    assertThat(set.newEngine(Set.of(), id -> "enterprise").policyOf("x").thresholds())
        .containsEntry(RiskLevel.BLOCK, 0.95);
  }

  @Test
  void writesWhatItReadsByteForByte() throws IOException {
    DetectionModel m = parse(MINIMAL);
    Path f = dir.resolve("sub").resolve("model.properties");
    m.write(f);
    DetectionModel back = DetectionModel.load(f);
    assertThat(back).isEqualTo(m);
    assertThat(back.toPropertiesText()).isEqualTo(m.toPropertiesText());
    DetectionModel d = DetectionModel.loadDefault();
    assertThat(parse(d.toPropertiesText())).isEqualTo(d);
  }

  @Test
  void provenanceWithAwkwardCharactersSurvivesTheRoundTrip() {
    DetectionModel m = parse(MINIMAL);
    DetectionModel odd = new DetectionModel(m.name(), m.bias(), m.weights(), m.interactions(), 2000, 1e6,
        m.thresholds(), m.minEvidence(), m.tiers(), m.allowlist(), Map.of("note", " leading space, = and : and # "
            + "and \\ and\nnewline and ünïcödé"));
    assertThat(parse(odd.toPropertiesText()).provenance().get("note")).isEqualTo(odd.provenance().get("note"));
  }

  @Test
  void levelsAndAllowlistCanBeChanged() {
    DetectionModel m = parse(MINIMAL).withLevels(Map.of(RiskLevel.BLOCK, 0.99), Map.of(RiskLevel.BLOCK, 500L))
        .withAllowlist(Set.of("x"));
    assertThat(m.threshold(RiskLevel.BLOCK)).isEqualTo(0.99);
    assertThat(m.minEvidence().get(RiskLevel.BLOCK)).isEqualTo(500);
    assertThat(m.allowlist()).contains("x", "licensed-1");
    assertThatThrownBy(() -> parse(MINIMAL).withLevels(Map.of(RiskLevel.WATCH, 0.95), Map.of()))
        .hasMessageContaining("threshold.throttle");
  }

  @Test
  void errorsNameTheKey() {
    assertThatThrownBy(() -> parse(with("weight.telepathy=1"))).isInstanceOf(
        DetectionModel.InvalidModelException.class).hasMessageContaining("m.properties: weight.telepathy: unknown "
        + "detector").hasMessageContaining("available: reasoning");
    assertThatThrownBy(() -> parse(with("colour=blue"))).hasMessageContaining("colour: unknown key");
    assertThatThrownBy(() -> parse(MINIMAL.replace("bias=-4", "bias=minus four")))
        .hasMessageContaining("bias: not a number: 'minus four'");
    assertThatThrownBy(() -> parse(without("bias"))).hasMessageContaining("bias: is required");
    assertThatThrownBy(() -> parse(without("threshold.degrade"))).hasMessageContaining("threshold.degrade: is "
        + "required");
    assertThatThrownBy(() -> parse(MINIMAL.replace("threshold.throttle=0.5", "threshold.throttle=0.2")))
        .hasMessageContaining("threshold.throttle: must be at least the threshold of the level below");
    assertThatThrownBy(() -> parse(MINIMAL.replace("threshold.block=0.9", "threshold.block=1.5")))
        .hasMessageContaining("threshold.block: must be between 0 and 1");
    assertThatThrownBy(() -> parse(MINIMAL.replace("min-evidence.block=200", "min-evidence.block=20")))
        .hasMessageContaining("min-evidence.block: must be at least the minimum evidence of the level below");
    assertThatThrownBy(() -> parse(MINIMAL.replace("min-evidence.block=200", "min-evidence.block=-1")))
        .hasMessageContaining("min-evidence.block: expected a whole number");
    assertThatThrownBy(() -> parse(with("threshold.panic=0.5"))).hasMessageContaining("threshold.panic: unknown "
        + "level 'panic'");
    assertThatThrownBy(() -> parse(with("interaction.reasoning*pace=1"))).hasMessageContaining(
        "interaction.reasoning*pace: both detectors need a weight");
    assertThatThrownBy(() -> parse(with("interaction.reasoning=1"))).hasMessageContaining(
        "interaction.reasoning: expected interaction.<detector>*<detector>");
    assertThatThrownBy(() -> parse(with("tier.enterprise.threshold.block=0.6"))).hasMessageContaining(
        "tier.enterprise.threshold.block: must be at least the threshold of the level below");
    assertThatThrownBy(() -> parse(with("tier.gold.colour=1"))).hasMessageContaining("tier.gold.colour: expected");
    assertThatThrownBy(() -> parse(MINIMAL.replace("format=1", "format=7"))).hasMessageContaining(
        "format: unsupported format '7'");
    assertThatThrownBy(() -> parse("format=1\nbias=0\nthreshold.watch=0.1\nthreshold.throttle=0.2\n"
        + "threshold.degrade=0.3\nthreshold.block=0.4\n")).hasMessageContaining("weight.*: at least one");
  }

  @Test
  void fileProblemsNameTheFile() throws IOException {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> DetectionModel.load(missing)).isInstanceOf(DetectionModel.InvalidModelException.class)
        .hasMessageContaining("nope.properties: no such file");
    Path binary = dir.resolve("bin.properties");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    assertThatThrownBy(() -> DetectionModel.load(binary)).hasMessageContaining("bin.properties");
    Path bad = dir.resolve("bad.properties");
    Files.writeString(bad, MINIMAL.replace("bias=-4", "bias="), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> DetectionModel.load(bad)).hasMessageContaining("bad.properties: bias: not a number");
  }

  @Test
  void everyKnownDetectorCanBeBuilt() {
    for (String d : DetectionModel.DETECTORS) {
      assertThat(DetectionModel.detector(d, 100, 1000).name()).isEqualTo(d);
    }
    assertThatThrownBy(() -> DetectionModel.detector("nope", 1, 1)).hasMessageContaining("unknown detector 'nope'");
  }
}
