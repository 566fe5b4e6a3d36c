package io.distillguard.gateway.detection;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.detection.BenignReference;
import io.distillguard.detection.ExpensiveTier;
import io.distillguard.detection.MiniLmEmbedder;
import io.distillguard.gateway.config.ConfigException;
import io.distillguard.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Turns the {@code detection.expensive} configuration into the tier's settings (checked at start, errors name the
 * key) and a supplier that loads the model and the reference on the tier's own thread.
 */
public final class ExpensiveTierFactory {
  private ExpensiveTierFactory() {}

  /** @throws ConfigException naming the {@code detection.expensive.*} key at fault */
  public static ExpensiveTier.Settings settings(GatewayConfig.Expensive c) {
    RiskLevel level;
    try {
      level = RiskLevel.valueOf(c.minLevel.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ConfigException("detection.expensive.min-level: one of watch, throttle, degrade, block: "
          + c.minLevel);
    }
    if (level == RiskLevel.NONE) {
      throw new ConfigException("detection.expensive.min-level: 'none' would embed every account's prompts; use "
          + "watch or above");
    }
    if (c.queueCapacity < 1) {
      throw new ConfigException("detection.expensive.queue-capacity must be positive: " + c.queueCapacity);
    }
    if (c.reference != null && !c.reference.isBlank()
        && !Files.isRegularFile(Path.of(c.reference + ".bin"))) {
      throw new ConfigException("detection.expensive.reference: " + c.reference + ".bin not found");
    }
    ExpensiveTier.Settings d = ExpensiveTier.Settings.defaults();
    try {
      return d.withMinLevel(level).withSampleRate(c.sampleRate).withMaxAccounts(c.maxAccounts)
          .withWeights(c.weightShift == null ? d.weightShift() : c.weightShift,
              c.weightNn == null ? d.weightNn() : c.weightNn);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("detection.expensive: " + e.getMessage());
    }
  }

  /** Loads the shared model and the reference when called (on the tier's thread). */
  public static Supplier<ExpensiveTier> tier(GatewayConfig.Expensive c, ExpensiveTier.Settings settings) {
    String reference = c.reference;
    return () -> new ExpensiveTier(MiniLmEmbedder.shared(), reference == null || reference.isBlank()
        ? BenignReference.loadDefault() : BenignReference.load(Path.of(reference)), settings);
  }
}
