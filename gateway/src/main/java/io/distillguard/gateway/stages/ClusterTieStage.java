package io.distillguard.gateway.stages;

import io.distillguard.core.AccountStatus;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.gateway.linkage.TieSource;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.linkage.ClusterTies;

/**
 * Gives a young account that linkage has not placed in a cluster the level of an acted-on cluster its sign-up and
 * this request tie it to ({@link ClusterTies}). Linkage runs off the request path and joins a new account when it
 * folds in the account's exchanges; without this check a blocked campaign that keeps opening accounts would be
 * answered on each new account's first requests. A blocked cluster's newcomer is refused like a blocked account
 * (403 {@code account_blocked}); a throttled or degraded one's request goes on at that status.
 *
 * <p>The level applies to this request only and is written nowhere: linkage, folding the exchange in, makes the same
 * check on the same snapshot, joins the account to the cluster and raises its status for good (on a node in remote
 * mode, the job's linkage does, and its verdict follows). The check reads the snapshot last published by the
 * {@link TieSource} (one volatile read) and looks up a few keys; it reads the prompt only when the account's card or
 * one of its subnets ties, and never blocks.
 */
public final class ClusterTieStage implements Stage {
  private final TieSource linkage;

  public ClusterTieStage(TieSource linkage) {
    this.linkage = linkage;
  }

  @Override
  public void process(Call call, Chain chain) {
    AccountStatus status = call.accountStatus;
    ClusterTies ties = linkage.ties();
    if (status != AccountStatus.BLOCKED && ties.size() > 0 && call.account != null
        && ClusterTies.young(call.account.createdAt().toEpochMilli(), call.eventTime.toEpochMilli())
        && linkage.clusterOf(call.account.id()) == null) {
      ClusterTies.Tie tie = ties.match(call.account.attributes(), call.account.createdAt(), request(call));
      if (tie != null && tie.level().status().compareTo(status) > 0) {
        linkage.tiedOnRequest();
        call.accountStatus = tie.level().status();
        if (call.accountStatus == AccountStatus.BLOCKED) {
          call.reject(ApiError.blocked());
          return;
        }
      }
    }
    chain.proceed(call);
  }

  /**
   * The request as linkage will see it once it has been answered (no response yet). Without the prompt's SHA-256:
   * the check runs for every request of every young account while a cluster is acted on, mostly to find that no
   * anchor ties, and it reads nothing the digest would give it (only the kept prompt sketch does).
   */
  private static Exchange request(Call c) {
    return new Exchange(c.id(), c.eventTime, c.account.id(), c.key == null ? null : c.key.keyId(), c.clientIp,
        c.userAgent, c.headerFingerprint, c.path(), c.model, c.params, c.stream, c.messages, null, null, 0, null, 0,
        0, 0, 0, Outcome.OK, null, 0, 0, 0);
  }
}
