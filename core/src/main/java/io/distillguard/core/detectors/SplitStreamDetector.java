package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.text.TextFeatures;

/**
 * A one-shot stream hidden in conversational traffic: the account's chat requests split by their sampling settings
 * (temperature, top_p, max_tokens, n, seed, logprobs), one setting carries a good share of the traffic and is
 * (almost) never a follow-up, while a good share of the account's requests are follow-ups in conversations with
 * other settings. A reseller forwarding its customers' chats and mixing in its own harvest through the same key looks
 * like this: the harvest script has its own settings and never builds on an answer. A person's chat and their
 * scripts share their client's settings, and accounts that are all one-shot (integrations, benchmarks) have no
 * conversational rest, so neither scores here.
 *
 * <p>A reseller with hundreds of customers has some whose settings are the harvest's own, so the harvest's setting
 * carries a few of their conversations too (in one simulated proxy 93% of that setting's requests were one-shot).
 * The setting is therefore read as a mixture: if the rest of the account is one-shot at rate r and the setting at
 * rate o, a share h = (o - r) / (1 - r) of the setting's requests is a purely one-shot stream beyond what the
 * account's conversational traffic would give. The signal wants h high (0.6 to 0.9), that stream a good share of the
 * account (10% to 30%) and follow-ups elsewhere (10% to 20% of the account).
 *
 * <p>State: {@value #SLOTS} Space-Saving slots of (settings hash, requests, inherited count, single-turn requests) and
 * two counters. A slot's requests include the count it inherited from the key it evicted (Space-Saving's
 * overestimate); the shares use only what the slot has seen since, since a key that entered late (many customers'
 * settings filling the slots first) would otherwise carry an inherited count that its one-shot requests never catch
 * up with.
 */
public final class SplitStreamDetector implements Detector<SplitStreamDetector.State> {
  public static final String NAME = "split-stream";
  static final int SLOTS = 6;
  static final int MIN_REQUESTS = 100;

  public static final class State {
    final long[] keys = new long[SLOTS];
    final int[] counts = new int[SLOTS];
    final int[] inherited = new int[SLOTS];
    final int[] singles = new int[SLOTS];
    long requests;
    long single;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public State newState() {
    return new State();
  }

  @Override
  public void observe(State s, Exchange e) {
    if (!e.endpoint().endsWith("chat/completions")) {
      return;
    }
    TextFeatures f = TextFeatures.of(e);
    boolean one = f.userTurns <= 1 && !f.followUp;
    s.requests++;
    if (one) {
      s.single++;
    }
    long key = settings(e.params());
    int min = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (s.counts[i] > 0 && s.keys[i] == key) {
        s.counts[i]++;
        if (one) {
          s.singles[i]++;
        }
        return;
      }
      if (s.counts[i] < s.counts[min]) {
        min = i;
      }
    }
    // Space-Saving: the new key takes the smallest slot and inherits its count (the bound every key's count keeps);
    // what it inherited is kept apart, so the slot's own requests and single-turn requests are counted alike.
    s.keys[min] = key;
    s.inherited[min] = s.counts[min];
    s.counts[min]++;
    s.singles[min] = one ? 1 : 0;
  }

  static long settings(SamplingParams p) {
    long h = 0x9E3779B97F4A7C15L;
    h = mix(h, p.temperature() == null ? -1 : Double.doubleToLongBits(p.temperature()));
    h = mix(h, p.topP() == null ? -1 : Double.doubleToLongBits(p.topP()));
    h = mix(h, p.maxTokens() == null ? -1 : p.maxTokens());
    h = mix(h, p.n() == null ? -1 : p.n());
    h = mix(h, p.seed() == null ? 0 : 1);
    h = mix(h, Boolean.TRUE.equals(p.logprobs()) ? 1 : 0);
    return h;
  }

  private static long mix(long h, long v) {
    return Long.rotateLeft(h ^ v, 29) * 0xC2B2AE3D27D4EB4FL;
  }

  /**
   * The strongest split: {value, share of the account's chat requests in the hidden one-shot stream, share that are
   * follow-ups outside its setting, the setting's one-shot rate, the rest's one-shot rate}; zeros when no setting of
   * at least 30 requests stands out.
   */
  private static double[] split(State s) {
    double[] best = {0, 0, 0, 0, 0};
    for (int i = 0; i < SLOTS; i++) {
      int n = s.counts[i] - s.inherited[i];
      long rest = s.requests - n;
      if (n < 30 || rest <= 0) {
        continue;
      }
      double oneShot = (double) s.singles[i] / n;
      long restSingles = Math.max(0, s.single - s.singles[i]);
      double restOneShot = Math.min(1.0, (double) restSingles / rest);
      if (restOneShot >= 1 || oneShot <= restOneShot) {
        continue;
      }
      double pure = Math.min(1.0, (oneShot - restOneShot) / (1 - restOneShot));
      double share = pure * n / s.requests;
      double conversational = (double) Math.max(0, rest - restSingles) / s.requests;
      double v = Suspicion.ramp(pure, 0.6, 0.9) * Suspicion.ramp(share, 0.1, 0.3)
          * Suspicion.ramp(conversational, 0.1, 0.2);
      if (v > best[0] || (best[0] == 0 && share > best[1])) {
        best = new double[] {v, share, conversational, oneShot, restOneShot};
      }
    }
    return best;
  }

  @Override
  public double suspicion(State s) {
    if (s.requests < MIN_REQUESTS) {
      return 0;
    }
    return Suspicion.withEvidence(split(s)[0], s.requests, MIN_REQUESTS, 300);
  }

  @Override
  public Signal evaluate(State s) {
    if (s.requests < MIN_REQUESTS) {
      return Signal.none(NAME, s.requests);
    }
    double[] x = split(s);
    double v = Suspicion.withEvidence(x[0], s.requests, MIN_REQUESTS, 300);
    return new Signal(NAME, v, s.requests, "about " + Suspicion.percent(x[1]) + " of " + s.requests
        + " chat requests are a one-shot stream with its own sampling settings (" + Suspicion.percent(x[3])
        + " of that setting's requests are one-shot, " + Suspicion.percent(x[4]) + " of the rest), while "
        + Suspicion.percent(x[2]) + " are follow-ups in conversations with other settings");
  }
}
