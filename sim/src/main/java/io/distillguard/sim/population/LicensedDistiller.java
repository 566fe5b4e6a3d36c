package io.distillguard.sim.population;

import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A customer licensed to distil: traffic that looks exactly like harvesting (instruction and reasoning pools in
 * fixed templates, steady around the clock, high max_tokens) but is allowed by contract. Label
 * {@code BENIGN_HEAVY/licensed-distiller}: a detector may flag it, policy should allow-list it.
 */
public final class LicensedDistiller extends SingleAccountActor {
  static final List<String> POOLS = List.of("self-instruct", "gsm8k", "flan-v2-cot", "code-alpaca-2k",
      "t0-templates-sample", "mgsm");
  static final String[] TEMPLATES = {
      "Below is an instruction that describes a task. Write a response that appropriately completes the request."
          + "\n\n### Instruction:\n{q}\n\n### Response:",
      "{q}\n\nExplain your reasoning step by step, then give the final answer.",
  };

  private final Persona p;
  private final String[] ips;
  private final List<PromptPool> pools = new ArrayList<>();
  private final String template;
  private final double meanGapMs;

  public LicensedDistiller(SimContext ctx, Persona persona, String[] ips, SplittableRandom rng) {
    super(ctx, persona.account, rng);
    this.p = persona;
    this.ips = ips;
    for (String name : ctx.allowedAmong(POOLS)) {
      pools.add(ctx.data().pool(name));
    }
    if (pools.isEmpty()) {
      pools.addAll(ctx.benignPools());
    }
    this.template = TEMPLATES[rng.nextInt(TEMPLATES.length)];
    this.meanGapMs = 86_400_000.0 / persona.requestsPerDay;
    this.nextAt = Math.max(ctx.startMillis(), persona.activeFrom) + (long) Seeds.exp(rng, meanGapMs);
  }

  @Override
  protected SimRequest produce(long t) {
    PromptPool pool = pools.get(rng.nextInt(pools.size()));
    Prompt q = pool.get(rng.nextInt(pool.size()));
    SimRequest r = SimContext.request(account, t, ips[rng.nextInt(ips.length)], p.userAgent, SimContext.CHAT,
        p.model, SimContext.messages(null, template.replace("{q}", q.full())),
        SamplingStyles.params(0.7, null, null, 2048, null, null, null), false,
        (int) (ctx.traces().sampleChatOutputTokens(rng) * 1.8), false);
    nextAt = t + 1 + (long) Seeds.exp(rng, meanGapMs);
    return r;
  }

  @Override
  protected int maxRetries() {
    return 5;
  }
}
