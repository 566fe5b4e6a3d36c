package io.distillguard.gateway.stages;

import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;

/**
 * Refuses calls that failed before the chain started (unknown URL, wrong method, oversized body, bad event time).
 * It sits after the record stage so that such requests are logged like any other.
 */
public final class AdmissionStage implements Stage {
  @Override
  public void process(Call call, Chain chain) {
    if (call.admissionError != null) {
      call.reject(call.admissionError);
    } else {
      chain.proceed(call);
    }
  }
}
