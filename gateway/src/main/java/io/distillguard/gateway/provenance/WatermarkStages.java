package io.distillguard.gateway.provenance;

import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.provenance.lexicon.Lexicon;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Builds the watermark stage from the {@code provenance} section of the configuration. */
public final class WatermarkStages {
  private WatermarkStages() {}

  public static WatermarkStage fromConfig(GatewayConfig config) {
    GatewayConfig.Provenance p = config.provenance;
    byte[] master = WatermarkSecret.resolve(p.masterSecret, System.getenv(WatermarkSecret.ENV),
        Path.of(config.dataDir));
    Map<AccountStatus, Double> strength = new EnumMap<>(AccountStatus.class);
    for (Map.Entry<String, Double> e : p.strength.entrySet()) {
      strength.put(AccountStatus.parse(e.getKey()), e.getValue());
    }
    return new WatermarkStage(Lexicon.standard(), master, !"global".equals(p.keys), strength);
  }
}
