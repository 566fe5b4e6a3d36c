package io.distillguard.gateway.stages;

import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.ResponseTransform;
import io.distillguard.gateway.pipeline.Stage;

/** Serves {@code degraded} accounts answers without their reasoning (see {@link ReasoningReducer}). */
public final class DegradeStage implements Stage {
  private final ResponseTransform reducer = new ReasoningReducer();

  @Override
  public void process(Call call, Chain chain) {
    if (call.accountStatus == AccountStatus.DEGRADED && call.endpoint().generates()) {
      call.addTransform(reducer);
    }
    chain.proceed(call);
  }
}
