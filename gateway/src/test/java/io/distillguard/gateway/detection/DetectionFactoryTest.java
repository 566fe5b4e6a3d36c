package io.distillguard.gateway.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.gateway.config.ConfigException;
import io.distillguard.gateway.config.ConfigValidator;
import io.distillguard.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code detection.model}: the bundled model by default, a model file when named, overrides, clear errors. */
class DetectionFactoryTest {
  static final String MODEL = """
      format=1
      name=from-file
      bias=-5
      weight.reasoning=3
      weight.conversation=2
      threshold.watch=0.2
      threshold.throttle=0.4
      threshold.degrade=0.6
      threshold.block=0.8
      min-evidence.block=300
      """;

  @TempDir Path dir;

  @Test
  void withoutAModelFileTheBundledModelIsUsed() {
    GatewayConfig c = new GatewayConfig();
    ConfigValidator.validate(c);
    DetectionModel m = DetectionFactory.model(c.detection);
    assertThat(m.toPropertiesText()).isEqualTo(DetectionModel.loadDefault().toPropertiesText());
    assertThat(DetectionFactory.engine(c.detection).detectorNames()).containsExactlyElementsOf(
        m.weights().keySet());
  }

  @Test
  void aModelFileIsLoadedAndTheOverridesApplied() throws Exception {
    Path f = dir.resolve("model.properties");
    Files.writeString(f, MODEL);
    GatewayConfig c = new GatewayConfig();
    c.detection.model = f.toString();
    c.detection.block = 0.9;
    c.detection.minEvidenceThrottle = 40L;
    c.detection.allowlist = List.of("licensed");
    ConfigValidator.validate(c);
    DetectionModel m = DetectionFactory.model(c.detection);
    assertThat(m.name()).isEqualTo("from-file");
    assertThat(m.weights()).containsOnlyKeys("reasoning", "conversation");
    assertThat(m.threshold(RiskLevel.THROTTLE)).isEqualTo(0.4);
    assertThat(m.threshold(RiskLevel.BLOCK)).isEqualTo(0.9);
    assertThat(m.minEvidence().get(RiskLevel.THROTTLE)).isEqualTo(40);
    assertThat(m.minEvidence().get(RiskLevel.BLOCK)).isEqualTo(300);
    assertThat(m.allowlist()).containsExactly("licensed");
    assertThat(DetectionFactory.engine(c.detection).detectorNames()).containsExactly("reasoning", "conversation");
  }

  @Test
  void anUnknownModelFileIsAnErrorNamingDetectionModel() {
    GatewayConfig c = new GatewayConfig();
    c.detection.model = dir.resolve("missing.properties").toString();
    assertThatThrownBy(() -> ConfigValidator.validate(c)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("detection.model: ").hasMessageContaining("missing.properties: no such file");
  }

  @Test
  void anInvalidModelFileNamesTheKey() throws Exception {
    Path f = dir.resolve("bad.properties");
    Files.writeString(f, MODEL.replace("weight.reasoning=3", "weight.mind-reading=3"));
    GatewayConfig c = new GatewayConfig();
    c.detection.model = f.toString();
    assertThatThrownBy(() -> ConfigValidator.validate(c)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("detection.model: ").hasMessageContaining("weight.mind-reading: unknown detector");
  }

  @Test
  void overridesOutOfRangeOrOrderAreNamed() throws Exception {
    GatewayConfig c = new GatewayConfig();
    c.detection.block = 1.5;
    assertThatThrownBy(() -> ConfigValidator.validate(c)).hasMessageStartingWith("detection.block: must be "
        + "between 0 and 1");
    GatewayConfig d = new GatewayConfig();
    Path f = dir.resolve("model.properties");
    Files.writeString(f, MODEL);
    d.detection.model = f.toString();
    d.detection.watch = 0.5; // above the model's throttle of 0.4
    assertThatThrownBy(() -> ConfigValidator.validate(d)).hasMessageStartingWith("detection: the overrides")
        .hasMessageContaining("threshold.throttle");
  }

  @Test
  void aDisabledDetectionDoesNotLoadTheModel() {
    GatewayConfig c = new GatewayConfig();
    c.detection.enabled = false;
    c.detection.model = dir.resolve("missing.properties").toString();
    ConfigValidator.validate(c);
  }
}
