package io.distillguard.sim.calibrate;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.Simulation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Runs a simulation through the detectors with no enforcement (every request served, synthetic answers) and samples
 * each account's suspicion vector at checkpoints: every {@code every} of its exchanges and after its last one. These
 * samples are what the logistic weights are fitted on.
 */
public final class SignalSampler {
  private SignalSampler() {}

  /** One account's checkpoints: exchange counts and the suspicion vector at each. */
  public static final class AccountTrace {
    public final SimAccount account;
    public final AccountKind kind;
    /** Campaign strategy, or the heavy-use group, or empty. */
    public final String group;
    final int dims;
    long exchanges;
    int count;
    long[] at = new long[4];
    double[] values;
    final Object[] states;

    AccountTrace(SimAccount account, AccountKind kind, String group, List<Detector<Object>> detectors) {
      this.account = account;
      this.kind = kind;
      this.group = group;
      this.dims = detectors.size();
      this.values = new double[4 * dims];
      this.states = new Object[dims];
      for (int i = 0; i < dims; i++) {
        states[i] = detectors.get(i).newState();
      }
    }

    void sample(List<Detector<Object>> detectors) {
      if (count == at.length) {
        at = Arrays.copyOf(at, count * 2);
        values = Arrays.copyOf(values, count * 2 * dims);
      }
      at[count] = exchanges;
      for (int i = 0; i < dims; i++) {
        values[count * dims + i] = detectors.get(i).suspicion(states[i]);
      }
      count++;
    }

    /** Number of checkpoints. */
    public int size() {
      return count;
    }

    /** Exchanges of the account at checkpoint {@code k}. */
    public long exchangesAt(int k) {
      return at[k];
    }

    /** Suspicion of detector {@code d} at checkpoint {@code k}. */
    public double value(int k, int d) {
      return values[k * dims + d];
    }

    /** All exchanges of the account in the run. */
    public long exchanges() {
      return exchanges;
    }
  }

  /** The checkpoints of every account of one scenario run. */
  public record Samples(String scenario, List<String> detectors, List<AccountTrace> accounts, long requests) {}

  /**
   * Runs the simulation to its end.
   *
   * @param every    checkpoint interval in an account's exchanges
   * @param progress called with the request count every 2^20 requests, or null
   */
  @SuppressWarnings("unchecked")
  public static Samples run(Simulation sim, List<? extends Detector<?>> detectorList, int every,
      LongConsumer progress) {
    if (every < 1) {
      throw new IllegalArgumentException("checkpoint interval must be at least 1");
    }
    List<Detector<Object>> detectors = new ArrayList<>();
    for (Detector<?> d : detectorList) {
      detectors.add((Detector<Object>) d);
    }
    Map<String, String> strategies = sim.campaignStrategies();
    Map<String, AccountTrace> traces = new LinkedHashMap<>();
    Map<String, AccountKind> kinds = new HashMap<>();
    long seq = 0;
    for (SimRequest r; (r = sim.next()) != null; ) {
      seq++;
      SimAccount a = r.account();
      AccountTrace t = traces.get(a.id());
      if (t == null) {
        AccountKind kind = kinds.computeIfAbsent(a.id(), x -> AccountKind.of(a, strategies));
        String group = a.label() == null ? "" : kind.campaign() ? strategies.getOrDefault(a.label().group(), "")
            : a.label().group();
        t = new AccountTrace(a, kind, group, detectors);
        traces.put(a.id(), t);
      }
      Exchange e = SimExchanges.exchange(r, seq, 200, null);
      for (int i = 0; i < detectors.size(); i++) {
        detectors.get(i).observe(t.states[i], e);
      }
      t.exchanges++;
      if (t.exchanges % every == 0) {
        t.sample(detectors);
      }
      sim.report(r, SimExchanges.result(e, 0));
      if (progress != null && (seq & ((1 << 20) - 1)) == 0) {
        progress.accept(seq);
      }
    }
    for (AccountTrace t : traces.values()) {
      if (t.exchanges % every != 0) {
        t.sample(detectors);
      }
      Arrays.fill(t.states, null); // detector state is not needed any more
    }
    List<String> names = detectors.stream().map(Detector::name).toList();
    return new Samples(sim.scenario().name(), names, List.copyOf(traces.values()), seq);
  }
}
