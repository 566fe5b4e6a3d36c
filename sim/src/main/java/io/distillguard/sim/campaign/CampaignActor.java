package io.distillguard.sim.campaign;

import io.distillguard.sim.IndexedHeap;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.population.AccountFactory;
import io.distillguard.sim.population.Rhythm;
import io.distillguard.sim.population.SimContext;
import io.distillguard.sim.population.TimedActor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The operator of one campaign: drives many accounts, each on its own schedule (an indexed min-heap over the
 * accounts' next send times), hands each account prompts from the campaign's {@link PromptSet} (one shared queue,
 * or a disjoint shard per account), and reacts to results as a harvest tool does: a served prompt is harvested; a
 * 429 puts the prompt back and backs the account off per {@code Retry-After} (exponentially when absent); a 401/403
 * kills the account, puts its prompts back (to its replacement, if the operator still has budget to open one).
 * Companion actors (customers behind a proxy account, cover traffic) send through the same accounts.
 */
public abstract class CampaignActor extends TimedActor {

  /** An account the campaign operates. */
  public static final class Op {
    public final SimAccount account;
    public final int index;
    long nextAt;
    int heapPos = -1;
    boolean dead;
    boolean retired;
    IntQueue shard;
    Op successor;
    int limitedStreak;
    /** Usual client address (strategies may rotate per request). */
    public String ip;
    public String userAgent;
    public int utcOffsetMinutes;
    public Rhythm rhythm = Rhythm.CONSTANT;
    /** Index into the strategy's template list, or other strategy state. */
    public int template;
    public Object state;

    public Op(SimAccount account, int index) {
      this.account = account;
      this.index = index;
    }

    public boolean dead() {
      return dead;
    }

    /** The prompts assigned to this account (sharded strategies), in order; empty otherwise. */
    public int[] shard() {
      return shard == null ? new int[0] : shard.toArray();
    }

    public long nextAt() {
      return nextAt;
    }
  }

  protected final CampaignContext cc;
  protected final SimContext ctx;
  protected final SplittableRandom rng;
  protected final PromptSet tasks;
  protected final Template.Fill fill = new Template.Fill();
  private final boolean sharded;
  private final IntQueue queue;
  private final List<Op> ops = new ArrayList<>();
  private final Map<String, Op> byAccount = new HashMap<>();
  /** Accounts scheduled to send, by next send time, then by index. */
  private final IndexedHeap<Op> heap = new IndexedHeap<>(16,
      (a, b) -> a.nextAt != b.nextAt ? Long.compare(a.nextAt, b.nextAt) : Integer.compare(a.index, b.index),
      op -> op.heapPos, (op, pos) -> op.heapPos = pos);
  private final IdentityHashMap<SimRequest, Integer> inflight = new IdentityHashMap<>();
  private final IdentityHashMap<SimRequest, TimedActor> companionInflight = new IdentityHashMap<>();
  private final List<TimedActor> companions = new ArrayList<>();
  private final BitSet harvested;
  private int harvestedCount;
  private long sent;
  private long attackSent;
  private long served;
  private long limited;
  private long refused;
  private int deadCount;
  private int replacementsLeft;
  private int replacementsUsed;

  protected CampaignActor(CampaignContext cc, PromptSet tasks, boolean sharded) {
    this.cc = cc;
    this.ctx = cc.sim();
    this.rng = cc.rng();
    this.tasks = tasks;
    this.sharded = sharded;
    this.harvested = new BitSet(tasks.size());
    this.replacementsLeft = cc.replacements();
    if (sharded) {
      queue = null;
    } else {
      queue = new IntQueue(tasks.size() * cc.spec().passes());
      for (int pass = 0; pass < cc.spec().passes(); pass++) {
        for (int i = 0; i < tasks.size(); i++) {
          queue.addLast(i);
        }
      }
    }
  }

  public String id() {
    return cc.id();
  }

  public CampaignContext context() {
    return cc;
  }

  public PromptSet tasks() {
    return tasks;
  }

  /** Every account the campaign has operated, in the order opened. */
  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  public List<TimedActor> companions() {
    return Collections.unmodifiableList(companions);
  }

  public CampaignStats stats() {
    return new CampaignStats(cc.id(), cc.strategy().name(), tasks.size(), harvestedCount, sent, attackSent, served,
        limited, refused, ops.size(), deadCount, replacementsUsed);
  }

  /** Whether a task has been harvested (served at least once). */
  public boolean harvested(int task) {
    return harvested.get(task);
  }

  // ------------------------------------------------------------------------------------------ for strategies

  /** Builds the request for {@code task} sent by {@code op} at {@code t}. */
  protected abstract SimRequest compose(Op op, int task, long t);

  /** When {@code op} sends next, after sending at {@code t}; {@link #NONE} for never. */
  protected abstract long nextTime(Op op, long t);

  /** Opens a new account (initial, later batch, or replacement) created at {@code createdAt}. */
  protected abstract Op openAccount(int index, long createdAt);

  /** A served attack request (for strategies that use answers). */
  protected void onServed(Op op, int task, SimRequest request, SimResult result) {}

  /** How long after a death the operator has a replacement account ready. */
  protected long replacementDelayMillis() {
    return 2 * 3_600_000L;
  }

  /** When a new or replacement account sends first. */
  protected long firstSend(Op op, long createdAt) {
    return nextTime(op, createdAt + 60_000 + rng.nextInt(1_800_000));
  }

  /** Registers an account and schedules its first request at {@code firstAt}. */
  protected final Op add(Op op, long firstAt) {
    ops.add(op);
    byAccount.put(op.account.id(), op);
    op.nextAt = firstAt;
    if (sharded && op.shard == null) {
      op.shard = new IntQueue(4);
    }
    ensureScheduled(op);
    return op;
  }

  /** Adds a companion actor whose requests go out through the campaign's accounts. */
  protected final void addCompanion(TimedActor a) {
    companions.add(a);
  }

  /** Splits the prompt set into {@code shards} disjoint contiguous slices (each prompt {@code passes} times). */
  protected final IntQueue[] shards(int shards) {
    IntQueue[] out = new IntQueue[shards];
    int n = tasks.size();
    for (int s = 0; s < shards; s++) {
      int from = (int) ((long) n * s / shards);
      int to = (int) ((long) n * (s + 1) / shards);
      out[s] = new IntQueue(Math.max(4, (to - from) * cc.spec().passes()));
      for (int pass = 0; pass < cc.spec().passes(); pass++) {
        for (int i = from; i < to; i++) {
          out[s].addLast(i);
        }
      }
    }
    return out;
  }

  protected final void assignShard(Op op, IntQueue shard) {
    op.shard = shard;
    ensureScheduled(op);
  }

  /** A new campaign account with the campaign's label. */
  protected final SimAccount account(String name, Map<String, String> attributes, long createdAt) {
    return ctx.accounts().create(name, attributes, new Label(Label.Kind.CAMPAIGN, cc.id()), createdAt);
  }

  protected static Map<String, String> attrs(String payment, String signupIp, String domain, String country,
      String tier) {
    return AccountFactory.attributes(payment, signupIp, domain, country, tier);
  }

  /** Fills the template slots from a prompt. */
  protected final Template.Fill fill(Prompt p) {
    fill.set(Template.PROMPT, p.full()).set(Template.INSTRUCTION, p.text()).set(Template.INPUT, p.input())
        .set(Template.ANSWER, p.answer()).set(Template.CANDIDATE, p.answer()).set(Template.LANGUAGE, "")
        .set(Template.LANGUAGE_NATIVE, "");
    return fill;
  }

  // ------------------------------------------------------------------------------------------ Actor

  private long ownPeek() {
    if (heap.isEmpty() || (!sharded && queue.isEmpty())) {
      return NONE;
    }
    long t = heap.peek().nextAt;
    return t >= cc.endMillis() ? NONE : t;
  }

  @Override
  public long peekMillis() {
    long t = ownPeek();
    for (int i = 0; i < companions.size(); i++) {
      long c = companions.get(i).peekMillis();
      if (c < t) {
        t = c;
      }
    }
    return t;
  }

  @Override
  public SimRequest next() {
    long own = ownPeek();
    TimedActor best = null;
    long bestAt = own;
    for (int i = 0; i < companions.size(); i++) {
      TimedActor c = companions.get(i);
      long t = c.peekMillis();
      if (t < bestAt) {
        bestAt = t;
        best = c;
      }
    }
    if (best != null) {
      SimRequest r = best.next();
      companionInflight.put(r, best);
      sent++;
      if (r.attack()) {
        attackSent++;
      }
      return r;
    }
    if (own == NONE) {
      throw new IllegalStateException("campaign " + cc.id() + " has nothing to send");
    }
    Op op = heap.peek();
    long t = Math.max(op.nextAt, ctx.now());
    int task = sharded ? op.shard.pollFirst() : queue.pollFirst();
    SimRequest r = compose(op, task, t);
    inflight.put(r, task);
    sent++;
    attackSent++;
    long nt = nextTime(op, t);
    op.nextAt = nt;
    if (nt >= cc.endMillis()) {
      op.retired = true;
      heap.remove(op);
    } else if (sharded && op.shard.isEmpty()) {
      heap.remove(op);
    } else {
      heap.update(op);
    }
    return r;
  }

  @Override
  public void onResult(SimRequest request, SimResult result) {
    TimedActor companion = companionInflight.remove(request);
    if (companion != null) {
      companion.onResult(request, result);
      return;
    }
    Integer boxed = inflight.remove(request);
    if (boxed == null) {
      return;
    }
    int task = boxed;
    Op op = byAccount.get(request.account().id());
    int s = result.status();
    if (s == 200) {
      served++;
      op.limitedStreak = 0;
      if (!harvested.get(task)) {
        harvested.set(task);
        harvestedCount++;
      }
      onServed(op, task, request, result);
    } else if (s == 401 || s == 403) {
      refused++;
      if (!op.dead) {
        kill(op);
      }
      requeue(op, task);
    } else if (s == 429) {
      limited++;
      requeue(op, task);
      op.limitedStreak++;
      long wait = result.retryAfterSeconds() > 0 ? result.retryAfterSeconds() * 1000L
          : Math.min(600_000L, 1000L << Math.min(9, op.limitedStreak));
      backOff(op, Math.max(ctx.now(), request.time().toEpochMilli() + wait) + rng.nextInt(1000));
    } else {
      requeue(op, task);
      backOff(op, Math.max(ctx.now(), request.time().toEpochMilli() + 2000 + rng.nextInt(3000)));
    }
  }

  private void requeue(Op op, int task) {
    if (!sharded) {
      queue.addLast(task);
      return;
    }
    Op target = op;
    while (target != null && target.dead) {
      target = target.successor;
    }
    if (target == null) {
      return; // orphaned: nobody left to ask for this slice
    }
    target.shard.addLast(task);
    ensureScheduled(target);
  }

  private void backOff(Op op, long until) {
    if (op.dead || op.retired) {
      return;
    }
    if (op.nextAt < until) {
      op.nextAt = until;
    }
    if (op.nextAt >= cc.endMillis()) {
      op.retired = true;
      heap.remove(op);
      return;
    }
    if (!heap.update(op)) {
      ensureScheduled(op);
    }
  }

  private void kill(Op op) {
    op.dead = true;
    deadCount++;
    heap.remove(op);
    if (replacementsLeft > 0) {
      replacementsLeft--;
      replacementsUsed++;
      long created = ctx.now() + replacementDelayMillis();
      Op repl = openAccount(ops.size(), created);
      if (sharded) {
        repl.shard = op.shard != null ? op.shard : new IntQueue(4);
      }
      op.successor = repl;
      add(repl, firstSend(repl, created));
    }
  }

  private void ensureScheduled(Op op) {
    if (heap.contains(op) || op.dead || op.retired || op.nextAt >= cc.endMillis()) {
      return;
    }
    if (sharded && (op.shard == null || op.shard.isEmpty())) {
      return;
    }
    if (op.nextAt < ctx.now()) {
      op.nextAt = ctx.now();
    }
    heap.add(op);
  }
}
