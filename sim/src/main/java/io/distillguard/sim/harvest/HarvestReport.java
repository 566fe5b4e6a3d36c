package io.distillguard.sim.harvest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How much a harvest got before it stopped.
 *
 * @param served          (prompt, response) pairs written
 * @param promptsTried    prompts taken from the set
 * @param promptsRefused  prompts given up after repeated 429s, or because every key died while they were tried
 * @param promptsFailed   prompts given up after repeated 5xx answers or timeouts
 * @param promptsRejected prompts the endpoint refused outright (400, 404, 413, ...)
 * @param skipped         prompts skipped because the output already held them (resume)
 * @param byStatus        every HTTP answer by status (0 = no answer: connection failed or timed out)
 * @param deadKeys        keys dropped after a 401/403
 * @param retries         requests sent again (after a 429, a 5xx, a timeout or a dead key)
 * @param completionTokens completion tokens the endpoint reported for the served pairs
 */
public record HarvestReport(
    long served,
    long promptsTried,
    long promptsRefused,
    long promptsFailed,
    long promptsRejected,
    long skipped,
    Map<Integer, Long> byStatus,
    int keys,
    int deadKeys,
    long retries,
    long completionTokens,
    Duration elapsed,
    Harvester.StopReason stopReason,
    Path out) {

  /** Answers refused by the endpoint (401, 403, 429 and other 4xx). */
  public long refusedAnswers() {
    long n = 0;
    for (Map.Entry<Integer, Long> e : byStatus.entrySet()) {
      if (e.getKey() >= 400 && e.getKey() < 500) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** A few lines for the terminal. */
  public String render() {
    double secs = Math.max(0.001, elapsed.toMillis() / 1000.0);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "harvested %d pairs in %.1f s (%.1f pairs/s, %d completion tokens)%s%n",
        served, secs, served / secs, completionTokens, out == null ? "" : " -> " + out));
    sb.append(String.format(Locale.ROOT, "prompts: %d tried, %d served, %d refused, %d failed, %d rejected%s%n",
        promptsTried, served, promptsRefused, promptsFailed, promptsRejected,
        skipped == 0 ? "" : ", " + skipped + " skipped (already in the output)"));
    StringBuilder st = new StringBuilder();
    byStatus.forEach((k, v) -> st.append(' ').append(k == 0 ? "no-answer" : k.toString()).append('×').append(v));
    sb.append("answers by status:").append(st.length() == 0 ? " none" : st).append(
        String.format(Locale.ROOT, "; %d retries%n", retries));
    sb.append(String.format(Locale.ROOT, "keys: %d, %d dead%n", keys, deadKeys));
    sb.append("stopped: ").append(stopReason.describe()).append('\n');
    return sb.toString();
  }
}
