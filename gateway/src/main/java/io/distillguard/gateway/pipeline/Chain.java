package io.distillguard.gateway.pipeline;

/** The rest of the stages after the current one. */
public interface Chain {
  void proceed(Call call);
}
