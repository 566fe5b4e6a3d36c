package io.distillguard.sim.population;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.data.DatasetInfo;
import io.distillguard.sim.data.PromptPool;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.data.TraceFit;
import io.distillguard.sim.scenario.Scenario;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What every actor of one simulation shares: the scenario, the data, the trace fit, the account factory, the model
 * mix and the simulation clock (the time of the latest request handed out, so reactions never go back in time).
 */
public final class SimContext {
  public static final String CHAT = "/v1/chat/completions";
  public static final String COMPLETIONS = "/v1/completions";

  private final Scenario scenario;
  private final DataSets data;
  private final TraceFit traces;
  private final AccountFactory accounts;
  private final long start;
  private final long end;
  private final String[] models;
  private final double[] modelCum;
  private final List<PromptPool> benignPools = new ArrayList<>();
  private final double[] benignCum;
  private long now;

  public SimContext(Scenario scenario, DataSets data) {
    this.scenario = scenario;
    this.data = data;
    this.traces = data.traces();
    this.accounts = new AccountFactory(scenario.seed());
    this.start = scenario.start().toEpochMilli();
    this.end = scenario.end().toEpochMilli();
    this.now = start;
    Map<String, Double> m = scenario.models();
    models = m.keySet().toArray(new String[0]);
    double[] w = new double[models.length];
    for (int i = 0; i < models.length; i++) {
      w[i] = Math.max(1e-9, m.get(models[i]));
    }
    modelCum = Seeds.cumulative(w);
    List<String> names = scenario.population().datasets().isEmpty()
        ? scenario.data().allowed(DatasetInfo.Kind.BENIGN) : scenario.population().datasets();
    double[] bw = new double[names.size()];
    for (int i = 0; i < names.size(); i++) {
      benignPools.add(data.pool(names.get(i)));
      bw[i] = benignWeight(names.get(i));
    }
    benignCum = bw.length == 0 ? new double[] {1} : Seeds.cumulative(bw);
  }

  /** Share of first turns each benign dataset supplies (roughly by how organic its prompts are). */
  static double benignWeight(String dataset) {
    switch (dataset) {
      case "sharegpt-first-turn":
        return 0.55;
      case "hh-rlhf-helpful":
        return 0.35;
      case "awesome-chatgpt-prompts":
        return 0.06;
      case "openassistant-eval-prompts":
        return 0.6;
      case "fastchat-mtbench-vicuna":
        return 0.4;
      default:
        return 0.15;
    }
  }

  public Scenario scenario() {
    return scenario;
  }

  public DataSets data() {
    return data;
  }

  public TraceFit traces() {
    return traces;
  }

  public AccountFactory accounts() {
    return accounts;
  }

  public long seed() {
    return scenario.seed();
  }

  public long startMillis() {
    return start;
  }

  public long endMillis() {
    return end;
  }

  /** Time of the latest request the simulation handed out. */
  public long now() {
    return now;
  }

  /** Called by the simulation as it hands out requests. */
  public void advance(long t) {
    if (t > now) {
      now = t;
    }
  }

  public Split templates() {
    return scenario.data().templates();
  }

  public String flagshipModel() {
    return models[0];
  }

  public String pickModel(SplittableRandom rng) {
    return models[Seeds.pick(modelCum, rng)];
  }

  /** The benign datasets of the population, in order. */
  public List<PromptPool> benignPools() {
    return benignPools;
  }

  /** Index into {@link #benignPools()} by the default dataset shares. */
  public int pickBenignPool(SplittableRandom rng) {
    return Seeds.pick(benignCum, rng);
  }

  public double[] benignWeights() {
    double[] w = new double[benignPools.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = benignWeight(benignPools.get(i).name());
    }
    return w;
  }

  public boolean allows(String dataset) {
    return scenario.data().allows(dataset);
  }

  /** Allowed datasets among the candidates, in the candidates' order. */
  public List<String> allowedAmong(List<String> candidates) {
    List<String> out = new ArrayList<>();
    for (String c : candidates) {
      if (allows(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Builds a request (the one place that allocates the record). */
  public static SimRequest request(SimAccount account, long t, String ip, String ua, String endpoint, String model,
      List<ChatMessage> messages, SamplingParams params, boolean stream, int expectedOutputTokens, boolean attack) {
    return new SimRequest(account, Instant.ofEpochMilli(t), ip, ua, endpoint, model, messages, params, stream,
        expectedOutputTokens, attack);
  }

  /** The same request at another time (retries). */
  public static SimRequest retry(SimRequest r, long t) {
    return new SimRequest(r.account(), Instant.ofEpochMilli(t), r.clientIp(), r.userAgent(), r.endpoint(), r.model(),
        r.messages(), r.params(), r.stream(), r.expectedOutputTokens(), r.attack());
  }

  /** A single user message, or a system and a user message. */
  public static List<ChatMessage> messages(String system, String user) {
    if (system == null) {
      return List.of(new ChatMessage("user", user));
    }
    return List.of(new ChatMessage("system", system), new ChatMessage("user", user));
  }

  /** A legacy completions prompt. */
  public static List<ChatMessage> completionPrompt(String prompt) {
    return List.of(new ChatMessage("prompt", prompt));
  }
}
