package io.distillguard.sim.population;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import io.distillguard.sim.data.TraceFit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An ordinary customer: sessions arrive as a Poisson process modulated by the persona's diurnal and weekly rhythm
 * (thinning); a session is a conversation whose length and think times follow the Mooncake fit (see
 * {@link TraceFit}). Follow-up turns resend the whole conversation, including the answers the gateway served
 * (from {@link #onResult}); when an answer has not arrived yet or had no text, a short placeholder stands in.
 * Follow-ups are the prompt's own later turns when its dataset has them (HH later Human turns, MT-Bench second
 * turns, OpenAssistant prompter replies), else real follow-ups from other conversations or generic ones.
 */
public final class BenignUser extends SingleAccountActor {
  /** Stands in for an answer the client has not received. */
  public static final String PLACEHOLDER = "(no answer received)";
  static final int MAX_HISTORY = 12;

  /** Generic follow-ups people send after an answer. */
  static final String[] GENERIC_FOLLOW_UPS = {"Can you make it shorter?", "Thanks! Can you give me an example?",
      "Can you explain that in simpler terms?", "What about the other option?", "ok, and how do I do that step by step?",
      "Can you put that in a table?", "That's not quite what I meant. Can you try again?",
      "Great, can you make it more formal?", "why?", "Can you add more detail to the second point?",
      "thanks", "Could you rewrite it in a friendlier tone?", "Is there a faster way?", "What are the downsides?",
      "Give me three more ideas like that.", "Can you translate that into Spanish?", "Are you sure? Please double check.",
      "Now summarize everything in two sentences."};

  private final Persona p;
  private final PromptPool[] pools;
  private final double[] poolCum;
  private final List<Prompt> realFollowUps;
  private final double peakSessionsPerMs;
  private final double turnContinue;
  private final boolean chat;

  private final ArrayList<ChatMessage> history = new ArrayList<>();
  private Prompt sessionPrompt;
  private int turn;
  private int turnsLeft;
  private String sessionIp;
  private SimRequest current;
  private boolean awaiting;
  private long requests;

  public BenignUser(SimContext ctx, Persona persona, SplittableRandom rng) {
    super(ctx, persona.account, rng);
    this.p = persona;
    this.pools = ctx.benignPools().toArray(new PromptPool[0]);
    double[] w = persona.poolWeights != null ? persona.poolWeights : ctx.benignWeights();
    this.poolCum = Seeds.cumulative(w);
    List<Prompt> follow = new ArrayList<>();
    for (PromptPool pool : pools) {
      for (Prompt pr : pool.withFollowUps()) {
        follow.add(pr);
      }
    }
    this.realFollowUps = follow;
    this.turnContinue = ctx.traces().turnContinue();
    double meanTurns = 1 / (1 - turnContinue);
    double sessionsPerMs = persona.requestsPerDay / meanTurns / 86_400_000.0;
    this.peakSessionsPerMs = sessionsPerMs / persona.rhythm.mean();
    this.chat = !persona.legacyCompletions;
    this.nextAt = nextSession(Math.max(ctx.startMillis(), persona.activeFrom));
  }

  public Persona persona() {
    return p;
  }

  public long requests() {
    return requests;
  }

  /** First session start after {@code from} (non-homogeneous Poisson process by thinning). */
  private long nextSession(long from) {
    if (peakSessionsPerMs <= 0) {
      return NONE;
    }
    double t = from;
    long limit = Math.min(ctx.endMillis(), p.activeUntil);
    double meanGap = 1 / peakSessionsPerMs;
    while (true) {
      t += Seeds.exp(rng, meanGap);
      if (t >= limit) {
        return NONE;
      }
      if (rng.nextDouble() < p.rhythm.intensity((long) t, p.utcOffsetMinutes)) {
        return (long) t;
      }
    }
  }

  @Override
  protected SimRequest produce(long t) {
    String userText;
    if (turnsLeft <= 0) {
      startSession();
      userText = sessionPrompt.full();
    } else {
      if (awaiting) {
        history.add(new ChatMessage("assistant", PLACEHOLDER));
        awaiting = false;
      }
      userText = followUp();
    }
    turn++;
    turnsLeft--;
    List<ChatMessage> messages;
    String endpoint;
    if (chat) {
      history.add(new ChatMessage("user", userText));
      trimHistory();
      messages = history;
      endpoint = SimContext.CHAT;
    } else {
      messages = SimContext.completionPrompt(userText);
      endpoint = SimContext.COMPLETIONS;
    }
    SamplingParams params = rng.nextDouble() < 0.9 ? p.params : SamplingStyles.benign(rng);
    int expected = ctx.traces().sampleChatOutputTokens(rng);
    if (params.maxTokens() != null) {
      expected = Math.min(expected, params.maxTokens());
    }
    String model = rng.nextDouble() < 0.85 ? p.model : ctx.pickModel(rng);
    SimRequest r = SimContext.request(account, t, sessionIp, p.userAgent, endpoint, model, messages, params,
        rng.nextDouble() < p.streamShare, expected, p.attack);
    current = r;
    awaiting = chat;
    requests++;
    if (turnsLeft > 0) {
      double think = ctx.traces().sampleThinkSeconds(rng);
      nextAt = t + (long) (1000 * Math.max(4, Math.min(3600, think)));
      if (nextAt >= Math.min(ctx.endMillis(), p.activeUntil)) {
        nextAt = NONE;
      }
    } else {
      nextAt = nextSession(t + 1000);
    }
    return r;
  }

  private void startSession() {
    history.clear();
    if (p.systemPrompt != null) {
      history.add(new ChatMessage("system", p.systemPrompt));
    }
    PromptPool pool = pools[Seeds.pick(poolCum, rng)];
    sessionPrompt = pool.get(rng.nextInt(pool.size()));
    int own = sessionPrompt.followUps().size();
    int extra = Seeds.geometric(rng, turnContinue);
    if (own > 0 && rng.nextDouble() < 0.6) {
      extra = Math.max(extra, own);
    }
    turn = 0;
    turnsLeft = 1 + Math.min(extra, 30);
    sessionIp = p.mobileIp != null && rng.nextDouble() < 0.15 ? p.mobileIp : p.ip;
    awaiting = false;
  }

  private String followUp() {
    List<String> own = sessionPrompt.followUps();
    int k = turn - 1;
    if (k >= 0 && k < own.size()) {
      return own.get(k);
    }
    if (!realFollowUps.isEmpty() && rng.nextDouble() < 0.25) {
      Prompt other = realFollowUps.get(rng.nextInt(realFollowUps.size()));
      List<String> f = other.followUps();
      return f.get(rng.nextInt(f.size()));
    }
    return GENERIC_FOLLOW_UPS[rng.nextInt(GENERIC_FOLLOW_UPS.length)];
  }

  private void trimHistory() {
    int keepSystem = p.systemPrompt != null ? 1 : 0;
    while (history.size() - keepSystem > MAX_HISTORY) {
      history.remove(keepSystem);
    }
    // A conversation must not start with an assistant message after trimming.
    while (history.size() - keepSystem > 1 && "assistant".equals(history.get(keepSystem).role())) {
      history.remove(keepSystem);
    }
  }

  @Override
  protected void served(SimRequest request, SimResult result) {
    if (request == current && awaiting) {
      String text = result.responseText();
      history.add(new ChatMessage("assistant", text == null || text.isEmpty() ? PLACEHOLDER : text));
      awaiting = false;
    }
  }

  @Override
  protected void sent(SimRequest r) {
    current = r;
  }

  @Override
  protected void gaveUp(SimRequest request, SimResult result) {
    if (request == current) {
      // The user gives up on this conversation.
      turnsLeft = 0;
      awaiting = false;
      if (nextAt != NONE && turnsLeft <= 0) {
        nextAt = nextSession(Math.max(ctx.now(), request.time().toEpochMilli()) + 1000);
      }
    }
  }
}
