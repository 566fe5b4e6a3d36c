package io.distillguard.gateway.stages;

import io.distillguard.gateway.limits.Limiter;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;

/** Per-key and per-account request, token and concurrency limits; 429 with {@code Retry-After} when exceeded. */
public final class LimitStage implements Stage {
  private final Limiter limiter;

  public LimitStage(Limiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public void process(Call call, Chain chain) {
    ApiError refusal = limiter.acquire(call);
    if (refusal != null) {
      call.reject(refusal);
    } else {
      chain.proceed(call);
    }
  }
}
