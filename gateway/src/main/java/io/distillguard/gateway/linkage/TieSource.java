package io.distillguard.gateway.linkage;

import io.distillguard.linkage.ClusterTies;

/**
 * Where the request path's check of new accounts ({@link io.distillguard.gateway.stages.ClusterTieStage}) finds the
 * keys of acted-on clusters: this node's own linkage ({@link LinkageService}), or, on a node whose linkage runs in
 * the detection job, the snapshot the job publishes ({@link io.distillguard.gateway.kafka.TiesFeed}).
 */
public interface TieSource {
  /** The latest snapshot (one volatile read; never null). */
  ClusterTies ties();

  /** The cluster the account is known to be in, or null: accounts already in one are not checked. */
  String clusterOf(String accountId);

  /** Counts one request given a cluster's level by the check. */
  void tiedOnRequest();

  /** Requests given a cluster's level by the check so far. */
  long tiedOnRequestCount();
}
