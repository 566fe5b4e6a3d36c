package io.distillguard.sim.campaign;

import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reasoning-trace harvest: math and chain-of-thought problems wrapped in chain-of-thought elicitation ("explain step
 * by step", "show your reasoning before the answer"), JSON with a "reasoning" field, and rubric/grader prompts that
 * use the model as a judge of candidate answers (the dataset's reference solutions, or answers the model itself gave
 * earlier). Long max_tokens, sometimes several samples per prompt.
 */
public final class ReasoningHarvestStrategy implements CampaignStrategy {
  static final int COT = 0;
  static final int JSON = 1;
  static final int GRADER = 2;

  @Override
  public String name() {
    return "reasoning-harvest";
  }

  @Override
  public String description() {
    return "chain-of-thought elicitation, JSON reasoning fields, and grader/rubric prompts over math and CoT sets";
  }

  @Override
  public Map<String, ParamType> params() {
    Map<String, ParamType> m = new LinkedHashMap<>();
    m.put("rate", ParamType.RATE);
    m.put("cot_share", ParamType.FRACTION);
    m.put("json_share", ParamType.FRACTION);
    m.put("grader_share", ParamType.FRACTION);
    m.put("samples", ParamType.INT);
    m.put("max_tokens", ParamType.INT);
    m.put("temperature", ParamType.NUMBER);
    return m;
  }

  @Override
  public int defaultAccounts() {
    return 6;
  }

  @Override
  public List<String> defaultDatasets(Split split) {
    return split == Split.TUNING ? List.of("gsm8k", "flan-v2-cot")
        : List.of("mgsm", "code-alpaca-2k", "t0-templates-sample");
  }

  @Override
  public CampaignActor create(CampaignContext cc) {
    return new Actor(cc);
  }

  static final class Actor extends CampaignActor {
    private final double gapMs;
    private final List<TemplateBank.Entry> cot;
    private final List<TemplateBank.Entry> json;
    private final List<TemplateBank.Entry> grader;
    private final SamplingParams params;
    private final String[] recentAnswers = new String[16];
    private int recent;
    private final IpSpace.Subnet subnet;
    private final String[] cards;

    Actor(CampaignContext cc) {
      super(cc, tasks(cc), false);
      var p = cc.params();
      gapMs = 1000.0 / p.rate("rate", 6 / 60.0);
      cot = TemplateBank.get("cot", cc.templates());
      json = TemplateBank.get("json-reasoning", cc.templates());
      grader = TemplateBank.get("grader", cc.templates());
      int samples = Math.max(1, p.integer("samples", 1));
      params = SamplingStyles.params(p.number("temperature", 0.8), null, samples > 1 ? samples : null,
          p.integer("max_tokens", 4096), null, null, null);
      subnet = IpSpace.hosting(rng);
      cards = new String[] {AccountFactory.card(rng), AccountFactory.card(rng)};
      for (int i = 0; i < cc.accounts(); i++) {
        long created = cc.startMillis() - (long) ((1 + rng.nextDouble() * 20) * 86_400_000L);
        Op op = openAccount(i, created);
        add(op, cc.startMillis() + rng.nextInt(1_800_000));
      }
    }

    static PromptSet tasks(CampaignContext cc) {
      var p = cc.params();
      double c = p.number("cot_share", 0.5);
      double j = p.number("json_share", 0.2);
      double g = p.number("grader_share", 0.3);
      double[] cum = Seeds.cumulative(c, j, g);
      if (cum[2] <= 0) {
        cum = Seeds.cumulative(1, 0, 0);
      }
      java.util.SplittableRandom r = cc.rng().split();
      PromptSet.Builder b = new PromptSet.Builder();
      for (Prompt q : Campaigns.content(cc, true)) {
        b.add(q, Seeds.pick(cum, r));
      }
      return b.shuffled(r, cc.spec().prompts());
    }

    @Override
    protected Op openAccount(int index, long createdAt) {
      Geo.Country c = Geo.pick(rng);
      Op op = new Op(account(Names.person(rng), attrs(cards[index % cards.length], subnet.random(rng),
          Geo.freeMail(c, rng), Geo.iso(c), "default"), createdAt), index);
      op.ip = subnet.random(rng);
      op.userAgent = rng.nextBoolean() ? ClientSoftware.HTTPX : ClientSoftware.PY_ASYNC;
      return op;
    }

    @Override
    protected SimRequest compose(Op op, int task, long t) {
      Prompt p = tasks.prompt(task);
      int mode = tasks.variant(task);
      List<TemplateBank.Entry> bank = mode == COT ? cot : mode == JSON ? json : grader;
      TemplateBank.Entry e = bank.get(rng.nextInt(bank.size()));
      fill(p);
      if (mode == GRADER) {
        String candidate = p.answer();
        if ((candidate.isEmpty() || rng.nextBoolean()) && recent > 0) {
          candidate = recentAnswers[rng.nextInt(Math.min(recent, recentAnswers.length))];
        }
        fill.set(Template.CANDIDATE, candidate.isEmpty() ? "The answer is 42." : candidate);
      }
      String user = e.user().render(fill, rng);
      String system = e.system() == null ? null : e.system().render(fill, rng);
      int expected = (int) Math.min(params.maxTokens(), ctx.traces().sampleChatOutputTokens(rng) * 2.5);
      return SimContext.request(op.account, t, op.ip, op.userAgent, SimContext.CHAT, cc.model(),
          SimContext.messages(system, user), params, false, expected, true);
    }

    @Override
    protected void onServed(Op op, int task, SimRequest request, SimResult result) {
      String text = result.responseText();
      if (text != null && !text.isEmpty() && tasks.variant(task) != GRADER) {
        recentAnswers[recent++ % recentAnswers.length] = text.length() > 2000 ? text.substring(0, 2000) : text;
      }
    }

    @Override
    protected long nextTime(Op op, long t) {
      return t + Campaigns.jittered(rng, gapMs, 0.5);
    }
  }
}
