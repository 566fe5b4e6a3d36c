package io.distillguard.linkage;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Hand-made accounts and exchanges for linkage tests: a hydra and a benign population with realistic sharing. */
final class Traffic {
  static final Instant T0 = Instant.parse("2025-03-03T00:00:00Z");
  static final String[] WORDS = ("river mountain cloud engine garden harbor violin planet window market silver "
      + "forest bridge candle desert rocket pencil island castle dragon lemon orbit piano saddle tiger yellow "
      + "basket canyon dolphin feather glacier hammer jungle kettle lantern meadow needle oyster pepper quartz").split(" ");
  static final String POPULAR_UA = "OpenAI/Python 1.54.4";
  static final String POPULAR_SYSTEM = "You are a helpful assistant.";

  private long seq;

  Exchange exchange(String account, Instant at, String ip, String ua, String system, String user) {
    List<ChatMessage> messages = new ArrayList<>();
    if (system != null) {
      messages.add(new ChatMessage("system", system));
    }
    messages.add(new ChatMessage("user", user));
    return new Exchange("x" + (seq++), at, account, account + "-k", ip, ua, "fp-" + ua.hashCode(),
        "/v1/chat/completions", "m", SamplingParams.NONE, false, messages, "ok", Exchange.promptDigest(messages),
        user.length(), null, 2, 10, 10, 200, Outcome.OK, null, 1000, 900, 100);
  }

  static String sentence(SplittableRandom r, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  static Map<String, String> attrs(String card, String signupIp, String domain) {
    java.util.HashMap<String, String> m = new java.util.HashMap<>();
    if (card != null) {
      m.put("payment_fingerprint", card);
    }
    m.put("signup_ip", signupIp);
    m.put("email_domain", domain);
    return m;
  }
}
