package io.distillguard.gateway.stages;

import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;

/**
 * Applies the account's enforcement status: {@code blocked} is refused with 403 {@code account_blocked}; every other
 * status is passed on for the stages after it ({@code throttled} picks tighter limits, {@code degraded} installs
 * response transforms). It runs before the limit stage so a blocked account is told it is blocked, not to retry.
 */
public final class EnforcementStage implements Stage {
  private final EnforcementCache cache;

  public EnforcementStage(EnforcementCache cache) {
    this.cache = cache;
  }

  @Override
  public void process(Call call, Chain chain) {
    AccountStatus status = cache.statusOf(call.account.id());
    call.accountStatus = status;
    if (status == AccountStatus.BLOCKED) {
      call.reject(ApiError.blocked());
      return;
    }
    chain.proceed(call);
  }
}
