package io.distillguard.linkage;

import io.distillguard.core.Exchange;
import java.util.HashMap;
import java.util.Map;

/**
 * The stream job's two keyed linkage stages in one process: an {@link AccountKeys} per account and a
 * {@link KeyMembers} per key, played in the order exchanges are given. For tests and benchmarks that run them beside
 * an engine built {@link LinkageEngine#withKeysFiledElsewhere}, as the job's last stage does. Not thread-safe.
 */
public final class InProcessKeyStages {
  private final LinkageConfig config;
  private final Map<String, AccountKeys> accounts = new HashMap<>();
  private final Map<Long, KeyMembers> keys = new HashMap<>();

  public InProcessKeyStages(LinkageConfig config) {
    this.config = config;
  }

  /**
   * What the stages make of one exchange.
   *
   * @param sequence the exchange's number among its account's
   * @param keys     the keys it files its account under, in filing order
   * @param answers  the answer to each of those filings
   */
  public record Filed(Observation observation, long sequence, long[] keys, FilingAnswer[] answers) {}

  /** Takes the exchange's observation, works out its new keys and files its account under each. */
  public Filed file(Exchange e) {
    Observation o = Observation.of(e);
    AccountKeys ak = accounts.computeIfAbsent(e.accountId(), AccountKeys::new);
    long[] filed = ak.observe(o);
    FilingAnswer[] answers = new FilingAnswer[filed.length];
    for (int i = 0; i < filed.length; i++) {
      answers[i] = keys.computeIfAbsent(filed[i], k -> new KeyMembers(config))
          .file(new Filing(filed[i], e.accountId(), ak.exchanges()));
    }
    return new Filed(o, ak.exchanges(), filed, answers);
  }

  /** Accounts the stage keyed by account holds. */
  public int accounts() {
    return accounts.size();
  }

  /** Keys the stage keyed by linkage key holds. */
  public int keys() {
    return keys.size();
  }

  /** The keys the stage keyed by linkage key holds, for tests. */
  java.util.Set<Long> keySet() {
    return keys.keySet();
  }
}
