package io.distillguard.sim.campaign;

import io.distillguard.sim.data.Split;
import io.distillguard.sim.scenario.CampaignSpec;
import io.distillguard.sim.scenario.DataSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The registry of campaign strategies by name. */
public final class CampaignStrategies {
  private static final Map<String, CampaignStrategy> ALL = registry();

  private CampaignStrategies() {}

  private static Map<String, CampaignStrategy> registry() {
    Map<String, CampaignStrategy> m = new LinkedHashMap<>();
    for (CampaignStrategy s : List.of(new NaiveStrategy(), new LowAndSlowStrategy(), new HydraStrategy(),
        new MixedProxyStrategy(), new ReasoningHarvestStrategy(), new MultilingualSweepStrategy(),
        new EvasiveStrategy())) {
      m.put(s.name(), s);
    }
    return Collections.unmodifiableMap(m);
  }

  /** Every strategy in a fixed order. */
  public static List<CampaignStrategy> all() {
    return new ArrayList<>(ALL.values());
  }

  public static List<String> names() {
    return new ArrayList<>(ALL.keySet());
  }

  public static CampaignStrategy get(String name) {
    CampaignStrategy s = ALL.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown strategy '" + name + "' (known: " + String.join(", ", ALL.keySet())
          + ")");
    }
    return s;
  }

  /**
   * The datasets a campaign harvests: the spec's, else the strategy's defaults for the scenario's split (for an
   * explicit dataset list, the defaults of both splits that the list allows). Empty when nothing is allowed.
   */
  public static List<String> datasets(CampaignSpec spec, DataSpec data) {
    if (!spec.datasets().isEmpty()) {
      return spec.datasets();
    }
    CampaignStrategy s = get(spec.strategy());
    Set<String> candidates = new LinkedHashSet<>();
    if (data.split() != null) {
      candidates.addAll(s.defaultDatasets(data.split()));
    } else {
      candidates.addAll(s.defaultDatasets(Split.TUNING));
      candidates.addAll(s.defaultDatasets(Split.HOLDOUT));
    }
    List<String> out = new ArrayList<>();
    for (String c : candidates) {
      if (data.allows(c)) {
        out.add(c);
      }
    }
    return out;
  }
}
