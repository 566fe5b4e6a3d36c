package io.distillguard.store;

import io.distillguard.core.detect.RiskLevel;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The clusters cross-account linkage found, so that their ids, members and analysts' rulings outlive a restart. Linkage
 * saves what changed after each recomputation; a cluster it no longer finds is dissolved (members dropped, ruling
 * kept), so a ruling applies again when the same cluster forms again.
 */
public interface ClusterRepository {

  /**
   * One cluster.
   *
   * @param firstSeen    event time of the recomputation that first formed it
   * @param recomputedAt event time of the latest recomputation that found it
   * @param dissolvedAt  when a recomputation stopped finding it; null while it exists
   * @param members      account ids, the member linkage saw first first; empty once dissolved
   * @param level        the cluster's level: detection's, capped or set by the ruling
   * @param ruling       the analyst's ruling, or null
   * @param ruledAt      when the ruling was made, or null
   * @param ruledBy      who made it, or null
   */
  record StoredCluster(String id, Instant firstSeen, Instant recomputedAt, Instant dissolvedAt, List<String> members,
      double score, RiskLevel level, RiskLevel ruling, Instant ruledAt, String ruledBy) {
    public StoredCluster {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(firstSeen, "firstSeen");
      Objects.requireNonNull(recomputedAt, "recomputedAt");
      Objects.requireNonNull(level, "level");
      members = List.copyOf(members);
    }

    /** A cluster as a recomputation found it, with no ruling (what {@link #save} takes). */
    public static StoredCluster found(String id, Instant firstSeen, Instant recomputedAt, List<String> members,
        double score, RiskLevel level) {
      return new StoredCluster(id, firstSeen, recomputedAt, null, members, score, level, null, null, null);
    }
  }

  /**
   * Inserts or updates clusters as a recomputation found them: members replaced, the cluster no longer dissolved;
   * {@code firstSeen} is kept from the first save and the ruling columns are never touched here.
   */
  void save(Collection<StoredCluster> clusters);

  /** Marks clusters a recomputation no longer found as dissolved at {@code at} and drops their members. */
  void dissolve(Collection<String> ids, Instant at);

  /**
   * Records an analyst's ruling on an existing cluster.
   *
   * @return false when there is no cluster {@code id}
   */
  boolean rule(String id, RiskLevel ruling, Instant at, String actor);

  Optional<StoredCluster> find(String id);

  /** Every cluster not dissolved, with its members, by id. */
  List<StoredCluster> active();

  /** Every cluster with a ruling, dissolved ones too (without members), by id. */
  List<StoredCluster> ruled();
}
