package io.distillguard.gateway.pipeline;

/**
 * One concern of the request path (authentication, limits, enforcement, forwarding, ...). A stage either ends the
 * call itself, typically with {@link Call#reject}, or hands it on with {@link Chain#proceed}, possibly later and
 * from a callback. Stages run on the event loop and must never block.
 */
public interface Stage {
  void process(Call call, Chain chain);
}
