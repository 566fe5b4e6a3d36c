package io.distillguard.gateway.stages;

import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.linkage.LinkageService;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.linkage.ClusterAdmission;

/**
 * Gives an account that linkage has not placed yet the level of an acted-on cluster its sign-up and this request tie
 * it to with confidence ({@link ClusterAdmission}): linkage runs off the request path and joins a new account on its
 * first exchange, which would otherwise be answered. A blocked cluster's new account is refused like a blocked
 * account; a throttled or degraded one's request is passed on at that status.
 *
 * <p>The level applies to this request only and is not written anywhere: linkage, seeing the exchange, joins the
 * account and stores the status (or, if it finds no confident edge, leaves it alone). The check reads the index the
 * linkage thread last published (one volatile read) and looks up a handful of keys; nothing blocks.
 */
public final class ClusterAdmissionStage implements Stage {
  private final LinkageService linkage;

  public ClusterAdmissionStage(LinkageService linkage) {
    this.linkage = linkage;
  }

  @Override
  public void process(Call call, Chain chain) {
    AccountStatus status = call.accountStatus;
    if (status != AccountStatus.BLOCKED && linkage.clusterOf(call.account.id()) == null) {
      ClusterAdmission.Match m = linkage.admission().match(call.account.attributes(), call.account.createdAt(),
          call.clientIp, call.userAgent, call.headerFingerprint, call.eventTime);
      if (m != null && m.level().status().compareTo(status) > 0) {
        call.accountStatus = m.level().status();
        if (call.accountStatus == AccountStatus.BLOCKED) {
          call.reject(ApiError.blocked());
          return;
        }
      }
    }
    chain.proceed(call);
  }
}
