package io.distillguard.sim;

import io.distillguard.sim.campaign.CampaignActor;
import io.distillguard.sim.campaign.CampaignContext;
import io.distillguard.sim.campaign.CampaignStats;
import io.distillguard.sim.campaign.CampaignStrategies;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.population.Population;
import io.distillguard.sim.population.SimContext;
import io.distillguard.sim.population.TimedActor;
import io.distillguard.sim.scenario.CampaignSpec;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the requests of every actor of a scenario (benign customers, legitimate heavy users, campaign operators)
 * in time order and routes results back to the actor owning the account, so actors react as real clients do.
 * Everything is a function of the scenario (its seed) and the data directory: two simulations of the same scenario
 * and data, fed the same results, produce identical request sequences.
 *
 * <p>Runner contract: call {@link #next()} until it returns null; {@link #report} every request's result (in-process
 * runners right away; HTTP runners when the answer arrives). Reactions (back-off, retries, follow-ups, replacement
 * accounts) may make more requests due after a report, so a runner with results still outstanding should report
 * them and call {@link #next()} again before concluding it is done. Request times never decrease. Not thread-safe:
 * call from one thread (or synchronize).
 */
public final class Simulation {
  private final Scenario scenario;
  private final DataSets data;
  private final SimContext ctx;
  private final List<TimedActor> actors = new ArrayList<>();
  private final Map<String, CampaignActor> campaigns = new LinkedHashMap<>();
  private final List<SimAccount> populationAccounts = new ArrayList<>();
  private final Map<String, String> campaignStrategies = new LinkedHashMap<>();
  private final Map<TimedActor, Entry> entries = new IdentityHashMap<>();
  private final Map<String, Entry> owners = new HashMap<>();
  private final Map<String, SimAccount> seen = new LinkedHashMap<>();
  private final Map<SimRequest, SimRequest> clamped = new IdentityHashMap<>();
  private final long end;
  /** Actors with something due before the end, by next request time, then by order of creation. */
  private final IndexedHeap<Entry> heap;
  private long lastTime;
  private long emitted;
  private boolean accountIsNew;

  /** Heap entry of one actor. */
  private static final class Entry {
    final TimedActor actor;
    final int seq;
    long key;
    int pos = -1;

    Entry(TimedActor actor, int seq) {
      this.actor = actor;
      this.seq = seq;
    }
  }

  private Simulation(Scenario scenario, DataSets data) {
    this.scenario = scenario;
    this.data = data;
    this.ctx = new SimContext(scenario, data);
    this.end = ctx.endMillis();
    this.lastTime = ctx.startMillis();
    actors.addAll(Population.build(ctx).actors());
    for (TimedActor a : actors) {
      if (a instanceof io.distillguard.sim.population.SingleAccountActor s) {
        populationAccounts.add(s.account());
      }
    }
    for (CampaignSpec spec : scenario.campaigns()) {
      CampaignActor a = CampaignStrategies.get(spec.strategy()).create(new CampaignContext(ctx, spec));
      campaigns.put(spec.id(), a);
      campaignStrategies.put(spec.id(), spec.strategy());
      actors.add(a);
    }
    heap = new IndexedHeap<>(Math.max(16, actors.size()),
        (a, b) -> a.key != b.key ? Long.compare(a.key, b.key) : Integer.compare(a.seq, b.seq),
        e -> e.pos, (e, pos) -> e.pos = pos);
    for (int i = 0; i < actors.size(); i++) {
      Entry e = new Entry(actors.get(i), i);
      entries.put(e.actor, e);
      schedule(e);
    }
  }

  /** Builds the simulation; deterministic from {@code scenario.seed()} and the data. */
  public static Simulation create(Scenario scenario, DataSets data) {
    return new Simulation(scenario, data == null ? DataSets.fixtures() : data);
  }

  /** Loads a scenario file and a data directory (null or missing: built-in fixtures). */
  public static Simulation create(Path scenarioFile, Path dataDir) {
    return create(ScenarioLoader.load(scenarioFile), DataSets.load(dataDir));
  }

  /** The next request in time order over all actors; null when nothing more is due (see the class comment). */
  public SimRequest next() {
    while (!heap.isEmpty()) {
      Entry e = heap.peek();
      if (e.key >= end) {
        heap.remove(e);
        continue;
      }
      SimRequest r = e.actor.next();
      long t = r.time().toEpochMilli();
      if (t < lastTime) {
        SimRequest original = r;
        r = new SimRequest(r.account(), Instant.ofEpochMilli(lastTime), r.clientIp(), r.userAgent(), r.endpoint(),
            r.model(), r.messages(), r.params(), r.stream(), r.expectedOutputTokens(), r.attack());
        clamped.put(r, original);
        t = lastTime;
      }
      lastTime = t;
      ctx.advance(t);
      emitted++;
      String id = r.account().id();
      accountIsNew = owners.putIfAbsent(id, e) == null;
      if (accountIsNew) {
        seen.put(id, r.account());
      }
      reschedule(e);
      return r;
    }
    return null;
  }

  /** Routes a result to the actor owning {@code request.account()}. */
  public void report(SimRequest request, SimResult result) {
    Entry e = owners.get(request.account().id());
    if (e == null) {
      throw new IllegalArgumentException("request of unknown account " + request.account().id());
    }
    SimRequest original = clamped.isEmpty() ? request : clamped.getOrDefault(request, request);
    if (original != request) {
      clamped.remove(request);
    }
    e.actor.onResult(original, result);
    reschedule(e);
  }

  public Scenario scenario() {
    return scenario;
  }

  public DataSets data() {
    return data;
  }

  /**
   * True when the request last returned by {@link #next()} is the first of its account: a runner creates the
   * account (in-process, or {@code POST /admin/v1/accounts}) before sending it.
   */
  public boolean accountIsNew() {
    return accountIsNew;
  }

  /** Every account that has sent a request so far, in order of first appearance (a live view). */
  public Collection<SimAccount> accounts() {
    return Collections.unmodifiableCollection(seen.values());
  }

  /**
   * The benign population's accounts (ordinary and heavy users), known from the start, whether or not they have sent
   * anything yet. Campaign accounts appear in {@link #accounts()} as they send.
   */
  public List<SimAccount> populationAccounts() {
    return Collections.unmodifiableList(populationAccounts);
  }

  /** Campaign id to strategy name, in scenario order. */
  public Map<String, String> campaignStrategies() {
    return Collections.unmodifiableMap(campaignStrategies);
  }

  /** How many distinct prompts the campaign wants answered (denominator of "fraction harvested"). */
  public int campaignPromptSetSize(String campaignId) {
    return campaign(campaignId).tasks().size();
  }

  /** What a campaign has done so far: prompts harvested, requests, accounts opened and lost. */
  public CampaignStats campaignStats(String campaignId) {
    return campaign(campaignId).stats();
  }

  /** Stats of every campaign, in scenario order. */
  public List<CampaignStats> campaignStats() {
    List<CampaignStats> out = new ArrayList<>();
    for (CampaignActor a : campaigns.values()) {
      out.add(a.stats());
    }
    return out;
  }

  /** The campaign's operator (its accounts, shards, template choices) for inspection and tests. */
  public CampaignActor campaign(String campaignId) {
    CampaignActor a = campaigns.get(campaignId);
    if (a == null) {
      throw new IllegalArgumentException("no campaign '" + campaignId + "' (scenario has " + campaigns.keySet()
          + ")");
    }
    return a;
  }

  /** Every actor, population first, then campaigns. */
  public List<Actor> actors() {
    return Collections.unmodifiableList(new ArrayList<>(actors));
  }

  /** Time of the latest request handed out. */
  public Instant now() {
    return Instant.ofEpochMilli(lastTime);
  }

  /** Requests handed out so far. */
  public long requestsGenerated() {
    return emitted;
  }

  /** True when no actor has anything due (results still outstanding may revive some). */
  public boolean idle() {
    return heap.isEmpty();
  }

  // ------------------------------------------------------------------------------------------ heap

  private void schedule(Entry e) {
    long k = e.actor.peekMillis();
    if (k == TimedActor.NONE || k >= end) {
      return;
    }
    e.key = k;
    heap.add(e);
  }

  private void reschedule(Entry e) {
    long k = e.actor.peekMillis();
    if (k == TimedActor.NONE || k >= end) {
      heap.remove(e);
      return;
    }
    e.key = k;
    if (!heap.update(e)) {
      heap.add(e);
    }
  }
}
