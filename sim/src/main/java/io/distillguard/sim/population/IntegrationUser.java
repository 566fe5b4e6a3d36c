package io.distillguard.sim.population;

import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A product integration: a company's backend calls the API on behalf of its own users, with one fixed system prompt
 * and a request template filled with varied user content. Steady high volume around the clock (its end users are
 * everywhere), a few cloud egress addresses, one server-side client.
 */
public final class IntegrationUser extends SingleAccountActor {

  /** A product: system prompt, user template ({c} = end-user content), whether content is code. */
  record Product(String system, String template, boolean code, double streamShare) {}

  static final Product[] PRODUCTS = {
      new Product("You are the support assistant of an online electronics store. Be friendly, concise and never "
          + "promise refunds; escalate billing questions to a human.", "Customer message:\n{c}\n\nReply to the "
          + "customer.", false, 0.7),
      new Product("You summarize customer conversations for a helpdesk. Output: one-line summary, sentiment, "
          + "suggested next action.", "Conversation:\n{c}", false, 0.0),
      new Product("You are a writing assistant inside a note-taking app. Improve the user's text while keeping their "
          + "voice.", "Improve this note:\n\n{c}", false, 0.8),
      new Product("You classify incoming tickets. Answer with JSON: {\"intent\": billing|technical|account|other, "
          + "\"urgency\": 1-5, \"reply_draft\": string}.", "Ticket:\n{c}", false, 0.0),
      new Product("You are a tutor in a language-learning app. Answer in simple English and end with a short "
          + "practice question.", "{c}", false, 0.9),
      new Product("You are a code review bot. List concrete problems in the change, most severe first; say 'LGTM' "
          + "if there are none.", "Review this change:\n```\n{c}\n```", true, 0.0),
      new Product("You are the search assistant of a travel site. Recommend at most three options and keep it "
          + "under 120 words.", "Traveler asks: {c}", false, 0.6),
      new Product("You write product descriptions for an e-commerce marketplace in a neutral, factual tone.",
          "Seller notes:\n{c}\n\nWrite the listing description.", false, 0.0),
  };

  private final Persona p;
  private final Product product;
  private final String[] ips;
  private final List<PromptPool> pools = new ArrayList<>();
  private final double peakPerMs;

  public IntegrationUser(SimContext ctx, Persona persona, String[] egressIps, SplittableRandom rng) {
    super(ctx, persona.account, rng);
    this.p = persona;
    this.ips = egressIps;
    this.product = PRODUCTS[rng.nextInt(PRODUCTS.length)];
    if (product.code && ctx.allows("code-alpaca-2k")) {
      pools.add(ctx.data().pool("code-alpaca-2k"));
    } else {
      for (PromptPool pool : ctx.benignPools()) {
        if (!pool.name().equals("awesome-chatgpt-prompts")) { // role-play prompts are not end-user messages
          pools.add(pool);
        }
      }
      if (pools.isEmpty()) {
        pools.addAll(ctx.benignPools());
      }
    }
    this.peakPerMs = persona.requestsPerDay / 86_400_000.0 / persona.rhythm.mean();
    this.nextAt = advance(Math.max(ctx.startMillis(), persona.activeFrom));
  }

  private long advance(long from) {
    double t = from;
    double meanGap = 1 / peakPerMs;
    while (true) {
      t += Seeds.exp(rng, meanGap);
      if (t >= ctx.endMillis()) {
        return NONE;
      }
      if (rng.nextDouble() < p.rhythm.intensity((long) t, p.utcOffsetMinutes)) {
        return (long) t;
      }
    }
  }

  @Override
  protected SimRequest produce(long t) {
    PromptPool pool = pools.get(rng.nextInt(pools.size()));
    Prompt content = pool.get(rng.nextInt(pool.size()));
    String c = product.code && !content.input().isEmpty() ? content.input() : content.full();
    String user = product.template.replace("{c}", c);
    int expected = product.code ? ctx.traces().sampleCodeOutputTokens(rng) * 4
        : ctx.traces().sampleChatOutputTokens(rng);
    SimRequest r = SimContext.request(account, t, ips[rng.nextInt(ips.length)], p.userAgent, SimContext.CHAT,
        p.model, SimContext.messages(product.system, user), product.code ? SamplingStyles.PRODUCT_CODE
            : SamplingStyles.PRODUCT, rng.nextDouble() < product.streamShare, Math.min(512, expected), false);
    nextAt = advance(t);
    return r;
  }

  @Override
  protected int maxRetries() {
    return 3;
  }

  public String systemPrompt() {
    return product.system;
  }
}
