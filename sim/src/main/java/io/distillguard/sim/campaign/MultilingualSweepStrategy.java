package io.distillguard.sim.campaign;

import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import io.distillguard.sim.data.Split;
import io.distillguard.sim.population.AccountFactory;
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
import java.util.SplittableRandom;

/**
 * Multilingual sweep: the same problems asked in many languages, one problem after another in every language. With
 * mgsm (holdout) the problems are its human translations; with English sets (gsm8k, flan-v2-cot: tuning) a wrapper
 * in the target language asks for an answer in that language. A share of tasks use translate-style wrappers
 * ("translate this problem into X, then solve it in X"), as do languages a translated set lacks.
 */
public final class MultilingualSweepStrategy implements CampaignStrategy {
  static final int TRANSLATE = 1000;
  static final List<String> DEFAULT_LANGUAGES = List.of("en", "es", "fr", "de", "ru", "ja", "zh");

  @Override
  public String name() {
    return "multilingual-sweep";
  }

  @Override
  public String description() {
    return "the same tasks swept across many languages, native and translate-style";
  }

  @Override
  public Map<String, ParamType> params() {
    Map<String, ParamType> m = new LinkedHashMap<>();
    m.put("languages", ParamType.STRINGS);
    m.put("rate", ParamType.RATE);
    m.put("translate_share", ParamType.FRACTION);
    m.put("problems", ParamType.INT);
    return m;
  }

  @Override
  public int defaultAccounts() {
    return 8;
  }

  @Override
  public void check(io.distillguard.sim.scenario.Params params) {
    List<String> langs = params.strings("languages", DEFAULT_LANGUAGES);
    if (langs.isEmpty()) {
      throw new IllegalArgumentException("languages: at least one language");
    }
    for (String l : langs) {
      try {
        Campaigns.language(l);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("languages: " + e.getMessage() + " (known: "
            + java.util.Arrays.stream(Campaigns.LANGUAGES).map(x -> x[0]).toList() + ")");
      }
    }
  }

  @Override
  public List<String> defaultDatasets(Split split) {
    return split == Split.TUNING ? List.of("gsm8k", "flan-v2-cot") : List.of("mgsm");
  }

  @Override
  public CampaignActor create(CampaignContext cc) {
    return new Actor(cc);
  }

  static final class Actor extends CampaignActor {
    private final List<String> languages;
    private final double gapMs;
    private final List<TemplateBank.Entry> translate;
    private final IpSpace.Subnet subnet;
    private final SamplingParams params = SamplingStyles.params(0.7, null, null, 2048, null, null, null);

    Actor(CampaignContext cc) {
      super(cc, tasks(cc), false);
      languages = cc.params().strings("languages", DEFAULT_LANGUAGES);
      gapMs = 1000.0 / cc.params().rate("rate", 4 / 60.0);
      translate = TemplateBank.get("translate", cc.templates());
      subnet = IpSpace.hosting(rng);
      for (int i = 0; i < cc.accounts(); i++) {
        long created = cc.startMillis() - (long) ((1 + rng.nextDouble() * 30) * 86_400_000L);
        Op op = openAccount(i, created);
        add(op, cc.startMillis() + rng.nextInt(1_800_000));
      }
    }

    static PromptSet tasks(CampaignContext cc) {
      List<String> langs = cc.params().strings("languages", DEFAULT_LANGUAGES);
      for (String l : langs) {
        Campaigns.language(l); // validates
      }
      double translateShare = cc.params().number("translate_share", 0.25);
      SplittableRandom r = cc.rng().split();
      // Problems: each a map language -> prompt (translated sets) or just English.
      List<Map<String, Prompt>> problems = new ArrayList<>();
      for (PromptPool pool : cc.pools()) {
        if (pool.name().equals(Campaigns.FLAN_TEMPLATES)) {
          continue;
        }
        Map<String, Map<String, Prompt>> byGroup = new LinkedHashMap<>();
        boolean translated = pool.byLanguage().size() > 1;
        for (Prompt p : pool.prompts()) {
          String key = translated ? p.group() : p.id();
          byGroup.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(p.lang(), p);
        }
        problems.addAll(byGroup.values());
      }
      for (int i = problems.size() - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        Map<String, Prompt> x = problems.get(i);
        problems.set(i, problems.get(j));
        problems.set(j, x);
      }
      int cap = cc.params().integer("problems", 0);
      if (cap > 0 && cap < problems.size()) {
        problems = problems.subList(0, cap);
      }
      PromptSet.Builder b = new PromptSet.Builder();
      for (Map<String, Prompt> problem : problems) {
        Prompt english = problem.containsKey("en") ? problem.get("en") : problem.values().iterator().next();
        boolean translatedSet = problem.size() > 1;
        for (int li = 0; li < langs.size(); li++) {
          String lang = langs.get(li);
          if (translatedSet) {
            Prompt nat = problem.get(lang);
            b.add(nat != null ? nat : english, nat != null ? li : li + TRANSLATE);
          } else if (lang.equals(english.lang())) {
            b.add(english, li);
          } else {
            b.add(english, r.nextDouble() < translateShare ? li + TRANSLATE : li);
          }
        }
      }
      return b.capped(cc.spec().prompts());
    }

    @Override
    protected Op openAccount(int index, long createdAt) {
      Geo.Country c = Geo.pick(rng);
      Op op = new Op(account(Names.person(rng), attrs(AccountFactory.card(rng), subnet.random(rng),
          Geo.freeMail(c, rng), Geo.iso(c), "default"), createdAt), index);
      op.ip = subnet.random(rng);
      op.userAgent = ClientSoftware.PY_SDK;
      return op;
    }

    @Override
    protected SimRequest compose(Op op, int task, long t) {
      Prompt p = tasks.prompt(task);
      int v = tasks.variant(task);
      boolean tr = v >= TRANSLATE;
      String code = languages.get(tr ? v - TRANSLATE : v);
      String[] lang = Campaigns.language(code);
      fill(p).set(Template.LANGUAGE, lang[1]).set(Template.LANGUAGE_NATIVE, lang[2]);
      List<TemplateBank.Entry> bank = tr ? translate : TemplateBank.language(code, cc.templates());
      TemplateBank.Entry e = bank.get(rng.nextInt(bank.size()));
      String user = e.user().render(fill, rng);
      return SimContext.request(op.account, t, op.ip, op.userAgent, SimContext.CHAT, cc.model(),
          SimContext.messages(null, user), params, false, (int) (ctx.traces().sampleChatOutputTokens(rng) * 1.8),
          true);
    }

    @Override
    protected long nextTime(Op op, long t) {
      return t + Campaigns.jittered(rng, gapMs, 0.4);
    }
  }
}
