package io.distillguard.sim.eval.linkage;

import java.time.Instant;
import java.util.List;

/**
 * How cross-account linkage fared on one scenario (definitions in {@code docs/linkage.md}).
 *
 * @param detectorSet   the per-account set run beside linkage (its model also scores clusters' union traffic)
 * @param recomputation counts and time of the final recomputation
 * @param tyingKeys     keys of the cluster-ties snapshot at the end (what new accounts are checked against)
 * @param tiesBytes     that snapshot's size as sent to remote gateway nodes ({@code TiesSnapshot})
 * @param keys          linkage keys in the key index at the end
 * @param keysRead      of those, the keys pair scoring and cluster ties read (what the stream job's profiles stage
 *                      mirrors; {@code LinkageEngine#keysRead})
 */
public record LinkageReport(String scenario, String detectorSet, List<CampaignLinkage> campaigns,
    BenignLinkage benign, int clusters, String recomputation, int tyingKeys, int tiesBytes, int keys, int keysRead) {

  public LinkageReport {
    campaigns = List.copyOf(campaigns);
  }

  /**
   * One campaign against linkage.
   *
   * @param accounts                 campaign accounts that sent at least one request
   * @param linked                   of them, members of the campaign's cluster at the end (the cluster holding most
   *                                 of its accounts)
   * @param clusterMembers           members of that cluster (campaign and others)
   * @param clusterLevel             its level at the end
   * @param clusterBlockedAt         event time its cluster was first blocked (a block for its members as a cluster,
   *                                 not an account joining); when that never happened but its accounts joined a
   *                                 cluster already blocked, the first such join; null when neither
   * @param blockedByJoining         whether {@code clusterBlockedAt} is such a join (the campaign was absorbed into a
   *                                 cluster blocked before it)
   * @param promptsAtBlock           distinct prompts of the campaign's set served before then
   * @param promptSetShareAtBlock    those over the size of its prompt set; null when never blocked or size unknown
   * @param promptsTotal             distinct prompts served in the whole run
   * @param attackServedAfterBlock   attack answers served to its accounts after the cluster block (accounts not yet
   *                                 linked, or before a new account joined)
   * @param otherClusters            other clusters holding some of its accounts
   * @param unclustered              its accounts in no cluster at the end
   */
  public record CampaignLinkage(String id, String strategy, int accounts, int linked, double linkedShare,
      int otherClusters, int unclustered,
      String clusterId, int clusterMembers, String clusterLevel, Instant firstRequest, Instant clusterBlockedAt,
      boolean blockedByJoining, Double secondsToClusterBlock, long promptsAtBlock, int promptSetSize, Double promptSetShareAtBlock,
      long promptsTotal, Double promptSetShareTotal, long attackServedAfterBlock) {}

  /**
   * Benign accounts against linkage.
   *
   * @param accounts             benign accounts (ordinary and legitimate heavy users) that sent a request
   * @param inAttackClusters     of them, members at the end of a cluster whose members are mostly campaign accounts
   * @param restrictedByLinkage  of them, put at throttle or above by a linkage action at any time
   * @param inAnyCluster         of them, members of any cluster at the end (companies' seats, families: benign
   *                             sharing that linkage links but does not act on)
   * @param benignClusters       clusters with no campaign account
   * @param largestBenignCluster members of the largest of them
   * @param actedBenignClusters  clusters with no campaign account at watch or above at the end
   */
  public record BenignLinkage(int accounts, int inAttackClusters, double inAttackClustersRate,
      int restrictedByLinkage, double restrictedRate, int inAnyCluster, int benignClusters, int largestBenignCluster,
      int actedBenignClusters) {}
}
