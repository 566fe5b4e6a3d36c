package io.distillguard.gateway.stages;

import io.distillguard.gateway.metrics.GatewayMetrics;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;

/** Counts every finished call and its latencies, including the gateway's own overhead. */
public final class MetricsStage implements Stage {
  private final GatewayMetrics metrics;

  public MetricsStage(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void process(Call call, Chain chain) {
    call.onRelease(() -> {
      long upstream = 0;
      if (call.upstreamSentNanos > 0 && call.upstreamDoneNanos > 0) {
        upstream = (call.upstreamDoneNanos - call.upstreamSentNanos) / 1_000;
      }
      String endpoint = call.endpoint() == null ? "unknown" : call.endpoint().path();
      metrics.record(endpoint, call.status(), call.outcome().wireName(), call.latencyMicros(), upstream);
    });
    chain.proceed(call);
  }
}
