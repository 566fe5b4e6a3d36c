package io.distillguard.sim.campaign;

import io.distillguard.sim.data.Prompt;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prompts a campaign wants answered ("tasks"), in the order it will send them. A task is a dataset prompt plus
 * a variant number whose meaning is the strategy's (target language, template, ...). Built once per campaign.
 */
public final class PromptSet {
  private final Prompt[] prompts;
  private final int[] variants;

  PromptSet(List<Prompt> prompts, List<Integer> variants) {
    this.prompts = prompts.toArray(new Prompt[0]);
    this.variants = new int[prompts.size()];
    for (int i = 0; i < this.variants.length; i++) {
      this.variants[i] = variants == null ? 0 : variants.get(i);
    }
  }

  public int size() {
    return prompts.length;
  }

  public Prompt prompt(int task) {
    return prompts[task];
  }

  public int variant(int task) {
    return variants[task];
  }

  /** A builder that collects tasks, shuffles them and caps the size. */
  static final class Builder {
    final List<Prompt> prompts = new ArrayList<>();
    final List<Integer> variants = new ArrayList<>();

    Builder add(Prompt p, int variant) {
      prompts.add(p);
      variants.add(variant);
      return this;
    }

    int size() {
      return prompts.size();
    }

    /** Fisher-Yates shuffle (deterministic from rng), then the first {@code cap} (0 = all). */
    PromptSet shuffled(SplittableRandom rng, int cap) {
      for (int i = prompts.size() - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        Prompt p = prompts.get(i);
        prompts.set(i, prompts.get(j));
        prompts.set(j, p);
        Integer v = variants.get(i);
        variants.set(i, variants.get(j));
        variants.set(j, v);
      }
      return capped(cap);
    }

    PromptSet capped(int cap) {
      int n = cap > 0 ? Math.min(cap, prompts.size()) : prompts.size();
      return new PromptSet(prompts.subList(0, n), variants.subList(0, n));
    }
  }
}
