package io.distillguard.core.detect;

import io.distillguard.core.Exchange;

/**
 * One signal of distillation, computed per account from its stream of exchanges. Detectors keep their per-account
 * state explicit, bounded and serializable (counters, EWMAs, sketches, small reservoirs; never an unbounded list), so
 * the same class runs in-process on a single node and inside a keyed stream operator on a cluster.
 *
 * <p>Implementations are stateless themselves and thread-safe; all account state lives in {@code S}, which the
 * caller owns and never shares between threads at the same time.
 *
 * @param <S> the per-account state
 */
public interface Detector<S> {

  /** Short stable name, used in configuration, reasons and reports (e.g. {@code volume}). */
  String name();

  /** Fresh state for an account never seen before. */
  S newState();

  /** Folds one exchange of the account into its state. Must be cheap: it runs for every exchange. */
  void observe(S state, Exchange exchange);

  /**
   * The current evidence of this signal for the account.
   *
   * @return a signal, or {@link Signal#none} when there is not enough evidence yet
   */
  Signal evaluate(S state);

  /**
   * Just the suspicion of {@link #evaluate}, without building an explanation. The engine asks for this on every
   * exchange and for the full signal only when a score must be explained; detectors override it when their
   * explanation costs more than the number.
   */
  default double suspicion(S state) {
    return evaluate(state).suspicion();
  }
}
