package io.distillguard.sim.campaign;

import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.population.AccountFactory;
import io.distillguard.sim.population.BenignUser;
import io.distillguard.sim.population.ClientSoftware;
import io.distillguard.sim.population.Geo;
import io.distillguard.sim.population.IpSpace;
import io.distillguard.sim.population.Names;
import io.distillguard.sim.population.Persona;
import io.distillguard.sim.population.Rhythm;
import io.distillguard.sim.population.SamplingStyles;
import io.distillguard.sim.population.Seeds;
import io.distillguard.sim.population.SimContext;
import io.distillguard.sim.scenario.ParamType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reseller/proxy: a few enterprise accounts whose backend forwards genuine end users' conversations (benign
 * prompts, multi-turn, in the end users' rhythm; {@code attack = false}) and mixes in the operator's own harvesting
 * ({@code attack = true}, around the clock) through the same keys, addresses and client.
 */
public final class MixedProxyStrategy implements CampaignStrategy {
  @Override
  public String name() {
    return "mixed-proxy";
  }

  @Override
  public String description() {
    return "reseller accounts mixing genuine customer traffic with harvesting";
  }

  @Override
  public Map<String, ParamType> params() {
    Map<String, ParamType> m = new LinkedHashMap<>();
    m.put("customers", ParamType.INT);
    m.put("customer_requests_per_day", ParamType.NUMBER);
    m.put("customer_country", ParamType.STRING);
    m.put("attack_share", ParamType.FRACTION);
    return m;
  }

  @Override
  public int defaultAccounts() {
    return 2;
  }

  @Override
  public void check(io.distillguard.sim.scenario.Params params) {
    String c = params.string("customer_country", "CN");
    try {
      Geo.byCode(c);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("customer_country: unknown country '" + c + "'");
    }
  }

  @Override
  public List<String> defaultDatasets(Split split) {
    return split == Split.TUNING ? List.of("self-instruct", "gsm8k", "flan-v2-cot")
        : List.of("t0-templates-sample", "code-alpaca-2k", "mgsm");
  }

  @Override
  public CampaignActor create(CampaignContext cc) {
    return new Actor(cc);
  }

  static final class Actor extends CampaignActor {
    private final List<TemplateBank.Entry> bank;
    private final Geo.Country customerCountry;
    private final int customers;
    private final double perCustomer;
    private final double attackShare;

    Actor(CampaignContext cc) {
      super(cc, Campaigns.simpleTasks(cc, false), false);
      var p = cc.params();
      bank = TemplateBank.get("mixed-proxy", cc.templates());
      customerCountry = Geo.byCode(p.string("customer_country", "CN"));
      customers = p.integer("customers", 120);
      perCustomer = p.number("customer_requests_per_day", 5);
      attackShare = Math.min(0.95, p.number("attack_share", 0.3));
      for (int i = 0; i < cc.accounts(); i++) {
        long created = cc.startMillis() - (long) ((30 + rng.nextDouble() * 200) * 86_400_000L);
        Op op = openAccount(i, created);
        double customerPerDay = 0;
        for (int k = 0; k < customers; k++) {
          Persona persona = new Persona();
          persona.account = op.account;
          String[] egress = (String[]) op.state;
          persona.ip = egress[k % egress.length];
          persona.userAgent = op.userAgent;
          persona.utcOffsetMinutes = customerCountry.utcOffsetMinutes() + 60 * (rng.nextInt(3) - 1);
          persona.rhythm = rng.nextBoolean() ? Rhythm.PERSONAL : Rhythm.MIXED;
          persona.requestsPerDay = Math.min(500, perCustomer * Math.exp(1.3 * rng.nextGaussian() - 0.85));
          persona.model = cc.model();
          persona.params = SamplingStyles.benign(rng);
          persona.streamShare = 0.8;
          persona.activeFrom = cc.startMillis();
          persona.activeUntil = cc.endMillis();
          persona.attack = false;
          customerPerDay += persona.requestsPerDay;
          addCompanion(new BenignUser(ctx, persona, Seeds.rng(ctx.seed(), "proxy-customer:" + cc.id(), i * 100_000L
              + k)));
        }
        double attackPerDay = Math.max(1, customerPerDay * attackShare / (1 - attackShare));
        op.template = (int) Math.round(86_400_000.0 / attackPerDay); // mean gap between attack requests
        add(op, cc.startMillis() + Campaigns.exp(rng, op.template));
      }
    }

    @Override
    protected Op openAccount(int index, long createdAt) {
      String[] co = ctx.accounts().company(rng);
      IpSpace.Subnet cloud = IpSpace.cloud(rng);
      String[] egress = {cloud.random(rng), cloud.random(rng), cloud.random(rng)};
      Geo.Country c = Geo.pick(rng);
      Op op = new Op(account(Names.person(rng), attrs(AccountFactory.card(rng), IpSpace.corporate(c, rng).random(rng),
          co[1], Geo.iso(c), "enterprise"), createdAt), index);
      op.ip = egress[0];
      op.userAgent = rng.nextBoolean() ? ClientSoftware.GO : ClientSoftware.PY_ASYNC;
      op.state = egress;
      op.template = 60_000;
      return op;
    }

    @Override
    protected SimRequest compose(Op op, int task, long t) {
      Prompt p = tasks.prompt(task);
      TemplateBank.Entry e = bank.get(rng.nextInt(bank.size()));
      String user = e.user().render(fill(p), rng);
      String[] egress = (String[]) op.state;
      return SimContext.request(op.account, t, egress[rng.nextInt(egress.length)], op.userAgent, SimContext.CHAT,
          cc.model(), SimContext.messages(null, user), SamplingStyles.params(0.7, null, null, 2048, null, null,
              null), false, (int) (ctx.traces().sampleChatOutputTokens(rng) * 1.3), true);
    }

    @Override
    protected long nextTime(Op op, long t) {
      return t + Campaigns.exp(rng, op.template);
    }
  }
}
