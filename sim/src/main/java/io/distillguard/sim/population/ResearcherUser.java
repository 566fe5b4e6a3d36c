package io.distillguard.sim.population;

import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.DatasetInfo;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A researcher: quiet most of the time, then a burst of experiments (tens to thousands of requests in a few
 * minutes to hours) over varied prompts, benign and instruction/reasoning sets alike, with sampling sweeps
 * (temperatures, n > 1, logprobs) that a harvester would also use.
 */
public final class ResearcherUser extends SingleAccountActor {
  private final Persona p;
  private final List<PromptPool> all = new ArrayList<>();
  private final double burstsPerMs;
  private final List<PromptPool> focus = new ArrayList<>();
  private int burstLeft;
  private double burstGapMs;
  private SamplingParams[] grid;
  private int gridIndex;

  public ResearcherUser(SimContext ctx, Persona persona, SplittableRandom rng) {
    super(ctx, persona.account, rng);
    this.p = persona;
    for (String name : ctx.scenario().data().allowed()) {
      all.add(ctx.data().pool(name));
    }
    if (all.isEmpty()) {
      all.addAll(ctx.benignPools());
    }
    this.burstsPerMs = (0.3 + rng.nextDouble() * 0.9) / 86_400_000.0 / Rhythm.WORK.mean();
    this.nextAt = nextBurst(Math.max(ctx.startMillis(), persona.activeFrom));
  }

  private long nextBurst(long from) {
    double t = from;
    while (true) {
      t += Seeds.exp(rng, 1 / burstsPerMs);
      if (t >= ctx.endMillis()) {
        return NONE;
      }
      if (rng.nextDouble() < Rhythm.WORK.intensity((long) t, p.utcOffsetMinutes)) {
        startBurst();
        return (long) t;
      }
    }
  }

  private void startBurst() {
    burstLeft = (int) Math.min(3000, Math.max(20, Seeds.logNormal(rng, Math.log(120), 1.0)));
    burstGapMs = 300 + rng.nextDouble() * 2500;
    focus.clear();
    focus.add(all.get(rng.nextInt(all.size())));
    if (rng.nextBoolean()) {
      focus.add(all.get(rng.nextInt(all.size())));
    }
    double g = rng.nextDouble();
    if (g < 0.4) {
      grid = new SamplingParams[] {SamplingStyles.params(0.0, null, null, null, null, null, null),
          SamplingStyles.params(0.3, null, null, null, null, null, null),
          SamplingStyles.params(0.7, null, null, null, null, null, null),
          SamplingStyles.params(1.0, null, null, null, null, null, null)};
    } else if (g < 0.6) {
      grid = new SamplingParams[] {SamplingStyles.params(1.0, null, 4, 512, null, null, null)};
    } else if (g < 0.75) {
      grid = new SamplingParams[] {SamplingStyles.params(0.0, null, null, 64, true, 5, null)};
    } else {
      grid = new SamplingParams[] {SamplingParams.NONE};
    }
    gridIndex = 0;
  }

  @Override
  protected SimRequest produce(long t) {
    PromptPool pool = focus.get(rng.nextInt(focus.size()));
    Prompt q = pool.get(rng.nextInt(pool.size()));
    SamplingParams params = grid[gridIndex++ % grid.length];
    boolean attackLike = pool.info().kind() == DatasetInfo.Kind.ATTACK;
    int expected = attackLike ? (int) (ctx.traces().sampleChatOutputTokens(rng) * 1.5)
        : ctx.traces().sampleChatOutputTokens(rng);
    if (params.maxTokens() != null) {
      expected = Math.min(expected, params.maxTokens());
    }
    SimRequest r = SimContext.request(account, t, p.ip, p.userAgent, SimContext.CHAT, p.model,
        SimContext.messages(null, q.full()), params, false, expected, false);
    burstLeft--;
    if (burstLeft > 0) {
      nextAt = t + (long) Seeds.exp(rng, burstGapMs) + 50;
    } else {
      nextAt = nextBurst(t + 600_000);
    }
    return r;
  }
}
