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
import io.distillguard.sim.population.SamplingStyles;
import io.distillguard.sim.population.Seeds;
import io.distillguard.sim.population.SimContext;
import io.distillguard.sim.scenario.ParamType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hydra cluster: hundreds of accounts opened in batches (bursts of sign-ups), a fraction sharing payment cards or
 * a sign-up pattern (one throwaway email domain, sign-up addresses in the operator's subnets), the rest fresh; the
 * prompt set sharded so each account asks a disjoint slice; all accounts fire on a shared clock (every account's
 * requests fall on ticks of one scheduler, a few seconds of jitter) with a per-account volume like a median benign
 * account's; client addresses rotate through a few rented /24 subnets. Dead accounts are replaced (budget) and
 * the replacement takes over the dead account's slice.
 */
public final class HydraStrategy implements CampaignStrategy {
  @Override
  public String name() {
    return "hydra";
  }

  @Override
  public String description() {
    return "many coordinated accounts: batches, shared cards, sharded prompts, synchronized clock, rotating IPs";
  }

  @Override
  public Map<String, ParamType> params() {
    Map<String, ParamType> m = new LinkedHashMap<>();
    m.put("batch_size", ParamType.INT);
    m.put("batch_interval", ParamType.DURATION);
    m.put("batch_window", ParamType.DURATION);
    m.put("shared_payment", ParamType.FRACTION);
    m.put("payment_cards", ParamType.INT);
    m.put("shared_signup", ParamType.FRACTION);
    m.put("free_tier", ParamType.FRACTION);
    m.put("subnets", ParamType.INT);
    m.put("tick", ParamType.DURATION);
    m.put("per_account_per_day", ParamType.NUMBER);
    m.put("jitter", ParamType.DURATION);
    m.put("rotate_ip", ParamType.BOOL);
    m.put("replacement_delay", ParamType.DURATION);
    return m;
  }

  @Override
  public int defaultAccounts() {
    return 200;
  }

  @Override
  public int defaultReplacements(int accounts) {
    return Math.max(1, accounts / 5);
  }

  @Override
  public List<String> defaultDatasets(Split split) {
    return split == Split.TUNING ? List.of("self-instruct", "gsm8k", "flan-v2-cot", "stanford-alpaca-seed")
        : List.of("t0-templates-sample", "code-alpaca-2k", "mgsm");
  }

  @Override
  public CampaignActor create(CampaignContext cc) {
    return new Actor(cc);
  }

  /** The operator's sign-up pattern and infrastructure. */
  public static final class Actor extends CampaignActor {
    private final List<IpSpace.Subnet> subnets = new ArrayList<>();
    private final String[] cards;
    private final String throwawayDomain;
    private final Geo.Country homeCountry;
    private final String operatorUa;
    private final double sharedPayment;
    private final double sharedSignup;
    private final double freeTier;
    private final boolean rotate;
    private final long tickMs;
    private final long jitterMs;
    private final int period;
    private final long replacementDelay;
    private final List<TemplateBank.Entry> bank;
    private final int template;
    private final IntQueue[] shards;

    Actor(CampaignContext cc) {
      super(cc, Campaigns.simpleTasks(cc, false), true);
      var p = cc.params();
      int nSubnets = Math.max(1, p.integer("subnets", 4));
      for (int i = 0; i < nSubnets; i++) {
        subnets.add(IpSpace.hosting(rng));
      }
      cards = new String[Math.max(1, p.integer("payment_cards", 3))];
      for (int i = 0; i < cards.length; i++) {
        cards[i] = AccountFactory.card(rng);
      }
      throwawayDomain = "mail" + Seeds.hex(rng.nextLong(), 5) + (rng.nextBoolean() ? ".xyz" : ".top");
      homeCountry = Geo.pick(rng);
      operatorUa = rng.nextBoolean() ? ClientSoftware.HTTPX : ClientSoftware.AIOHTTP;
      sharedPayment = p.number("shared_payment", 0.4);
      sharedSignup = p.number("shared_signup", 0.5);
      freeTier = p.number("free_tier", 0.3);
      rotate = p.bool("rotate_ip", true);
      tickMs = Math.max(1000, p.duration("tick", Duration.ofMinutes(15)).toMillis());
      jitterMs = p.duration("jitter", Duration.ofSeconds(3)).toMillis();
      double perDay = Math.max(0.01, p.number("per_account_per_day", 8));
      period = (int) Math.max(1, Math.round(86_400_000.0 / tickMs / perDay));
      replacementDelay = p.duration("replacement_delay", Duration.ofHours(2)).toMillis();
      bank = TemplateBank.get("hydra", cc.templates());
      template = rng.nextInt(bank.size());
      int n = cc.accounts();
      shards = shards(n);
      int batchSize = Math.max(1, p.integer("batch_size", 25));
      long batchInterval = p.duration("batch_interval", Duration.ofHours(6)).toMillis();
      long batchWindow = p.duration("batch_window", Duration.ofMinutes(10)).toMillis();
      for (int i = 0; i < n; i++) {
        int batch = i / batchSize;
        long created = cc.startMillis() + batch * batchInterval + (long) (rng.nextDouble() * batchWindow);
        Op op = openAccount(i, created);
        op.shard = shards[i];
        add(op, firstSend(op, created));
      }
    }

    /** The operator's subnets (client addresses rotate within them). */
    public List<IpSpace.Subnet> subnets() {
      return subnets;
    }

    /** Ticks between two requests of one account. */
    public int period() {
      return period;
    }

    public long tickMillis() {
      return tickMs;
    }

    @Override
    protected long replacementDelayMillis() {
      return replacementDelay;
    }

    @Override
    protected Op openAccount(int index, long createdAt) {
      boolean sloppy = rng.nextDouble() < sharedSignup;
      boolean free = rng.nextDouble() < freeTier;
      String card = free ? null : rng.nextDouble() < sharedPayment ? cards[rng.nextInt(cards.length)]
          : AccountFactory.card(rng);
      Geo.Country c = sloppy ? homeCountry : Geo.pick(rng);
      String signupIp = sloppy ? subnets.get(rng.nextInt(subnets.size())).random(rng) : IpSpace.residentialAnywhere(rng);
      String domain = sloppy ? throwawayDomain : Geo.freeMail(c, rng);
      String name = sloppy ? "user" + (1000 + rng.nextInt(9000)) : Names.person(rng);
      Op op = new Op(account(name, attrs(card, signupIp, domain, Geo.iso(c), free ? "free" : "default"), createdAt),
          index);
      op.ip = subnets.get(index % subnets.size()).random(rng);
      op.userAgent = sloppy ? operatorUa : rng.nextBoolean() ? ClientSoftware.PY_SDK : ClientSoftware.JS_SDK;
      op.utcOffsetMinutes = c.utcOffsetMinutes();
      op.state = SamplingParams.NONE;
      return op;
    }

    @Override
    protected SimRequest compose(Op op, int task, long t) {
      Prompt p = tasks.prompt(task);
      TemplateBank.Entry e = bank.get(template);
      String user = e.user().render(fill(p), rng);
      String ip = rotate ? subnets.get(rng.nextInt(subnets.size())).random(rng) : op.ip;
      return SimContext.request(op.account, t, ip, op.userAgent, SimContext.CHAT, cc.model(),
          SimContext.messages(null, user), SamplingStyles.params(0.7, null, null, 2048, null, null, null), false,
          (int) (ctx.traces().sampleChatOutputTokens(rng) * 1.3), true);
    }

    /** Next tick after {@code t} on which this account fires, plus jitter. */
    @Override
    protected long nextTime(Op op, long t) {
      long k = Math.floorDiv(t - cc.startMillis(), tickMs) + 1;
      int phase = op.index % period;
      long r = Math.floorMod(k + phase, period);
      if (r != 0) {
        k += period - r;
      }
      return cc.startMillis() + k * tickMs + (jitterMs > 0 ? rng.nextLong(jitterMs) : 0);
    }

    @Override
    protected long firstSend(Op op, long createdAt) {
      return nextTime(op, createdAt + 300_000 + rng.nextInt(3_300_000));
    }
  }
}
