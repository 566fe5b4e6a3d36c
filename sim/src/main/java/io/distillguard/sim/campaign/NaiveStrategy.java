package io.distillguard.sim.campaign;

import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.population.ClientSoftware;
import io.distillguard.sim.population.Geo;
import io.distillguard.sim.population.IpSpace;
import io.distillguard.sim.population.Names;
import io.distillguard.sim.population.SamplingStyles;
import io.distillguard.sim.population.SimContext;
import io.distillguard.sim.scenario.ParamType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Naive harvesting: one or a few accounts, high steady volume around the clock from one rented server, every
 * prompt of an instruction pool wrapped in one fixed template (Alpaca format in the tuning bank; FLAN zero-shot
 * templates when flan-v2-templates is harvested; the Alpaca mass-generation prompt when stanford-alpaca-seed is).
 */
public final class NaiveStrategy implements CampaignStrategy {
  @Override
  public String name() {
    return "naive";
  }

  @Override
  public String description() {
    return "few accounts, high volume, one fixed template over an instruction pool";
  }

  @Override
  public Map<String, ParamType> params() {
    Map<String, ParamType> m = new LinkedHashMap<>();
    m.put("rate", ParamType.RATE);
    m.put("generation_prompts", ParamType.INT);
    m.put("max_tokens", ParamType.INT);
    m.put("temperature", ParamType.NUMBER);
    m.put("user_agent", ParamType.STRING);
    return m;
  }

  @Override
  public int defaultAccounts() {
    return 1;
  }

  @Override
  public List<String> defaultDatasets(Split split) {
    return split == Split.TUNING ? List.of("self-instruct", "stanford-alpaca-seed", "flan-v2-templates")
        : List.of("t0-templates-sample", "code-alpaca-2k");
  }

  @Override
  public CampaignActor create(CampaignContext cc) {
    return new Actor(cc);
  }

  static final class Actor extends CampaignActor {
    private final double gapMs;
    private final List<TemplateBank.Entry> bank;
    private final List<TemplateBank.Entry> flan;
    private final SamplingParams params;
    private final String ua;
    private final IpSpace.Subnet subnet;
    private final String card;
    private final Geo.Country country;
    private final String email;

    Actor(CampaignContext cc) {
      super(cc, tasks(cc), false);
      this.gapMs = 1000.0 / cc.params().rate("rate", 20 / 60.0);
      this.bank = TemplateBank.get("naive", cc.templates());
      this.flan = Campaigns.flanWrappers(cc);
      this.params = SamplingStyles.params(cc.params().number("temperature", 0.7), null, null,
          cc.params().integer("max_tokens", 2048), null, null, null);
      this.ua = cc.params().string("user_agent", rng.nextBoolean() ? ClientSoftware.REQUESTS
          : ClientSoftware.PY_SDK);
      this.subnet = IpSpace.hosting(rng);
      this.card = io.distillguard.sim.population.AccountFactory.card(rng);
      this.country = Geo.pick(rng);
      this.email = Geo.freeMail(country, rng);
      for (int i = 0; i < cc.accounts(); i++) {
        long created = cc.startMillis() - (long) ((0.5 + rng.nextDouble() * 4) * 86_400_000L);
        Op op = openAccount(i, created);
        add(op, cc.startMillis() + rng.nextInt(600_000));
      }
    }

    static PromptSet tasks(CampaignContext cc) {
      PromptSet.Builder b = new PromptSet.Builder();
      List<TemplateBank.Entry> flan = Campaigns.flanWrappers(cc);
      java.util.SplittableRandom r = cc.rng().split();
      for (Prompt p : Campaigns.content(cc, false)) {
        b.add(p, flan.isEmpty() ? 0 : r.nextInt(flan.size() + 1));
      }
      for (Prompt p : Campaigns.generationPrompts(cc, cc.params().integer("generation_prompts", 300), r)) {
        b.add(p, 0);
      }
      return b.shuffled(r, cc.spec().prompts());
    }

    @Override
    protected Op openAccount(int index, long createdAt) {
      String ip = subnet.address(10 + index);
      Op op = new Op(account(Names.person(rng), attrs(card, ip, email, Geo.iso(country), "default"), createdAt),
          index);
      op.ip = ip;
      op.userAgent = ua;
      op.template = rng.nextInt(bank.size());
      return op;
    }

    @Override
    protected SimRequest compose(Op op, int task, long t) {
      Prompt p = tasks.prompt(task);
      String system = null;
      String user;
      int v = tasks.variant(task);
      if (Campaigns.GENERATION.equals(p.group())) {
        user = p.text();
      } else if (v > 0 && !flan.isEmpty()) {
        user = flan.get(v - 1).user().render(fill(p), rng);
      } else {
        TemplateBank.Entry e = bank.get(op.template);
        user = e.user().render(fill(p), rng);
        system = e.system() == null ? null : e.system().render(fill, rng);
      }
      return SimContext.request(op.account, t, op.ip, op.userAgent, SimContext.CHAT, cc.model(),
          SimContext.messages(system, user), params, false, (int) (ctx.traces().sampleChatOutputTokens(rng) * 1.3),
          true);
    }

    @Override
    protected long nextTime(Op op, long t) {
      return t + Campaigns.jittered(rng, gapMs, 0.2);
    }
  }
}
