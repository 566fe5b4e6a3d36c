package io.distillguard.gateway.pipeline;

import java.util.List;

/** Runs a fixed list of stages in order; the last stage must end the call. */
public final class StageChain {
  private final Stage[] stages;

  public StageChain(List<Stage> stages) {
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a chain needs at least one stage");
    }
    this.stages = stages.toArray(new Stage[0]);
  }

  public void start(Call call) {
    new Link(0).proceed(call);
  }

  private final class Link implements Chain {
    private final int index;

    Link(int index) {
      this.index = index;
    }

    @Override
    public void proceed(Call call) {
      if (call.isFinished()) {
        return;
      }
      if (index >= stages.length) {
        throw new IllegalStateException("the last stage handed the call on instead of ending it");
      }
      try {
        stages[index].process(call, new Link(index + 1));
      } catch (RuntimeException e) {
        call.internalError(stages[index].getClass().getSimpleName(), e);
      }
    }
  }
}
