package io.distillguard.gateway.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.gateway.config.ConfigException;
import io.distillguard.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

class ExpensiveTierFactoryTest {

  @Test
  void defaultsAndOverrides() {
    GatewayConfig.Expensive c = new GatewayConfig.Expensive();
    assertThat(c.enabled).isTrue();
    ExpensiveTier.Settings s = ExpensiveTierFactory.settings(c);
    assertThat(s).isEqualTo(ExpensiveTier.Settings.defaults());
    c.minLevel = "Throttle";
    c.sampleRate = 0.25;
    c.weightShift = 2.0;
    s = ExpensiveTierFactory.settings(c);
    assertThat(s.minLevel()).isEqualTo(RiskLevel.THROTTLE);
    assertThat(s.sampleRate()).isEqualTo(0.25);
    assertThat(s.weightShift()).isEqualTo(2.0);
    assertThat(s.weightNn()).isEqualTo(ExpensiveTier.Settings.defaults().weightNn());
  }

  @Test
  void badValuesNameTheirKey() {
    GatewayConfig.Expensive c = new GatewayConfig.Expensive();
    c.minLevel = "none";
    assertThatThrownBy(() -> ExpensiveTierFactory.settings(c)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("detection.expensive.min-level");
    c.minLevel = "sometimes";
    assertThatThrownBy(() -> ExpensiveTierFactory.settings(c)).hasMessageContaining("min-level");
    c.minLevel = "watch";
    c.sampleRate = 0;
    assertThatThrownBy(() -> ExpensiveTierFactory.settings(c)).hasMessageContaining("sample-rate");
    c.sampleRate = 0.5;
    c.reference = "/nonexistent/reference";
    assertThatThrownBy(() -> ExpensiveTierFactory.settings(c)).hasMessageContaining("detection.expensive.reference");
  }
}
