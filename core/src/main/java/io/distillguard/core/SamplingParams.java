package io.distillguard.core;

/**
 * The sampling parameters of a request, as far as they matter to detection (harvest-friendly settings such as
 * {@code n > 1}, logprobs, maximal {@code max_tokens}, a fixed seed, temperature sweeps). Absent values are null.
 *
 * @param tools number of tool definitions in the request, 0 when none
 */
public record SamplingParams(
    Double temperature,
    Double topP,
    Integer n,
    Integer maxTokens,
    Boolean logprobs,
    Integer topLogprobs,
    Long seed,
    int tools) {

  public static final SamplingParams NONE = new SamplingParams(null, null, null, null, null, null, null, 0);
}
