package io.distillguard.sim.campaign;

import io.distillguard.sim.data.Prompt;
import io.distillguard.sim.data.PromptPool;
import io.distillguard.sim.population.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Helpers shared by the strategies. */
final class Campaigns {
  private Campaigns() {}

  static final String FLAN_TEMPLATES = "flan-v2-templates";
  static final String ALPACA_SEED = "stanford-alpaca-seed";

  /** Language code to English name and native name. */
  static final String[][] LANGUAGES = {{"en", "English", "English"}, {"es", "Spanish", "Español"},
      {"fr", "French", "Français"}, {"de", "German", "Deutsch"}, {"ru", "Russian", "Русский"},
      {"ja", "Japanese", "日本語"}, {"zh", "Chinese", "中文"}, {"bn", "Bengali", "বাংলা"}, {"sw", "Swahili", "Kiswahili"},
      {"te", "Telugu", "తెలుగు"}, {"th", "Thai", "ไทย"}, {"ko", "Korean", "한국어"}, {"pt", "Portuguese", "Português"},
      {"it", "Italian", "Italiano"}, {"ar", "Arabic", "العربية"}, {"hi", "Hindi", "हिन्दी"}, {"tr", "Turkish", "Türkçe"},
      {"vi", "Vietnamese", "Tiếng Việt"}, {"id", "Indonesian", "Bahasa Indonesia"}, {"pl", "Polish", "Polski"}};

  static String[] language(String code) {
    for (String[] l : LANGUAGES) {
      if (l[0].equals(code)) {
        return l;
      }
    }
    throw new IllegalArgumentException("unknown language '" + code + "'");
  }

  /**
   * Prompts of every content pool (template datasets excluded), optionally English only, without duplicates across
   * pools (stanford-alpaca-seed repeats self-instruct's seed tasks).
   */
  static List<Prompt> content(CampaignContext cc, boolean englishOnly) {
    List<Prompt> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (PromptPool pool : cc.pools()) {
      if (pool.name().equals(FLAN_TEMPLATES)) {
        continue;
      }
      for (Prompt p : pool.prompts()) {
        if ((!englishOnly || p.lang().equals("en")) && seen.add(p.lang() + "\u0000" + p.full())) {
          out.add(p);
        }
      }
    }
    if (out.isEmpty()) {
      // Only a template dataset was named: fill its templates with instruction prompts.
      PromptPool fallback = cc.sim().data().pool(cc.sim().allows("self-instruct") ? "self-instruct"
          : cc.sim().benignPools().get(0).name());
      out.addAll(fallback.prompts());
    }
    return out;
  }

  /** Every content prompt once, shuffled, capped at the spec's {@code prompts}. */
  static PromptSet simpleTasks(CampaignContext cc, boolean englishOnly) {
    PromptSet.Builder b = new PromptSet.Builder();
    for (Prompt p : content(cc, englishOnly)) {
      b.add(p, 0);
    }
    return b.shuffled(cc.rng().split(), cc.spec().prompts());
  }

  /** FLAN wrappers when the campaign harvests with flan-v2-templates, else empty. */
  static List<TemplateBank.Entry> flanWrappers(CampaignContext cc) {
    PromptPool flan = cc.pool(FLAN_TEMPLATES);
    return flan == null ? List.of() : TemplateBank.flan(flan);
  }

  /**
   * Alpaca-style mass-generation prompts: the generation prompt followed by three seed tasks, as the Alpaca
   * pipeline sent them. Only when the campaign harvests with stanford-alpaca-seed.
   */
  static List<Prompt> generationPrompts(CampaignContext cc, int count, SplittableRandom rng) {
    PromptPool seeds = cc.pool(ALPACA_SEED);
    List<Prompt> out = new ArrayList<>();
    if (seeds == null || count <= 0) {
      return out;
    }
    String head = cc.sim().data().alpacaGenerationPrompt();
    for (int i = 0; i < count; i++) {
      StringBuilder sb = new StringBuilder(head.length() + 600).append(head).append("\n");
      for (int k = 1; k <= 3; k++) {
        Prompt s = seeds.get(rng.nextInt(seeds.size()));
        sb.append("###\n").append(k).append(". Instruction: ").append(s.text()).append('\n').append(k)
            .append(". Input:\n").append(s.input().isEmpty() ? "<noinput>" : s.input()).append('\n').append(k)
            .append(". Output:\n").append(s.answer()).append('\n');
      }
      sb.append("###\n4. Instruction:");
      out.add(new Prompt("alpaca-generation:" + i, sb.toString(), null, null, null, "en", GENERATION));
    }
    return out;
  }

  static final String GENERATION = "alpaca-generation";

  /** A gap around {@code meanMillis} with +-{@code spread} uniform jitter. */
  static long jittered(SplittableRandom rng, double meanMillis, double spread) {
    return (long) Math.max(1, meanMillis * (1 - spread + 2 * spread * rng.nextDouble()));
  }

  static long exp(SplittableRandom rng, double meanMillis) {
    return (long) Math.max(1, Seeds.exp(rng, meanMillis));
  }
}
