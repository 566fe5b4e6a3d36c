package io.distillguard.flink.bench;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.wire.ExchangeCodec;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Exchange events made from their index alone (so a parallel, checkpointed generator source can make them in any
 * order): account {@code index % accounts}, event time advancing 10 ms per exchange, a harvester's templated
 * reasoning prompt for every fifth account and an ordinary question otherwise. Encoded in the wire form, so the
 * harness measures decoding as the job does it.
 */
public final class SyntheticExchanges implements GeneratorFunction<Long, byte[]> {
  private static final long serialVersionUID = 1L;
  static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private static final String[] WORDS = ("river mountain cloud engine garden harbor violin planet window market "
      + "silver forest bridge candle desert rocket pencil island castle dragon lemon orbit piano saddle tiger").split(" ");
  private final int accounts;

  public SyntheticExchanges(int accounts) {
    if (accounts < 1) {
      throw new IllegalArgumentException("accounts must be at least 1");
    }
    this.accounts = accounts;
  }

  public static Exchange exchange(long index, int accounts) {
    return exchange(index, accounts, "acct-" + (index % accounts));
  }

  /**
   * As {@link #exchange(long, int)}, but each of the {@code accounts} slots is taken over by a new account every
   * {@code life} of its exchanges, staggered across slots: new accounts keep arriving and escalating, so a long run
   * has a steady flow of verdicts (an account's level only rises, four times at most).
   */
  public static Exchange rotating(long index, int accounts, long life) {
    long slot = index % accounts;
    long generation = (index / accounts + slot * life / accounts) / life;
    return exchange(index, accounts, "acct-" + slot + "-" + generation);
  }

  private static Exchange exchange(long index, int accounts, String account) {
    SplittableRandom r = new SplittableRandom(index * 0x9E3779B97F4A7C15L);
    int a = (int) (index % accounts);
    boolean harvester = a % 5 == 0;
    StringBuilder text = new StringBuilder(harvester ? "Explain step by step, showing your reasoning: " : "");
    for (int i = 0; i < 12; i++) {
      text.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
    }
    List<ChatMessage> m = List.of(new ChatMessage("user", text.toString()));
    String response = "Answer " + r.nextInt(1000);
    SamplingParams p = harvester ? new SamplingParams(1.0, null, 2, 4096, true, 5, null, 0) : SamplingParams.NONE;
    return new Exchange("b" + index, T0.plusMillis(index * 10), account, "k" + a, "10." + (a % 250) + ".0.1",
        harvester ? "python-httpx/0.27.2" : "OpenAI/Python 1.54.4", "fp", "/v1/chat/completions", "model-a", p,
        false, m, response, Exchange.promptDigest(m), text.length(), Exchange.textDigest(response),
        response.length(), 30, 200, 200, Outcome.OK, null, 900_000, 800_000, 100_000);
  }

  @Override
  public byte[] map(Long index) {
    return ExchangeCodec.encodeEvent(exchange(index, accounts));
  }
}
