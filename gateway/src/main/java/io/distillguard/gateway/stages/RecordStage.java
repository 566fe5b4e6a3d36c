package io.distillguard.gateway.stages;

import io.distillguard.core.Exchange;
import io.distillguard.gateway.log.ExchangeSink;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;

/**
 * Turns every call, whatever became of it, into one {@link Exchange} for the sinks. It comes first in the chain so
 * that refusals by later stages are recorded too; the exchange is handed over before the client sees the end of the
 * answer.
 */
public final class RecordStage implements Stage {
  private final ExchangeSink sink;

  public RecordStage(ExchangeSink sink) {
    this.sink = sink;
  }

  @Override
  public void process(Call call, Chain chain) {
    call.onRecord(c -> sink.accept(toExchange(c)));
    chain.proceed(call);
  }

  static Exchange toExchange(Call c) {
    String text = c.responseText();
    long upstreamMicros = 0;
    if (c.upstreamSentNanos > 0) {
      long end = c.upstreamDoneNanos > 0 ? c.upstreamDoneNanos : System.nanoTime();
      upstreamMicros = (end - c.upstreamSentNanos) / 1_000;
    }
    long firstByteMicros = c.upstreamFirstByteNanos > 0 ? (c.upstreamFirstByteNanos - c.upstreamSentNanos) / 1_000 : 0;
    return new Exchange(
        c.id(), c.eventTime,
        c.account == null ? null : c.account.id(),
        c.key == null ? null : c.key.keyId(),
        c.clientIp, c.userAgent, c.headerFingerprint, c.path(), c.model, c.params, c.stream, c.messages, text,
        Exchange.promptDigest(c.messages), Exchange.promptLength(c.messages),
        Exchange.textDigest(text), text == null ? 0 : text.length(),
        c.promptTokens, c.completionTokens, c.status(), c.outcome(), c.errorCode(),
        c.latencyMicros(), upstreamMicros, firstByteMicros,
        // As the node's own detection learns it (DetectionFactory), so the job's detection holds it to the same levels
        c.account == null ? null : c.account.tier());
  }
}
