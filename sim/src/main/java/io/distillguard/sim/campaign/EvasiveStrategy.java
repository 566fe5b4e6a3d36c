package io.distillguard.sim.campaign;

import io.distillguard.core.SamplingParams;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evasive harvesting: aged accounts with separate identities that look like people. Prompts go out in paraphrased
 * templates (many wordings, synonym swaps, FLAN templates when harvested), in human-like sessions (a few requests
 * with think times from the trace fit, in the account's daytime, randomized), each session from a different
 * residential proxy exit in the account's country, with the account's habitual client and sampling parameters;
 * every account also sends benign cover traffic (real conversations, {@code attack = false}). Dead accounts are
 * replaced within a budget.
 */
public final class EvasiveStrategy implements CampaignStrategy {
  @Override
  public String name() {
    return "evasive";
  }

  @Override
  public String description() {
    return "paraphrased templates, human-like sessions and timing, residential proxies, benign cover traffic";
  }

  @Override
  public Map<String, ParamType> params() {
    Map<String, ParamType> m = new LinkedHashMap<>();
    m.put("requests_per_day", ParamType.NUMBER);
    m.put("session_turns", ParamType.NUMBER);
    m.put("cover_share", ParamType.FRACTION);
    m.put("replacement_delay", ParamType.DURATION);
    return m;
  }

  @Override
  public int defaultAccounts() {
    return 25;
  }

  @Override
  public int defaultReplacements(int accounts) {
    return Math.max(2, accounts / 2);
  }

  @Override
  public List<String> defaultDatasets(Split split) {
    return split == Split.TUNING ? List.of("self-instruct", "gsm8k", "flan-v2-cot", "flan-v2-templates")
        : List.of("t0-templates-sample", "code-alpaca-2k", "mgsm");
  }

  @Override
  public CampaignActor create(CampaignContext cc) {
    return new Actor(cc);
  }

  /** Per-account session state. */
  static final class Session {
    Geo.Country country;
    int turnsLeft;
    String ip;
    SamplingParams params;
    double streamShare;
    double peakSessionsPerMs;
  }

  static final class Actor extends CampaignActor {
    private final List<TemplateBank.Entry> bank = new ArrayList<>();
    private final double perDay;
    private final double sessionTurns;
    private final double coverShare;
    private final long replacementDelay;

    Actor(CampaignContext cc) {
      super(cc, Campaigns.simpleTasks(cc, false), false);
      var p = cc.params();
      bank.addAll(TemplateBank.get("evasive", cc.templates()));
      bank.addAll(Campaigns.flanWrappers(cc));
      perDay = p.number("requests_per_day", 30);
      sessionTurns = Math.max(1, p.number("session_turns", 4));
      coverShare = Math.min(0.95, p.number("cover_share", 0.35));
      replacementDelay = p.duration("replacement_delay", Duration.ofHours(6)).toMillis();
      for (int i = 0; i < cc.accounts(); i++) {
        long created = cc.startMillis() - (long) ((14 + rng.nextDouble() * 120) * 86_400_000L);
        Op op = openAccount(i, created);
        add(op, nextTime(op, cc.startMillis()));
      }
    }

    @Override
    protected long replacementDelayMillis() {
      return replacementDelay + rng.nextInt((int) Math.min(Integer.MAX_VALUE, Math.max(1, replacementDelay)));
    }

    @Override
    protected Op openAccount(int index, long createdAt) {
      Geo.Country c = Geo.pick(rng);
      String home = IpSpace.residential(c, rng);
      boolean free = rng.nextDouble() < 0.3;
      String ua = ClientSoftware.benign(rng);
      Op op = new Op(account(Names.person(rng), attrs(free ? null : AccountFactory.card(rng), home,
          Geo.freeMail(c, rng), Geo.iso(c), free ? "free" : "default"), createdAt), index);
      op.ip = home;
      op.userAgent = ua;
      op.utcOffsetMinutes = c.utcOffsetMinutes();
      op.rhythm = rng.nextBoolean() ? Rhythm.MIXED : Rhythm.PERSONAL;
      Session s = new Session();
      s.country = c;
      s.params = SamplingStyles.benign(rng);
      s.streamShare = ClientSoftware.streamShare(ua);
      double sessionsPerDay = perDay / sessionTurns;
      s.peakSessionsPerMs = sessionsPerDay / 86_400_000.0 / op.rhythm.mean();
      op.state = s;
      if (coverShare > 0) {
        Persona persona = new Persona();
        persona.account = op.account;
        persona.ip = home;
        persona.mobileIp = IpSpace.residential(c, rng);
        persona.userAgent = ua;
        persona.utcOffsetMinutes = op.utcOffsetMinutes;
        persona.rhythm = op.rhythm;
        persona.requestsPerDay = perDay * coverShare / (1 - coverShare);
        persona.model = rng.nextDouble() < 0.7 ? cc.model() : ctx.pickModel(rng);
        persona.params = s.params;
        persona.streamShare = s.streamShare;
        persona.activeFrom = Math.max(cc.startMillis(), createdAt);
        persona.activeUntil = cc.endMillis();
        addCompanion(new BenignUser(ctx, persona, Seeds.rng(ctx.seed(), "evasive-cover:" + cc.id(), index)));
      }
      return op;
    }

    @Override
    protected SimRequest compose(Op op, int task, long t) {
      Session s = (Session) op.state;
      if (s.turnsLeft <= 0) {
        s.turnsLeft = 1 + Seeds.geometric(rng, 1 - 1 / sessionTurns);
        s.ip = IpSpace.residential(s.country, rng);
      }
      s.turnsLeft--;
      Prompt p = tasks.prompt(task);
      TemplateBank.Entry e = bank.get(rng.nextInt(bank.size()));
      String user = e.user().render(fill(p), rng);
      SamplingParams params = rng.nextDouble() < 0.9 ? s.params : SamplingStyles.benign(rng);
      return SimContext.request(op.account, t, s.ip, op.userAgent, SimContext.CHAT, cc.model(),
          SimContext.messages(null, user), params, rng.nextDouble() < s.streamShare,
          ctx.traces().sampleChatOutputTokens(rng), true);
    }

    @Override
    protected long nextTime(Op op, long t) {
      Session s = (Session) op.state;
      if (s.turnsLeft > 0) {
        long think = (long) (1000 * Math.max(5, Math.min(3600, ctx.traces().sampleThinkSeconds(rng))));
        return t + think;
      }
      double x = t + 60_000;
      while (true) {
        x += Seeds.exp(rng, 1 / s.peakSessionsPerMs);
        if (x >= cc.endMillis()) {
          return NONE;
        }
        if (rng.nextDouble() < op.rhythm.intensity((long) x, op.utcOffsetMinutes)) {
          return (long) x;
        }
      }
    }

    @Override
    protected long firstSend(Op op, long createdAt) {
      return nextTime(op, createdAt + 3_600_000);
    }
  }
}
