package io.distillguard.sim.population;

import io.distillguard.core.SamplingParams;
import java.util.SplittableRandom;

/**
 * Sampling parameters as clients really send them: most send none, some a temperature or max_tokens, very few
 * n > 1, a seed or logprobs. An account keeps its style (it is in the client's code) and deviates now and then.
 */
public final class SamplingStyles {
  private SamplingStyles() {}

  public static SamplingParams params(Double temperature, Double topP, Integer n, Integer maxTokens,
      Boolean logprobs, Integer topLogprobs, Long seed) {
    return new SamplingParams(temperature, topP, n, maxTokens, logprobs, topLogprobs, seed, 0);
  }

  static final SamplingParams[] BENIGN = {
      SamplingParams.NONE,
      params(0.7, null, null, null, null, null, null),
      params(0.2, null, null, null, null, null, null),
      params(1.0, null, null, null, null, null, null),
      params(0.0, null, null, null, null, null, null),
      params(null, null, null, 1024, null, null, null),
      params(null, null, null, 512, null, null, null),
      params(0.7, null, null, 2048, null, null, null),
      params(null, null, null, 256, null, null, null),
      params(0.5, 0.9, null, null, null, null, null),
      params(0.8, null, 2, null, null, null, null),
      params(0.0, null, null, null, null, null, 42L),
      params(null, null, null, null, true, 3, null),
  };
  static final double[] BENIGN_CUM = Seeds.cumulative(62, 9, 5, 3, 4, 5, 3, 3, 2, 2, 0.6, 0.7, 0.3);

  /** An account's habitual sampling parameters. */
  public static SamplingParams benign(SplittableRandom rng) {
    return BENIGN[Seeds.pick(BENIGN_CUM, rng)];
  }

  public static final SamplingParams TEMP_0 = params(0.0, null, null, null, null, null, null);
  public static final SamplingParams EVAL = params(0.0, null, null, 1024, null, null, null);
  public static final SamplingParams EVAL_SEEDED = params(0.0, null, null, 1024, null, null, 1234L);
  public static final SamplingParams EVAL_PASS_AT_K = params(0.8, 0.95, 5, 1024, null, null, null);
  public static final SamplingParams PRODUCT = params(0.3, null, null, 512, null, null, null);
  public static final SamplingParams PRODUCT_CODE = params(0.2, null, null, 256, null, null, null);
}
