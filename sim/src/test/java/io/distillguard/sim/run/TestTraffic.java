package io.distillguard.sim.run;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.NoisyOrScorer;
import io.distillguard.core.detect.Policy;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Signal;
import io.distillguard.sim.Actor;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/** Hand-made traffic for runner and evaluation tests: a few scripted actors merged in time order. */
public final class TestTraffic implements TrafficSource {
  public static final Instant T0 = Instant.parse("2025-03-03T00:00:00Z");

  private final List<Actor> actors;
  private final List<SimAccount> accounts;
  private final Map<String, String> strategies;
  private final Map<String, Integer> promptSets;
  private final PriorityQueue<Actor> queue;
  private final Map<SimRequest, Actor> owners = new java.util.IdentityHashMap<>();
  public final List<SimResult> results = new ArrayList<>();
  private Instant end;

  public TestTraffic(List<? extends Actor> actors, List<SimAccount> accounts, Map<String, String> strategies,
      Map<String, Integer> promptSets) {
    this.actors = List.copyOf(actors);
    this.accounts = List.copyOf(accounts);
    this.strategies = new LinkedHashMap<>(strategies);
    this.promptSets = Map.copyOf(promptSets);
    this.queue = new PriorityQueue<>((a, b) -> a.peek().compareTo(b.peek()));
    for (Actor a : this.actors) {
      if (a.peek() != null) {
        queue.add(a);
      }
    }
  }

  public TestTraffic withEnd(Instant e) {
    this.end = e;
    return this;
  }

  @Override
  public SimRequest next() {
    Actor a = queue.poll();
    if (a == null) {
      return null;
    }
    SimRequest r = a.next();
    owners.put(r, a);
    if (a.peek() != null) {
      queue.add(a);
    }
    return r;
  }

  @Override
  public void report(SimRequest request, SimResult result) {
    results.add(result);
    Actor a = owners.remove(request);
    boolean queued = a.peek() != null;
    a.onResult(request, result);
    if (!queued && a.peek() != null) {
      queue.add(a);
    }
  }

  @Override
  public Collection<SimAccount> accounts() {
    return accounts;
  }

  @Override
  public Map<String, String> campaignStrategies() {
    return strategies;
  }

  @Override
  public int campaignPromptSetSize(String campaignId) {
    return promptSets.getOrDefault(campaignId, 0);
  }

  @Override
  public Instant start() {
    return T0;
  }

  @Override
  public Instant end() {
    return end;
  }

  public static SimAccount account(String id, Label label, String tier) {
    return new SimAccount(id, id, Map.of("tier", tier), label, T0);
  }

  public static Label campaign(String id) {
    return new Label(Label.Kind.CAMPAIGN, id);
  }

  public static Label heavy(String group) {
    return new Label(Label.Kind.BENIGN_HEAVY, group);
  }

  public static SimRequest request(SimAccount a, Instant t, String prompt, boolean attack, int outputTokens) {
    return new SimRequest(a, t, "198.51.100.7", "OpenAI/Python 1.54.4", "/v1/chat/completions", "builtin-large",
        List.of(new ChatMessage("user", prompt)), SamplingParams.NONE, false, outputTokens, attack);
  }

  /**
   * One account sending {@code count} requests {@code every} apart from {@code start}; prompts cycle through
   * {@code prompts} distinct texts. It stops after a 403 when {@code stopWhenBlocked}.
   */
  public static final class Scripted implements Actor {
    final SimAccount account;
    final Duration every;
    final int count;
    final boolean attack;
    final int prompts;
    final boolean stopWhenBlocked;
    int sent;
    Instant next;
    boolean stopped;
    public final List<SimResult> results = new ArrayList<>();

    public Scripted(SimAccount account, Instant start, Duration every, int count, boolean attack, int prompts,
        boolean stopWhenBlocked) {
      this.account = account;
      this.every = every;
      this.count = count;
      this.attack = attack;
      this.prompts = Math.max(1, prompts);
      this.stopWhenBlocked = stopWhenBlocked;
      this.next = start;
    }

    @Override
    public Instant peek() {
      return stopped || sent >= count ? null : next;
    }

    @Override
    public SimRequest next() {
      SimRequest r = request(account, next, "question " + (sent % prompts) + " please", attack, 100);
      sent++;
      next = next.plus(every);
      return r;
    }

    @Override
    public void onResult(SimRequest request, SimResult result) {
      results.add(result);
      if (stopWhenBlocked && result.status() == 403) {
        stopped = true;
      }
    }
  }

  /**
   * A detector for tests: its suspicion is fixed per account by a rule on the exchange count, so tests can script
   * exactly when an account escalates. Accounts whose id contains "campaign" get {@code 0.6} from their
   * {@code watchAt}-th exchange, {@code 0.8} from the {@code throttleAt}-th and {@code 0.95} from the
   * {@code blockAt}-th; others 0.
   */
  public record Scripting(String name, long watchAt, long throttleAt, long blockAt, String marker)
      implements Detector<long[]> {
    @Override
    public long[] newState() {
      return new long[2];
    }

    @Override
    public void observe(long[] s, Exchange e) {
      s[0]++;
      s[1] = e.accountId().contains(marker) ? 1 : 0;
    }

    @Override
    public Signal evaluate(long[] s) {
      if (s[1] == 0) {
        return Signal.none(name, s[0]);
      }
      double v = s[0] >= blockAt ? 0.95 : s[0] >= throttleAt ? 0.8 : s[0] >= watchAt ? 0.6 : 0;
      return new Signal(name, v, s[0], "scripted");
    }
  }

  /** Levels: watch 0.5, throttle 0.7, degrade 0.9, block 0.94. */
  public static Policy policy() {
    return new Policy(Map.of(RiskLevel.WATCH, 0.5, RiskLevel.THROTTLE, 0.7, RiskLevel.DEGRADE, 0.9,
        RiskLevel.BLOCK, 0.94), Map.of(), java.util.Set.of());
  }

  public static DetectorSet scripted(long watchAt, long throttleAt, long blockAt) {
    return new DetectorSet("scripted", "test", List.of(new Scripting("scripted", watchAt, throttleAt, blockAt,
        "campaign")), new NoisyOrScorer(Map.of(), 1.0), policy());
  }

  public static InProcessRunner.Options noLimits() {
    return InProcessRunner.Options.defaults().withLimits(SimLimits.none());
  }
}
