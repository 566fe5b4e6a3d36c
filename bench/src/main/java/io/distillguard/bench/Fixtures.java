package io.distillguard.bench;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.gateway.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Request and response bodies shared by the load test and the JMH benchmarks. */
final class Fixtures {
  private Fixtures() {}

  /** The answer of the builtin upstream in fixed-response mode (the same text nginx returns in the peer run). */
  static final String FIXED_ANSWER = "Paris is the capital of France.";

  /** The small chat completion of the load test (same shape as the peer script's wrk body). */
  static final String SMALL_CHAT =
      "{\"model\":\"builtin-small\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";

  /** A typical ~1 KB chat completion request: system prompt, a short conversation, sampling parameters. */
  static final String CHAT_1KB = "{\"model\":\"builtin-small\",\"messages\":["
      + "{\"role\":\"system\",\"content\":\"You are a helpful assistant for a travel company. Answer briefly and "
      + "accurately, cite the country when you name a city, and never invent opening hours or prices. If you are "
      + "not sure, say so and suggest where the traveller can check.\"},"
      + "{\"role\":\"user\",\"content\":\"I am planning a week in France in late September. Which cities would "
      + "you suggest for someone who likes museums, good food and walking, and who does not want to rent a car?\"},"
      + "{\"role\":\"assistant\",\"content\":\"Paris (France) for the museums, Lyon (France) for the food, and "
      + "Strasbourg (France) for walking; all three are connected by fast trains, so you will not need a car.\"},"
      + "{\"role\":\"user\",\"content\":\"Great. How many nights would you spend in each, and what is the "
      + "capital of France, just to be sure?\"}],"
      + "\"temperature\":0.7,\"top_p\":0.95,\"max_tokens\":256,\"n\":1,\"seed\":42,\"user\":\"user-1234\"}";

  /** What an OpenAI-compatible server answers to a non-streaming chat completion. */
  static final String CHAT_RESPONSE = "{\"id\":\"chatcmpl-9x1\",\"object\":\"chat.completion\",\"created\":1767225600,"
      + "\"model\":\"builtin-small\",\"system_fingerprint\":\"fp_builtin\",\"choices\":[{\"index\":0,\"message\":"
      + "{\"role\":\"assistant\",\"content\":\"" + FIXED_ANSWER + "\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":7,\"total_tokens\":15}}";

  /** A streamed chat completion as a model server sends it: one event per token, a usage chunk, [DONE]. */
  static byte[] chatStream(int tokens) {
    StringBuilder sb = new StringBuilder();
    String head = "data: {\"id\":\"chatcmpl-9x1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,"
        + "\"model\":\"builtin-small\",\"system_fingerprint\":\"fp_builtin\",\"choices\":[{\"index\":0,\"delta\":";
    sb.append(head).append("{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
    for (int i = 0; i < tokens; i++) {
      sb.append(head).append("{\"content\":\" word").append(i).append("\"},\"finish_reason\":null}]}\n\n");
    }
    sb.append(head).append("{},\"finish_reason\":\"stop\"}]}\n\n");
    sb.append("data: {\"id\":\"chatcmpl-9x1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,"
        + "\"model\":\"builtin-small\",\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":")
        .append(tokens).append(",\"total_tokens\":").append(tokens + 8).append("}}\n\n");
    sb.append("data: [DONE]\n\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The messages of {@link #CHAT_1KB} as the parse stage extracts them. */
  static List<ChatMessage> messages1kb() {
    return List.of(
        new ChatMessage("system", "You are a helpful assistant for a travel company. Answer briefly and accurately, "
            + "cite the country when you name a city, and never invent opening hours or prices. If you are not sure, "
            + "say so and suggest where the traveller can check."),
        new ChatMessage("user", "I am planning a week in France in late September. Which cities would you suggest "
            + "for someone who likes museums, good food and walking, and who does not want to rent a car?"),
        new ChatMessage("assistant", "Paris (France) for the museums, Lyon (France) for the food, and Strasbourg "
            + "(France) for walking; all three are connected by fast trains, so you will not need a car."),
        new ChatMessage("user", "Great. How many nights would you spend in each, and what is the capital of France, "
            + "just to be sure?"));
  }

  /** A typical exchange record as the record stage builds it for {@link #CHAT_1KB}. */
  static Exchange exchange(String id) {
    List<ChatMessage> messages = messages1kb();
    return new Exchange(id, Instant.parse("2026-01-05T09:30:00.123456Z"), "acct_bench", "abcdefghijkl",
        "127.0.0.1", "OpenAI/Python 1.99.0", "8c3f0a1b2c3d4e5f", "/v1/chat/completions", "builtin-small",
        new SamplingParams(0.7, 0.95, 1, 256, null, null, 42L, 0), false, messages, FIXED_ANSWER,
        Exchange.promptDigest(messages), Exchange.promptLength(messages), Exchange.textDigest(FIXED_ANSWER),
        FIXED_ANSWER.length(), 212, 7, 200, Outcome.OK, null, 812, 240, 230);
  }

  /**
   * Limits that never refuse but still run the real bucket and concurrency code (zero would skip it): the load
   * test measures the limiter's cost, not its refusals.
   */
  static GatewayConfig.Limits generousLimits() {
    GatewayConfig.Limits l = new GatewayConfig.Limits();
    GatewayConfig.LimitSet huge = GatewayConfig.LimitSet.of(1_000_000_000L, 1_000_000_000L, 1_000_000);
    Map<String, GatewayConfig.Tier> tiers = new LinkedHashMap<>();
    tiers.put("default", GatewayConfig.Tier.of(huge, huge));
    tiers.put("enterprise", GatewayConfig.Tier.of(huge, huge));
    l.tiers = tiers;
    return l;
  }

  /** Limits switched off (0 = unlimited): the limiter skips its buckets. */
  static GatewayConfig.Limits noLimits() {
    GatewayConfig.Limits l = new GatewayConfig.Limits();
    GatewayConfig.LimitSet none = GatewayConfig.LimitSet.of(0, 0, 0);
    Map<String, GatewayConfig.Tier> tiers = new LinkedHashMap<>();
    tiers.put("default", GatewayConfig.Tier.of(none, none));
    tiers.put("enterprise", GatewayConfig.Tier.of(none, none));
    l.tiers = tiers;
    return l;
  }
}
