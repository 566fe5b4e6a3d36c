package io.distillguard.sim.campaign;

import io.distillguard.sim.data.Split;
import io.distillguard.sim.scenario.ParamType;
import java.util.List;
import java.util.Map;

/**
 * One kind of distillation campaign. A strategy declares its parameters (the scenario loader checks them) and
 * builds the {@link CampaignActor} that operates the campaign's accounts.
 */
public interface CampaignStrategy {
  /** Name used in scenario files. */
  String name();

  /** One line: what the campaign does. */
  String description();

  /** Strategy-specific parameters and their types. */
  Map<String, ParamType> params();

  /** Accounts operated at the start when the scenario does not say. */
  int defaultAccounts();

  /** Replacement accounts the operator may open when accounts die, when the scenario does not say. */
  default int defaultReplacements(int accounts) {
    return 0;
  }

  /** Datasets harvested when the scenario does not name them. */
  List<String> defaultDatasets(Split split);

  /**
   * Checks parameter values beyond their types; throws {@link IllegalArgumentException} whose message starts with the
   * parameter name (the loader prefixes the path).
   */
  default void check(io.distillguard.sim.scenario.Params params) {}

  /** Builds the campaign's actor. */
  CampaignActor create(CampaignContext ctx);
}
