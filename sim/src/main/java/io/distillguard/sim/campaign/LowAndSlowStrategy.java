package io.distillguard.sim.campaign;

import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.population.AccountFactory;
import io.distillguard.sim.population.ClientSoftware;
import io.distillguard.sim.population.Geo;
import io.distillguard.sim.population.IpSpace;
import io.distillguard.sim.population.Names;
import io.distillguard.sim.population.Rhythm;
import io.distillguard.sim.population.SamplingStyles;
import io.distillguard.sim.population.Seeds;
import io.distillguard.sim.population.SimContext;
import io.distillguard.sim.scenario.ParamType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Low-and-slow: a dozen unremarkable accounts (separate identities, residential addresses, popular SDKs), each far
 * under every rate limit (default at most one request a minute, on average one every two minutes, in the account's
 * daytime), so the harvest is spread over days.
 */
public final class LowAndSlowStrategy implements CampaignStrategy {
  @Override
  public String name() {
    return "low-and-slow";
  }

  @Override
  public String description() {
    return "many quiet accounts, each under every rate limit, spread over days";
  }

  @Override
  public Map<String, ParamType> params() {
    Map<String, ParamType> m = new LinkedHashMap<>();
    m.put("rate", ParamType.RATE);
    m.put("min_gap", ParamType.DURATION);
    m.put("rhythm", ParamType.STRING);
    return m;
  }

  @Override
  public int defaultAccounts() {
    return 12;
  }

  @Override
  public void check(io.distillguard.sim.scenario.Params params) {
    String r = params.string("rhythm", "mixed");
    try {
      Rhythm.valueOf(r.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rhythm: unknown rhythm '" + r + "' (use work, personal, mixed, flat, "
          + "constant)");
    }
    if (params.has("rate") && params.rate("rate", 0) <= 0) {
      throw new IllegalArgumentException("rate: must be positive");
    }
  }

  @Override
  public List<String> defaultDatasets(Split split) {
    return split == Split.TUNING ? List.of("self-instruct", "gsm8k", "flan-v2-cot")
        : List.of("code-alpaca-2k", "t0-templates-sample");
  }

  @Override
  public CampaignActor create(CampaignContext cc) {
    return new Actor(cc);
  }

  static final class Actor extends CampaignActor {
    private final double meanGapMs;
    private final long minGapMs;
    private final Rhythm rhythm;
    private final List<TemplateBank.Entry> bank;

    Actor(CampaignContext cc) {
      super(cc, Campaigns.simpleTasks(cc, false), false);
      double rate = cc.params().rate("rate", 0.5 / 60);
      this.minGapMs = cc.params().duration("min_gap", Duration.ofSeconds(60)).toMillis();
      this.rhythm = Rhythm.valueOf(cc.params().string("rhythm", "mixed").toUpperCase(Locale.ROOT));
      // Thinning by the rhythm keeps the weekly mean at `rate`.
      this.meanGapMs = 1000.0 / rate * rhythm.mean();
      this.bank = TemplateBank.get("low-and-slow", cc.templates());
      for (int i = 0; i < cc.accounts(); i++) {
        long created = cc.startMillis() - (long) ((3 + rng.nextDouble() * 60) * 86_400_000L);
        Op op = openAccount(i, created);
        add(op, nextTime(op, cc.startMillis() + rng.nextInt(3_600_000)));
      }
    }

    @Override
    protected Op openAccount(int index, long createdAt) {
      Geo.Country c = Geo.pick(rng);
      String ip = IpSpace.residential(c, rng);
      Op op = new Op(account(Names.person(rng), attrs(AccountFactory.card(rng), IpSpace.residential(c, rng),
          Geo.freeMail(c, rng), Geo.iso(c), "default"), createdAt), index);
      op.ip = ip;
      op.userAgent = rng.nextBoolean() ? ClientSoftware.PY_SDK : ClientSoftware.JS_SDK;
      op.utcOffsetMinutes = c.utcOffsetMinutes();
      op.rhythm = rhythm;
      op.template = rng.nextInt(bank.size());
      op.state = SamplingStyles.benign(rng);
      return op;
    }

    @Override
    protected SimRequest compose(Op op, int task, long t) {
      Prompt p = tasks.prompt(task);
      TemplateBank.Entry e = bank.get(op.template);
      String user = e.user().render(fill(p), rng);
      String system = e.system() == null ? null : e.system().render(fill, rng);
      return SimContext.request(op.account, t, op.ip, op.userAgent, SimContext.CHAT, cc.model(),
          SimContext.messages(system, user), (SamplingParams) op.state, false,
          ctx.traces().sampleChatOutputTokens(rng), true);
    }

    @Override
    protected long nextTime(Op op, long t) {
      double x = t;
      while (true) {
        x += Math.max(minGapMs, Seeds.exp(rng, meanGapMs));
        if (x >= cc.endMillis()) {
          return NONE;
        }
        if (rng.nextDouble() < op.rhythm.intensity((long) x, op.utcOffsetMinutes)) {
          return (long) x;
        }
      }
    }
  }
}
