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
 * An ordinary customer. Its traffic runs in lanes:
 * <ul>
 *   <li><b>Conversation lanes</b>: sessions arrive as a Poisson process modulated by the persona's diurnal and
 *       weekly rhythm (thinning); a session is a conversation whose length and think times follow the Mooncake fit
 *       (see {@link TraceFit}). Follow-up turns resend the whole conversation including the answers the gateway
 *       served (from {@link #onResult}); when an answer has not arrived yet or had no text, {@link #PLACEHOLDER}
 *       stands in. Follow-ups are the prompt's own later turns when its dataset has them (HH later Human turns,
 *       MT-Bench second turns, OpenAssistant prompter replies), else real follow-ups from other conversations or
 *       generic ones. One person holds one conversation at a time; an account busier than
 *       {@link #LANE_CAPACITY} requests a day (an app or a team behind one key) runs several conversations in
 *       parallel.</li>
 *   <li><b>A script lane</b> for busy accounts: a share of their traffic comes from scripts that send a list of
 *       single-turn requests in one of a few fixed personal templates, a burst of log-normal size (median
 *       {@link #BURST_MEDIAN}) with exponential gaps (mean {@link #BURST_GAP_MS} ms). The share grows with the
 *       account's volume, from 0 at {@link #SCRIPT_FROM} requests/day to {@link #SCRIPT_MAX_SHARE} at
 *       {@link #SCRIPT_FULL}. These constants are calibrated so the population's index of dispersion at 1, 10 and
 *       60 s windows comes out near the Azure conversation trace's 1.4, 3.9 and 16 (checked in
 *       {@code PopulationStatisticsTest}).</li>
 * </ul>
 */
public final class BenignUser extends SingleAccountActor {
  /** Stands in for an answer the client has not received. */
  public static final String PLACEHOLDER = "(no answer received)";
  static final int MAX_HISTORY = 12;
  /** Requests a day one conversation lane carries at most on average (one person chatting). */
  public static final double LANE_CAPACITY = 250;
  public static final double SCRIPT_FROM = 20;
  public static final double SCRIPT_FULL = 600;
  public static final double SCRIPT_MAX_SHARE = 0.85;
  public static final double BURST_MEDIAN = 25;
  public static final double BURST_SIGMA = 1.0;
  public static final double BURST_GAP_MS = 1800;

  /** Generic follow-ups people send after an answer. */
  static final String[] GENERIC_FOLLOW_UPS = {"Can you make it shorter?", "Thanks! Can you give me an example?",
      "Can you explain that in simpler terms?", "What about the other option?", "ok, and how do I do that step by step?",
      "Can you put that in a table?", "That's not quite what I meant. Can you try again?",
      "Great, can you make it more formal?", "why?", "Can you add more detail to the second point?",
      "thanks", "Could you rewrite it in a friendlier tone?", "Is there a faster way?", "What are the downsides?",
      "Give me three more ideas like that.", "Can you translate that into Spanish?", "Are you sure? Please double check.",
      "Now summarize everything in two sentences."};

  /** Personal script templates ({c} = an item of the user's list). */
  static final String[][] SCRIPT_TEMPLATES = {{null, "{c}"}, {null, "Summarize the following text:\n\n{c}"},
      {"You are a helpful assistant.", "{c}"}, {null, "Rewrite this to be clearer and more concise:\n{c}"},
      {null, "Answer briefly.\n\n{c}"}, {"You extract key points as a bulleted list.", "{c}"},
      {null, "Translate the following into English if needed, then reply to it:\n{c}"}};

  private final Persona p;
  private final PromptPool[] pools;
  private final double[] poolCum;
  private final List<Prompt> realFollowUps;
  private final double turnContinue;
  private final boolean chat;
  private final Conversation[] lanes;
  private final Script script;
  private long requests;

  /** One conversation at a time. */
  private final class Conversation {
    final double peakSessionsPerMs;
    final ArrayList<ChatMessage> history = new ArrayList<>();
    long at;
    Prompt sessionPrompt;
    int turn;
    int turnsLeft;
    String sessionIp;
    SimRequest current;
    boolean awaiting;

    Conversation(double peakSessionsPerMs, long from) {
      this.peakSessionsPerMs = peakSessionsPerMs;
      this.at = nextArrival(from, peakSessionsPerMs);
    }
  }

  /** Scripted bursts. */
  private final class Script {
    final double peakBurstsPerMs;
    final String[] template;
    long at;
    int left;

    Script(double peakBurstsPerMs, long from) {
      this.peakBurstsPerMs = peakBurstsPerMs;
      this.template = SCRIPT_TEMPLATES[rng.nextInt(SCRIPT_TEMPLATES.length)];
      this.at = nextArrival(from, peakBurstsPerMs);
      this.left = burstSize();
    }
  }

  public BenignUser(SimContext ctx, Persona persona, SplittableRandom rng) {
    super(ctx, persona.account, rng);
    this.p = persona;
    this.pools = ctx.benignPools().toArray(new PromptPool[0]);
    double[] w = persona.poolWeights != null ? persona.poolWeights : ctx.benignWeights();
    this.poolCum = Seeds.cumulative(w);
    List<Prompt> follow = new ArrayList<>();
    for (PromptPool pool : pools) {
      follow.addAll(pool.withFollowUps());
    }
    this.realFollowUps = follow;
    this.turnContinue = ctx.traces().turnContinue();
    this.chat = !persona.legacyCompletions;
    long from = Math.max(ctx.startMillis(), persona.activeFrom);
    double perDay = persona.requestsPerDay;
    double scriptShare = scriptShare(perDay);
    double conversational = perDay * (1 - scriptShare);
    int laneCount = Math.max(1, (int) Math.ceil(conversational / LANE_CAPACITY));
    double meanTurns = 1 / (1 - turnContinue);
    double perLaneSessionsPerMs = conversational / laneCount / meanTurns / 86_400_000.0 / persona.rhythm.mean();
    this.lanes = new Conversation[laneCount];
    for (int i = 0; i < laneCount; i++) {
      lanes[i] = new Conversation(perLaneSessionsPerMs, from);
    }
    double meanBurst = Math.exp(Math.log(BURST_MEDIAN) + BURST_SIGMA * BURST_SIGMA / 2);
    this.script = scriptShare > 0 ? new Script(perDay * scriptShare / meanBurst / 86_400_000.0
        / persona.rhythm.mean(), from) : null;
    refresh();
  }

  /** Share of an account's traffic sent by scripts, by its requests per day. */
  public static double scriptShare(double perDay) {
    if (perDay <= SCRIPT_FROM) {
      return 0;
    }
    double x = Math.log(perDay / SCRIPT_FROM) / Math.log(SCRIPT_FULL / SCRIPT_FROM);
    return SCRIPT_MAX_SHARE * Math.min(1, x);
  }

  public Persona persona() {
    return p;
  }

  public long requests() {
    return requests;
  }

  /** Parallel conversations this account runs. */
  public int conversationLanes() {
    return lanes.length;
  }

  private int burstSize() {
    return (int) Math.max(2, Math.min(2000, Seeds.logNormal(rng, Math.log(BURST_MEDIAN), BURST_SIGMA)));
  }

  /** First arrival after {@code from} of a process with the persona's rhythm (thinning). */
  private long nextArrival(long from, double peakPerMs) {
    if (peakPerMs <= 0) {
      return NONE;
    }
    double t = from;
    long limit = Math.min(ctx.endMillis(), p.activeUntil);
    double meanGap = 1 / peakPerMs;
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

  private void refresh() {
    long min = script != null ? script.at : NONE;
    for (Conversation c : lanes) {
      if (c.at < min) {
        min = c.at;
      }
    }
    nextAt = min;
  }

  @Override
  protected SimRequest produce(long t) {
    SimRequest r = null;
    if (script != null && script.at == t) {
      boolean earliest = true;
      for (Conversation c : lanes) {
        if (c.at < t) {
          earliest = false;
          break;
        }
      }
      if (earliest) {
        r = scripted(t);
      }
    }
    if (r == null) {
      Conversation lane = lanes[0];
      for (Conversation c : lanes) {
        if (c.at < lane.at) {
          lane = c;
        }
      }
      r = converse(lane, t);
    }
    requests++;
    refresh();
    return r;
  }

  private SimRequest scripted(long t) {
    PromptPool pool = pools[Seeds.pick(poolCum, rng)];
    Prompt q = pool.get(rng.nextInt(pool.size()));
    String[] tpl = script.template;
    String user = tpl[1].length() == 3 ? q.full() : tpl[1].replace("{c}", q.full());
    SimRequest r = SimContext.request(account, t, p.ip, p.userAgent, chat ? SimContext.CHAT : SimContext.COMPLETIONS,
        p.model, chat ? SimContext.messages(tpl[0], user) : SimContext.completionPrompt(user), p.params, false,
        Math.min(p.params.maxTokens() == null ? 8192 : p.params.maxTokens(),
            ctx.traces().sampleChatOutputTokens(rng)), p.attack);
    script.left--;
    if (script.left > 0) {
      script.at = t + 1 + (long) Seeds.exp(rng, BURST_GAP_MS);
      if (script.at >= Math.min(ctx.endMillis(), p.activeUntil)) {
        script.at = NONE;
      }
    } else {
      script.left = burstSize();
      script.at = nextArrival(t + 1000, script.peakBurstsPerMs);
    }
    return r;
  }

  private SimRequest converse(Conversation c, long t) {
    String userText;
    if (c.turnsLeft <= 0) {
      startSession(c);
      userText = c.sessionPrompt.full();
    } else {
      if (c.awaiting) {
        c.history.add(new ChatMessage("assistant", PLACEHOLDER));
        c.awaiting = false;
      }
      userText = followUp(c);
    }
    c.turn++;
    c.turnsLeft--;
    List<ChatMessage> messages;
    String endpoint;
    if (chat) {
      c.history.add(new ChatMessage("user", userText));
      trimHistory(c.history);
      messages = c.history;
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
    SimRequest r = SimContext.request(account, t, c.sessionIp, p.userAgent, endpoint, model, messages, params,
        rng.nextDouble() < p.streamShare, expected, p.attack);
    c.current = r;
    c.awaiting = chat;
    if (c.turnsLeft > 0) {
      double think = ctx.traces().sampleThinkSeconds(rng);
      c.at = t + (long) (1000 * Math.max(4, Math.min(3600, think)));
      if (c.at >= Math.min(ctx.endMillis(), p.activeUntil)) {
        c.at = NONE;
      }
    } else {
      c.at = nextArrival(t + 1000, c.peakSessionsPerMs);
    }
    return r;
  }

  private void startSession(Conversation c) {
    c.history.clear();
    if (p.systemPrompt != null) {
      c.history.add(new ChatMessage("system", p.systemPrompt));
    }
    PromptPool pool = pools[Seeds.pick(poolCum, rng)];
    c.sessionPrompt = pool.get(rng.nextInt(pool.size()));
    int own = c.sessionPrompt.followUps().size();
    int extra = Seeds.geometric(rng, turnContinue);
    if (own > 0 && rng.nextDouble() < 0.6) {
      extra = Math.max(extra, own);
    }
    c.turn = 0;
    c.turnsLeft = 1 + Math.min(extra, 30);
    c.sessionIp = p.mobileIp != null && rng.nextDouble() < 0.15 ? p.mobileIp : p.ip;
    c.awaiting = false;
  }

  private String followUp(Conversation c) {
    List<String> own = c.sessionPrompt.followUps();
    int k = c.turn - 1;
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

  private void trimHistory(List<ChatMessage> history) {
    int keepSystem = p.systemPrompt != null ? 1 : 0;
    while (history.size() - keepSystem > MAX_HISTORY) {
      history.remove(keepSystem);
    }
    // A conversation must not start with an assistant message after trimming.
    while (history.size() - keepSystem > 1 && "assistant".equals(history.get(keepSystem).role())) {
      history.remove(keepSystem);
    }
  }

  private Conversation laneOf(SimRequest request) {
    for (Conversation c : lanes) {
      if (c.current == request) {
        return c;
      }
    }
    return null;
  }

  @Override
  protected void served(SimRequest request, SimResult result) {
    Conversation c = laneOf(request);
    if (c != null && c.awaiting) {
      String text = result.responseText();
      c.history.add(new ChatMessage("assistant", text == null || text.isEmpty() ? PLACEHOLDER : text));
      c.awaiting = false;
    }
  }

  @Override
  protected void retried(SimRequest original, SimRequest copy) {
    Conversation c = laneOf(original);
    if (c != null) {
      c.current = copy;
    }
  }

  @Override
  protected void backOff(long until) {
    for (Conversation c : lanes) {
      if (c.at != NONE && c.at < until) {
        c.at = until;
      }
    }
    if (script != null && script.at != NONE && script.at < until) {
      script.at = until;
    }
    refresh();
  }

  @Override
  protected void gaveUp(SimRequest request, SimResult result) {
    Conversation c = laneOf(request);
    if (c != null) {
      // The user gives up on this conversation.
      c.turnsLeft = 0;
      c.awaiting = false;
      if (c.at != NONE) {
        c.at = nextArrival(Math.max(ctx.now(), request.time().toEpochMilli()) + 1000, c.peakSessionsPerMs);
      }
      refresh();
    }
  }
}
