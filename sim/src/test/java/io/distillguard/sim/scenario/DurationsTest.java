package io.distillguard.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesCompactDurations() {
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("36h")).isEqualTo(Duration.ofHours(36));
    assertThat(Durations.parse("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(Durations.parse("1d12h")).isEqualTo(Duration.ofHours(36));
    assertThat(Durations.parse("2w")).isEqualTo(Duration.ofDays(14));
    assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.format(Duration.ofHours(36))).isEqualTo("1d12h");
  }

  @Test
  void rejectsBadDurations() {
    assertThatThrownBy(() -> Durations.parse("7 days")).hasMessageContaining("7 days");
    assertThatThrownBy(() -> Durations.parse("7x")).hasMessageContaining("unit 'x'");
    assertThatThrownBy(() -> Durations.parse("h")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesRates() {
    assertThat(Durations.parseRate("120/min")).isCloseTo(2.0, within(1e-9));
    assertThat(Durations.parseRate("1/min")).isCloseTo(1 / 60.0, within(1e-9));
    assertThat(Durations.parseRate("3/s")).isCloseTo(3.0, within(1e-9));
    assertThat(Durations.parseRate("500/d")).isCloseTo(500 / 86400.0, within(1e-9));
    assertThat(Durations.parseRate("1/90s")).isCloseTo(1 / 90.0, within(1e-9));
    assertThatThrownBy(() -> Durations.parseRate("fast")).hasMessageContaining("fast");
    assertThatThrownBy(() -> Durations.parseRate("3/")).isInstanceOf(IllegalArgumentException.class);
  }
}
