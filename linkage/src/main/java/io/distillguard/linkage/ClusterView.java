package io.distillguard.linkage;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import java.time.Instant;
import java.util.List;

/**
 * A cluster as analysts and enforcement see it after a recomputation.
 *
 * @param id       stable across recomputations (see {@link Clusterer})
 * @param members  account ids, oldest first (by when linkage first saw them)
 * @param level    the cluster's level: detection's, capped or set by an analyst's ruling
 * @param ruled    whether an analyst has ruled on the cluster (then detection never raises it above the ruling)
 * @param formedAt event time of the recomputation that first formed it
 */
public record ClusterView(String id, List<String> members, RiskLevel level, boolean ruled, RiskScore risk,
    ClusterFeatures features, Instant formedAt) {
  public ClusterView {
    members = List.copyOf(members);
  }

  public int size() {
    return members.size();
  }
}
