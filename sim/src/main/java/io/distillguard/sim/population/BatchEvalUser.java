package io.distillguard.sim.population;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A legitimate batch evaluation job: now and then (a new checkpoint, a prompt change) it runs a benchmark prompt
 * set through the API once, fast and templated, in working hours, then goes quiet. Benchmarks include the same
 * reasoning and instruction sets harvesters use (GSM8K with the common "step by step" evaluation template, MT-Bench
 * with its second turns sent after the first answer), so volume, templates and chain-of-thought wording alone do
 * not prove distillation.
 */
public final class BatchEvalUser extends SingleAccountActor {
  /** Candidate benchmarks, filtered by the scenario's allowed datasets. */
  static final List<String> BENCHMARKS = List.of("gsm8k", "self-instruct", "flan-v2-cot", "fastchat-mtbench-vicuna",
      "openassistant-eval-prompts", "mgsm", "code-alpaca-2k");

  /** Evaluation-harness prompt formats ({q} is the question). */
  static final String[][] FORMATS = {
      {null, "{q}"},
      {"You are a helpful assistant.", "{q}"},
      {null, "Solve the following problem step by step. The last line of your response should be of the form "
          + "\"Answer: $ANSWER\" where $ANSWER is the answer.\n\n{q}"},
      {null, "Question: {q}\nAnswer:"},
      {null, "{q}\n\nLet's think step by step."},
      {"You are an expert evaluator's test subject. Answer concisely.", "{q}"},
  };

  private final Persona p;
  private final List<PromptPool> suites = new ArrayList<>();
  private final ArrayDeque<long[]> runs = new ArrayDeque<>();
  private final ArrayDeque<SimRequest> secondTurns = new ArrayDeque<>();
  private final List<Prompt> items = new ArrayList<>();
  /** First turns whose prompt has a second turn, by message list (retries share it). */
  private final java.util.Map<List<ChatMessage>, Prompt> pendingFirst = new java.util.IdentityHashMap<>();
  private final double gapMs;
  private final int maxItems;
  private int cursor;
  private String[] format;
  private SamplingParams params;
  private long runCount;

  public BatchEvalUser(SimContext ctx, Persona persona, SplittableRandom rng) {
    super(ctx, persona.account, rng);
    this.p = persona;
    List<String> allowed = ctx.allowedAmong(BENCHMARKS);
    if (allowed.isEmpty()) {
      allowed = List.of(ctx.benignPools().get(0).name());
    }
    int n = 1 + rng.nextInt(Math.min(2, allowed.size()));
    List<String> pick = new ArrayList<>(allowed);
    for (int i = 0; i < n; i++) {
      suites.add(ctx.data().pool(pick.remove(rng.nextInt(pick.size()))));
    }
    this.gapMs = 1000.0 / (2 + rng.nextDouble() * 6); // 2-8 requests per second
    this.maxItems = 300 + rng.nextInt(1200);
    // 1-4 runs over the period, each starting in the account's working hours.
    long span = ctx.endMillis() - Math.max(ctx.startMillis(), persona.activeFrom);
    int count = 1 + rng.nextInt(Math.max(1, (int) Math.min(4, 1 + span / (2 * 86_400_000L))));
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      for (int attempt = 0; attempt < 200; attempt++) {
        long t = Math.max(ctx.startMillis(), persona.activeFrom) + (long) (rng.nextDouble() * span * 0.95);
        if (Rhythm.WORK.intensity(t, persona.utcOffsetMinutes) > 0.6 || attempt == 199) {
          starts.add(t);
          break;
        }
      }
    }
    starts.sort(null);
    for (long s : starts) {
      runs.add(new long[] {s});
    }
    nextAt = runs.isEmpty() ? NONE : runs.peekFirst()[0];
    startRunIfNeeded();
  }

  private void startRunIfNeeded() {
    items.clear();
    cursor = 0;
    if (runs.isEmpty()) {
      return;
    }
    runs.pollFirst();
    runCount++;
    for (PromptPool suite : suites) {
      int limit = Math.min(suite.size(), maxItems);
      for (int i = 0; i < limit; i++) {
        items.add(suite.get(i));
      }
    }
    format = FORMATS[rng.nextInt(FORMATS.length)];
    double r = rng.nextDouble();
    params = r < 0.6 ? SamplingStyles.EVAL : r < 0.85 ? SamplingStyles.EVAL_SEEDED : SamplingStyles.EVAL_PASS_AT_K;
  }

  @Override
  protected SimRequest produce(long t) {
    SimRequest r;
    SimRequest second = secondTurns.pollFirst();
    if (second != null) {
      r = SimContext.retry(second, t);
    } else {
      Prompt q = items.get(cursor++);
      String user = format[1].replace("{q}", q.full());
      r = SimContext.request(account, t, p.ip, p.userAgent, SimContext.CHAT, p.model,
          SimContext.messages(format[0], user), params, false, ctx.traces().sampleChatOutputTokens(rng), false);
      if (!q.followUps().isEmpty()) {
        pendingFirst.put(r.messages(), q);
      }
    }
    long gap = (long) (gapMs * (0.5 + rng.nextDouble()));
    if (cursor < items.size() || !secondTurns.isEmpty()) {
      nextAt = t + Math.max(1, gap);
    } else if (!runs.isEmpty()) {
      long start = runs.peekFirst()[0];
      startRunIfNeeded();
      nextAt = Math.max(start, t + 60_000);
    } else {
      nextAt = NONE;
    }
    return r;
  }

  @Override
  protected void served(SimRequest request, SimResult result) {
    // MT-Bench style: the second turn goes out with the first answer.
    Prompt q = pendingFirst.remove(request.messages());
    if (q == null) {
      return;
    }
    List<ChatMessage> next = new ArrayList<>(request.messages());
    String answer = result.responseText();
    next.add(new ChatMessage("assistant", answer == null || answer.isEmpty() ? BenignUser.PLACEHOLDER : answer));
    next.add(new ChatMessage("user", q.followUps().get(0)));
    secondTurns.add(SimContext.request(account, request.time().toEpochMilli(), p.ip, p.userAgent, SimContext.CHAT,
        p.model, next, params, false, ctx.traces().sampleChatOutputTokens(rng), false));
    if (nextAt == NONE) {
      nextAt = Math.max(ctx.now(), request.time().toEpochMilli()) + 200;
    }
  }

  @Override
  protected void gaveUp(SimRequest request, SimResult result) {
    pendingFirst.remove(request.messages());
  }

  public long runs() {
    return runCount;
  }
}
